"""The database paths: a configured server, the embedded default, and the migrations."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import psycopg
import pytest

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_cli.main import main
from finops_core import migrations
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.database import as_url, database_url
from finops_core.embedded import embedded_server, stop_embedded
from finops_core.migrations import MigrationError, available_migrations, upgrade
from finops_core.settings import Settings
from tests.conftest import SAMPLES
from tests.pipeline import query


def test_configured_url_is_used_as_given(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql://u@db.internal:5433/mart", config_path=Path("x"), home=tmp_path
    )
    assert database_url(settings) == "postgresql://u@db.internal:5433/mart"
    assert not (tmp_path / "pgdata").exists()  # no embedded server was started


MIGRATIONS = [
    "0001_mart",
    "0002_auto_flags_and_partition_names",
    "0003_owner_in_read_models",
    "0005_backstage_groups",
    "0006_valuation_and_allocation",
    "0007_simulation_adjustment",
    "0008_read_models_for_simulations",
    "0010_api_write_audit",
    "0011_viewer_read_model_and_data_changes",
    "0012_load_attempt_status",
    "0014_month_publication",
    "0015_rollup_units",
    "0016_allocated_consumption_view",
    "0017_cost_by_product_family_brin",
    "0022_filtered_rows",
    "0024_data_version_notify",
    "0025_incremental_valuation",
    "0026_rollup_views",
    "0027_canonical_refs",
    "0028_load_audit_run_and_facts",
    "0029_fx_rate_data_changes",
]
"""Every migration, in the order a new database gets them."""


def test_embedded_server_starts_in_the_home_folder_and_is_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=None, config_path=Path("x"), home=tmp_path)
    url = database_url(settings)
    assert (tmp_path / "pgdata" / "PG_VERSION").exists()
    assert upgrade(url) == MIGRATIONS
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("finops",)
        (views,) = conn.execute("SELECT count(*) FROM finops.pricing_view").fetchone() or (0,)
        assert views == 2  # actual and actual-rate
    # a second start finds the running server and the migrated database
    assert database_url(settings) == url
    assert upgrade(url) == []
    assert embedded_server(tmp_path / "pgdata") is not None
    assert stop_embedded(tmp_path / "pgdata") is True
    assert not (tmp_path / "pgdata" / "postmaster.pid").exists()
    assert embedded_server(tmp_path / "pgdata") is None
    assert stop_embedded(tmp_path / "pgdata") is False
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path))
    monkeypatch.delenv("FINOPS_DATABASE_URL", raising=False)
    capsys.readouterr()
    assert main(["db", "status"]) == 0  # stopped (a demo's API and UI then fail): how to start it
    assert capsys.readouterr().err == (
        f"embedded PostgreSQL in {tmp_path / 'pgdata'}: not running (stopped);"
        " `finops db upgrade` starts it\n"
    )


def test_upgrade_applies_once(empty_database_url: str) -> None:
    assert upgrade(empty_database_url) == MIGRATIONS
    assert upgrade(empty_database_url) == []
    with psycopg.connect(empty_database_url) as conn:
        tables = {
            name
            for (name,) in conn.execute(
                "SELECT relname FROM pg_class JOIN pg_namespace n ON n.oid = relnamespace"
                " WHERE nspname = 'finops' AND relkind IN ('r', 'p')"
            ).fetchall()
        }
    assert {
        "dim_domain", "dim_family", "dim_product", "dim_application", "fact_consumption", "pricing_view",
        "unit_price", "fx_rate", "allocation_rule", "allocation_key", "load_audit", "rejected_row",
        "cost_by_product", "cost_by_application", "cost_by_family", "schema_migration", "dim_group",
        "allocated_indirect", "allocated_month", "cost_by_owner_family", "cost_by_owner",
        "simulation_adjustment", "cost_by_application_family", "data_change",
    } <= tables  # fmt: skip


def test_data_changes_are_recorded_when_ownership_or_a_read_model_month_changes(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)
    month = "2025-01-01"
    statements = [
        "INSERT INTO finops.dim_application (application_code, name, owner) VALUES ('pay', 'Pay', 'team-a')",
        "UPDATE finops.dim_application SET owner = 'team-b' WHERE application_code = 'nope'",
        "UPDATE finops.dim_application SET owner = 'team-b' WHERE application_code = 'pay'",
        "DELETE FROM finops.dim_application WHERE application_code = 'nope'",
        "DELETE FROM finops.dim_application WHERE application_code = 'pay'",
        "TRUNCATE finops.dim_application",
        # a month of the read models rewritten: every statement counts, even one of no row
        f"DELETE FROM finops.cost_by_product WHERE month = '{month}'",
        f"DELETE FROM finops.cost_by_application WHERE month = '{month}'",
        f"DELETE FROM finops.cost_by_family WHERE month = '{month}'",  # rebuilt with the other
    ]
    count = "SELECT count(*), coalesce(max(change_id), 0) FROM finops.data_change"
    with psycopg.connect(empty_database_url, autocommit=True) as conn:
        # the migrations' own statements on the read models (0015 fills their units) count too
        (before, last_id) = conn.execute(count).fetchone() or (0, 0)
        changes = []
        for statement in statements:
            conn.execute(statement.encode())
            (after, _) = conn.execute(count).fetchone() or (0, 0)
            changes.append(after - before)
        tables = conn.execute(
            "SELECT table_name FROM finops.data_change WHERE change_id > %s ORDER BY change_id", [last_id]
        ).fetchall()
    assert changes == [1, 1, 2, 2, 3, 4, 5, 6, 6]
    written = ["cost_by_product", "cost_by_application"]
    assert [table for (table,) in tables] == [*["dim_application"] * 4, *written]


def test_an_edited_applied_migration_is_refused(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(empty_database_url)
    edited = tmp_path / "migrations"
    shutil.copytree(str(migrations.MIGRATIONS_DIR), edited)
    with (edited / "0001_mart.sql").open("a") as first:
        first.write("\n-- edited\n")
    monkeypatch.setattr(migrations, "MIGRATIONS_DIR", edited)
    with pytest.raises(MigrationError, match="0001_mart was changed"):
        upgrade(empty_database_url)


def test_a_schema_upgraded_by_a_newer_release_is_refused(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    with psycopg.connect(empty_database_url) as conn:
        conn.execute("INSERT INTO finops.schema_migration VALUES ('9001', 'from_the_future', 'x')")
    latest = migrations.available_migrations()[-1].version
    refused = (
        f"the database's schema has migration\\(s\\) 9001, which this release \\(up to {latest}\\) does not "
        "know: a newer finops upgraded it; run that release"
    )
    with pytest.raises(MigrationError, match=refused):
        upgrade(empty_database_url)


def test_month_partitions_are_created_on_demand(mart_url: str) -> None:
    with psycopg.connect(mart_url) as conn:
        conn.execute("SELECT finops.ensure_month_partition('finops.fact_consumption', '2025-03-17')")
        conn.execute("SELECT finops.ensure_month_partition('finops.fact_consumption', '2025-03-01')")
        partitions = conn.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
            " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'finops.fact_consumption'::regclass"
        ).fetchall()
    assert partitions == [
        ("fact_consumption_2025_03", "FOR VALUES FROM ('2025-03-01') TO ('2025-04-01')"),
    ]


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("postgresql://u@h:5432/d", "postgresql://u@h:5432/d"),
        (
            "host=127.0.0.1 port=5432 user=postgres dbname=finops_x",
            "postgresql://postgres@127.0.0.1:5432/finops_x",
        ),
        (
            "user=postgres password=p@ss dbname=finops host=/tmp/pg",
            "postgresql://postgres:p%40ss@/finops?host=%2Ftmp%2Fpg",
        ),
    ],
)
def test_conninfo_strings_become_urls_for_sqlalchemy(given: str, url: str) -> None:
    assert as_url(given) == url


def test_partitions_land_in_the_parent_schema_whatever_the_search_path(mart_url: str) -> None:
    with psycopg.connect(mart_url) as conn:
        conn.execute("SET search_path TO public, finops")
        conn.execute("SELECT finops.ensure_month_partition('finops.fact_consumption', '2025-04-01')")
        assert conn.execute(
            "SELECT to_regclass('finops.fact_consumption_2025_04') IS NOT NULL"
        ).fetchone() == (True,)


def test_a_run_on_a_fresh_database_migrates_it_first(empty_database_url: str, tmp_path: Path) -> None:
    """The Dagster path (UI, schedule) never calls `finops db upgrade`: the mart resource does."""
    sample = SAMPLES / "focus" / "focus_sample.csv"
    config = PlatformConfig(
        start_month="2024-01", sources=[SourceConfig(name="sample", kind="focus", path=str(sample))]
    )
    resource = MartResource(database_url=empty_database_url, landing_dir=str(tmp_path / "landing"))
    result = materialize_month(config, date(2024, 9, 1), resource)
    assert result.success
    assert query(empty_database_url, "SELECT count(*) FROM finops.schema_migration") == [
        (len(available_migrations()),)
    ]
    assert query(empty_database_url, "SELECT sum(rows_read) FROM finops.load_audit") == [(999,)]
