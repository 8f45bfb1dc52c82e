"""An unchanged delivery keeps its landing: a month materialized again with the same files (path
and sha256) and the same normalisation (settings, map files, partitions, LANDING_FORMAT) reads
nothing, says so, returns the manifest's figures, and every downstream step and check runs as
before. Any change lands the month again, with the new figures."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from dagster import AssetCheckSeverity, DagsterInstance

from finops_assets.materialize import materialize_month
from finops_assets.resources import MartResource
from finops_assets.sources import manifest
from finops_cli.main import main
from finops_core.config import ApplicationRule, PlatformConfig, ProductRule, SourceConfig
from finops_core.decimals import exact_text
from tests.pipeline import query
from tests.test_month_loads import line

JAN = date(2025, 1, 1)
COSTS = ["1.50", "2.25", "3.00", "4.75"]  # 11.50 EUR
APPS = ["payments", "", "search", ""]  # two lines without the tag: the map file names them


def deliver(bills: Path, costs: list[str] = COSTS) -> Path:
    """January as a Parquet file (its landing keeps a copy in source_files/)."""
    rows = [
        line(JAN, cost, app=app, ServiceName=f"svc-{n}")
        for n, (cost, app) in enumerate(zip(costs, APPS, strict=True))
    ]
    bills.mkdir(parents=True, exist_ok=True)
    path = bills / "jan.parquet"
    pl.DataFrame(rows).write_parquet(path)
    return path


def write_map(path: Path, services: dict[str, str]) -> None:
    path.write_text("value,application\n" + "".join(f"{k},{v}\n" for k, v in services.items()))


MAP = {"svc-1": "billing", "svc-3": "billing"}


def source(bills: Path, **changes: Any) -> SourceConfig:
    settings: dict[str, Any] = {
        "application_tag": "application",
        "application_rules": [ApplicationRule(column="ServiceName", map_file=str(bills.parent / "apps.csv"))],
    }
    return SourceConfig(name="cloud", kind="focus", path=str(bills), **(settings | changes))


def materialize(url: str, tmp_path: Path, source: SourceConfig) -> tuple[dict[str, Any], list[str]]:
    """January materialized through the asset graph: (billing_lines' metadata, its log lines);
    every check passed."""
    config = PlatformConfig(start_month="2020-01", end_month="2025-12", sources=[source])
    mart = MartResource(database_url=url, landing_dir=str(tmp_path / "landing"))
    instance = DagsterInstance.ephemeral()
    result = materialize_month(config, JAN, mart, instance=instance)
    assert result.success
    failed = [
        e.check_name
        for e in result.get_asset_check_evaluations()
        if not e.passed and e.severity == AssetCheckSeverity.ERROR
    ]
    assert failed == []
    (lines,) = [
        event.materialization
        for event in result.get_asset_materialization_events()
        if event.materialization.asset_key.path[-1] == "billing_lines"
    ]
    metadata = {key: value.value for key, value in lines.metadata.items()}
    logs = [
        entry.user_message
        for entry in instance.all_logs(result.run_id)
        if entry.step_key == "cloud__billing_lines" and not entry.is_dagster_event
    ]
    return metadata, logs


def landing(tmp_path: Path) -> Path:
    return tmp_path / "landing" / "cloud" / "2025-01"


def stamp(folder: Path) -> list[tuple[str, int, int]]:
    """Each path of the folder with its inode and mtime: a landing written again (a new staging
    folder swapped in) changes every one of them."""
    return [
        (str(p.relative_to(folder)), p.stat().st_ino, p.stat().st_mtime_ns)
        for p in [folder, *sorted(folder.rglob("*"))]
    ]


def facts(url: str) -> list[tuple[Any, ...]]:
    return query(
        url,
        "SELECT application_code, product_code, source_cost, line_count FROM finops.fact_consumption"
        " ORDER BY 1, 2",
    )


def product(name: str) -> str:
    return f"aws:{name}:hours"


FIRST = [
    ("billing", product("svc-1"), Decimal("2.25"), 1),
    ("billing", product("svc-3"), Decimal("4.75"), 1),
    ("payments", product("svc-0"), Decimal("1.50"), 1),
    ("search", product("svc-2"), Decimal("3.00"), 1),
]


@pytest.fixture
def bills(tmp_path: Path) -> Path:
    folder = tmp_path / "bills"
    deliver(folder)
    write_map(tmp_path / "apps.csv", MAP)
    return folder


def test_an_unchanged_delivery_keeps_its_landing(mart_url: str, tmp_path: Path, bills: Path) -> None:
    first, first_logs = materialize(mart_url, tmp_path, source(bills))
    assert first["landing_reused"] is False
    assert any(m.startswith("read 4 rows for 2025-01") for m in first_logs)
    before = stamp(landing(tmp_path))
    recorded = json.loads((landing(tmp_path) / "manifest.json").read_text())
    assert len(recorded["normalisation"]) == 64

    again, logs = materialize(mart_url, tmp_path, source(bills))

    assert again == first | {"landing_reused": True}  # the same figures, from the manifest
    assert again["source_cost"] == {"EUR": "11.5"} and again["rows_read"] == 4
    reused = [m for m in logs if m.startswith("reused the landing of 2025-01")]
    assert len(reused) == 1 and "nothing read" in reused[0]
    assert not any(m.startswith("read ") for m in logs)
    assert stamp(landing(tmp_path)) == before  # not one file of the landing written again
    assert facts(mart_url) == FIRST  # the downstream steps loaded it again
    assert query(mart_url, "SELECT count(*) FROM finops.load_audit WHERE status = 'loaded'") == [(2,)]


def rewrite_one_cost(tmp_path: Path, bills: Path) -> None:
    deliver(bills, ["1.50", "2.25", "3.01", "4.75"])


def change_rule(tmp_path: Path, bills: Path) -> None:
    """A product rule (the settings change, not the file)."""


def change_map_file(tmp_path: Path, bills: Path) -> None:
    write_map(tmp_path / "apps.csv", MAP | {"svc-3": "search"})


def bump_format(tmp_path: Path, bills: Path) -> None:
    """Done by monkeypatching LANDING_FORMAT in the test."""


def break_facts(tmp_path: Path, bills: Path) -> None:
    facts_file = landing(tmp_path) / "facts.parquet"
    facts_file.write_bytes(facts_file.read_bytes() + b" ")


def break_lines(tmp_path: Path, bills: Path) -> None:
    lines_file = landing(tmp_path) / "lines.parquet"
    lines_file.write_bytes(lines_file.read_bytes() + b" ")


def drop_products(tmp_path: Path, bills: Path) -> None:
    (landing(tmp_path) / "products.parquet").unlink()


RULE = ProductRule(match={"ServiceName": "svc-2"}, product="search-engine")

CHANGES: dict[str, tuple[Callable[[Path, Path], None], dict[str, Any], str, list[tuple[Any, ...]]]] = {
    # case: (the change, source settings changed, why it lands again, the mart's facts after)
    "one cost in the file": (
        rewrite_one_cost,
        {},
        "the files of the month changed",
        [*FIRST[:3], ("search", product("svc-2"), Decimal("3.01"), 1)],
    ),
    "a product rule": (
        change_rule,
        {"product_rules": [RULE]},
        "the source's settings, the partitions or the landing's format changed",
        [*FIRST[:3], ("search", "search-engine", Decimal("3.00"), 1)],
    ),
    "a map file line": (
        change_map_file,
        {},
        "the source's settings, the partitions or the landing's format changed",
        [
            FIRST[0],
            FIRST[2],
            ("search", product("svc-2"), Decimal("3.00"), 1),
            ("search", product("svc-3"), Decimal("4.75"), 1),
        ],
    ),
    "the landing's format": (
        bump_format,
        {},
        "the source's settings, the partitions or the landing's format changed",
        FIRST,
    ),
    "facts not the manifest's": (break_facts, {}, "not the files its manifest names: facts.parquet", FIRST),
    "lines not the manifest's": (break_lines, {}, "not the files its manifest names: lines.parquet", FIRST),
    "a file of the landing missing": (
        drop_products,
        {},
        "the landing is incomplete: products.parquet",
        FIRST,
    ),
}


@pytest.mark.parametrize("case", CHANGES)
def test_a_change_lands_the_month_again(
    mart_url: str, tmp_path: Path, bills: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    change, settings, why, after = CHANGES[case]
    materialize(mart_url, tmp_path, source(bills))
    before = stamp(landing(tmp_path))
    change(tmp_path, bills)
    if change is bump_format:
        monkeypatch.setattr(manifest, "LANDING_FORMAT", manifest.LANDING_FORMAT + 1)

    metadata, logs = materialize(mart_url, tmp_path, source(bills, **settings))

    assert metadata["landing_reused"] is False
    assert f"landing 2025-01 from 1 of 1 files: {why}" in logs
    assert any(m.startswith("read 4 rows for 2025-01") for m in logs)
    assert stamp(landing(tmp_path))[0][1] != before[0][1]  # a new folder swapped in
    assert facts(mart_url) == after
    total = sum((cost for *_, cost, _ in after), Decimal(0))
    assert metadata["source_cost"] == {"EUR": exact_text(total)}
    assert metadata["rejected_cost"] == {}  # what rejected rows carried, beside the run's logs
    # and the landing written again is kept by the next run
    assert materialize(mart_url, tmp_path, source(bills, **settings))[0]["landing_reused"] is True


@pytest.mark.parametrize("how", ["environment", "run config"])
def test_a_fresh_landing_can_be_asked(
    mart_url: str, tmp_path: Path, bills: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    materialize(mart_url, tmp_path, source(bills))
    before = stamp(landing(tmp_path))
    config = PlatformConfig(start_month="2020-01", end_month="2025-12", sources=[source(bills)])
    mart = MartResource(database_url=mart_url, landing_dir=str(tmp_path / "landing"))
    if how == "environment":
        monkeypatch.setenv("FINOPS_RELAND", "1")
        result = materialize_month(config, JAN, mart)
    else:
        result = materialize_month(config, JAN, mart, reland=True)
    assert result.success
    assert stamp(landing(tmp_path))[0][1] != before[0][1]
    assert facts(mart_url) == FIRST


def test_the_cli_relands_and_an_archived_month_is_still_refused(
    mart_url: str,
    tmp_path: Path,
    bills: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "start_month: '2025-01'\nend_month: '2025-12'\nsources:\n"
        f"  - {{name: cloud, kind: focus, path: '{bills}', application_tag: application,\n"
        f"      application_rules: [{{column: ServiceName, map_file: '{tmp_path / 'apps.csv'}'}}]}}\n"
    )
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path))
    assert main(["materialize", "--month", "2025-01"]) == 0
    before = stamp(landing(tmp_path))
    assert main(["materialize", "--month", "2025-01"]) == 0
    assert stamp(landing(tmp_path)) == before

    assert main(["materialize", "--month", "2025-01", "--reland"]) == 0
    assert stamp(landing(tmp_path))[0][1] != before[0][1]
    assert "FINOPS_RELAND" not in os.environ  # asked of that run alone
    assert facts(mart_url) == FIRST

    assert main(["archive", "--before", "2025-02"]) == 0
    capsys.readouterr()
    # unchanged, but archived: landing it again is refused as before, not answered from elsewhere
    assert main(["materialize", "--month", "2025-01"]) == 1
    assert (
        f"cloud 2025-01 is archived in {tmp_path / 'archive' / 'cloud' / '2025-01'}"
        in capsys.readouterr().err
    )
    assert main(["archive", "--restore", "2025-01"]) == 0
    restored = stamp(landing(tmp_path))
    assert main(["materialize", "--month", "2025-01"]) == 0  # restored whole: kept as it is
    assert stamp(landing(tmp_path)) == restored
    assert facts(mart_url) == FIRST
