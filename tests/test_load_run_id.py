"""Every load attempt names the Dagster run that recorded it (migration 0028), and the CLI's
summary shows its own run's loads: it took those audited after the last load id it saw, so a
run of the same month started from the UI meanwhile was printed as the CLI's."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import psycopg
from psycopg.types.json import Jsonb

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_cli.commands import month_summary
from finops_core.config import PlatformConfig
from tests.pipeline import focus_source, query
from tests.test_month_loads import line, write_csv

SEPTEMBER = date(2025, 9, 1)


def test_a_load_and_a_held_attempt_record_their_run(mart_url: str, tmp_path: Path) -> None:
    bills = tmp_path / "bills"
    write_csv(bills / "bill.csv", [line(SEPTEMBER, "1.10"), line(SEPTEMBER, "1.05", app="search")])
    config = PlatformConfig(start_month="2025-01", sources=[focus_source("cloud", bills)])
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    loaded = materialize_month(config, SEPTEMBER, mart)
    (bills / "bill.csv").unlink()  # re-delivered empty: held
    held = materialize_month(config, SEPTEMBER, mart, raise_on_error=False)
    assert loaded.success and not held.success
    audit = "SELECT status, run_id FROM finops.load_audit WHERE source = 'cloud' ORDER BY load_id"
    assert query(mart_url, audit) == [("loaded", loaded.run_id), ("held", held.run_id)]


def test_the_cli_summary_shows_its_own_run_s_load_not_a_later_one_of_the_month(mart_url: str) -> None:
    audit = (
        "INSERT INTO finops.load_audit (source, month, rows_read, rows_loaded, rows_rejected, files,"
        " cost_column, source_cost, rejected_cost, started_at, finished_at, run_id)"
        " VALUES ('cloud', %s, %s, %s, 0, '[]', 'BilledCost', %s, '{}', now(), now(), %s)"
    )
    with psycopg.connect(mart_url) as conn:
        conn.execute(audit, [SEPTEMBER, 2, 2, Jsonb({"EUR": "2.15"}), "cli-run"])
        conn.execute(audit, [SEPTEMBER, 5, 5, Jsonb({"EUR": "9.99"}), "ui-run"])  # later, the UI's
    assert month_summary(mart_url, SEPTEMBER, ["cloud"], "cli-run") == [
        "  cloud: 2 rows read, 2 loaded, 0 rejected; EUR 2.15"
    ]
    assert month_summary(mart_url, SEPTEMBER, ["cloud"], "another-run") == []
