"""The batch vacuums the month partitions it rewrote (month_partitions.vacuum_month_partitions),
and only those: on the worked finance example (examples/), through the real asset graph, read
from PostgreSQL's own count of each partition's vacuums (set by VACUUM itself, at its end)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tests.pipeline import query
from tests.test_incremental_valuation import INVENTORY, corrected_cost, edit, example, materialize

OCTOBER = date(2026, 10, 1)
ROLLUPS = (
    "cost_by_application_family",
    "cost_by_application",
    "cost_by_owner_family",
    "cost_by_family",
    "cost_by_owner",
)


def vacuums(url: str) -> dict[str, int]:
    """Each October partition of the mart: how many times it was vacuumed."""
    rows = query(
        url,
        "SELECT relname, vacuum_count FROM pg_stat_user_tables"
        " WHERE schemaname = 'finops' AND relname LIKE '%%\\_2026\\_10'",
    )
    return {str(name).removesuffix("_2026_10"): int(count) for name, count in rows}


def test_a_month_written_once_is_not_vacuumed_and_a_rewritten_one_is(mart_url: str, tmp_path: Path) -> None:
    config = example(tmp_path)
    materialize(mart_url, tmp_path, config, OCTOBER)
    first = vacuums(mart_url)
    # nothing deleted, nothing to vacuum: a first load pays nothing for it
    assert set(first) >= {"fact_consumption", "cost_by_product", *ROLLUPS}
    assert set(first.values()) == {0}

    edit(tmp_path / "examples" / INVENTORY, corrected_cost)
    materialize(mart_url, tmp_path, config, OCTOBER)
    corrected = vacuums(mart_url)
    ((sources,),) = query(mart_url, "SELECT count(DISTINCT source) FROM finops.fact_consumption")
    # each source's load replaced its slice of the facts, then vacuumed the partition
    assert corrected["fact_consumption"] == sources
    # one product valued again: its rows deleted; each roll-up rebuilt its family's rows
    assert {table: corrected[table] for table in ("cost_by_product", *ROLLUPS)} == dict.fromkeys(
        ("cost_by_product", *ROLLUPS), 1
    )

    materialize(mart_url, tmp_path, config, OCTOBER)
    unchanged = vacuums(mart_url)
    assert unchanged["fact_consumption"] == 2 * sources  # the slices are loaded again
    # nothing valued again and no family rebuilt: only the two small roll-ups rebuilt whole
    assert {table: unchanged[table] - corrected[table] for table in ("cost_by_product", *ROLLUPS)} == {
        "cost_by_product": 0,
        "cost_by_application_family": 0,
        "cost_by_application": 0,
        "cost_by_owner_family": 0,
        "cost_by_family": 1,
        "cost_by_owner": 1,
    }
