"""A month whose layers disagree is named stale by every cost answer that includes it, and by
/health; answers that do not include it do not name it (COST_LINES: 2025-01 to 2025-03).
tests/test_atomic_publish.py produces such months by killing real runs; here the versions a
stopped run leaves are written directly."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.conftest import get_ok, settled

Client = AsyncTestClient[Litestar]
REASON = (
    "not rebuilt since its consumption was reloaded: valuation, cost views; a run stopped before "
    "publishing the month; materialize 2025-02 again"
)
STALE = [{"month": "2025-02", "reason": REASON}]


@pytest.fixture
def stale_february(costs_mart: str) -> str:
    """February loaded and allocated again (version 3), then the run stopped; March whole."""
    with psycopg.connect(costs_mart) as conn:
        conn.execute(
            "INSERT INTO finops.month_publication (month, consumption_version, allocation_version,"
            " valuation_version, cost_views_version)"
            " VALUES ('2025-02-01', 3, 3, 2, 2), ('2025-03-01', 1, 1, 1, 1)"
        )
    return costs_mart


def stale(body: dict[str, Any]) -> list[dict[str, str]]:
    return list(body.get("stale_months", []))


@pytest.mark.usefixtures("stale_february")
async def test_every_answer_including_the_month_names_it_stale(client: Client) -> None:
    assert stale(await get_ok(client, "/api/v1/costs", group_by="month")) == STALE
    assert stale(await get_ok(client, "/api/v1/costs", group_by="year", view="actual")) == STALE
    compare = await get_ok(client, "/api/v1/costs/compare", against="budget", group_by="month")
    assert stale(compare) == STALE
    # March against February: the against side reads February
    variance = await get_ok(
        client,
        "/api/v1/costs/variance",
        against_period="previous_month",
        **{"from": "2025-03", "to": "2025-03"},
    )
    assert stale(variance) == STALE
    export = await client.get("/api/v1/costs/export", params={"group_by": "month"})
    assert export.status_code == 200
    assert export.headers["finops-stale-months"] == "2025-02"
    explain = await get_ok(client, "/api/v1/allocations/explain", application="payments", month="2025-02")
    assert stale(explain) == STALE
    health = await get_ok(client, "/api/v1/health")
    assert health["stale_months"] == STALE


@pytest.mark.usefixtures("stale_february")
async def test_answers_without_the_month_do_not_name_it(client: Client) -> None:
    for months in ({"from": "2025-01", "to": "2025-01"}, {"from": "2025-03", "to": "2025-03"}):
        body = await get_ok(client, "/api/v1/costs", group_by="month", **months)
        assert "stale_months" not in body
    compare = await get_ok(
        client,
        "/api/v1/costs/compare",
        against_period="previous_month",
        **{"from": "2025-01", "to": "2025-01"},
    )
    assert "stale_months" not in compare
    export = await client.get("/api/v1/costs/export", params={"from": "2025-03", "to": "2025-03"})
    assert "finops-stale-months" not in export.headers
    assert "stale_months" not in await get_ok(client, "/api/v1/mapping/coverage", month="2025-03")


async def test_mapping_coverage_names_its_month_stale(client: Client, costs_mart: str) -> None:
    # (February's coverage is a 500 on COST_LINES, whose unpriced row it cannot total: not a
    # matter of publication; March is used instead)
    with psycopg.connect(costs_mart) as conn:
        conn.execute(
            "INSERT INTO finops.month_publication (month, consumption_version) VALUES ('2025-03-01', 1)"
        )
    coverage = await get_ok(client, "/api/v1/mapping/coverage", month="2025-03")
    assert [m["month"] for m in stale(coverage)] == ["2025-03"]
    assert [row["source"] for row in coverage["rows"]] == ["aws"]


@pytest.mark.usefixtures("costs_mart")
async def test_the_month_is_no_longer_stale_once_its_cost_views_are_rebuilt(
    client: Client, costs_mart: str
) -> None:
    with psycopg.connect(costs_mart) as conn:
        conn.execute(
            "INSERT INTO finops.month_publication (month, consumption_version, allocation_version,"
            " valuation_version, cost_views_version) VALUES ('2025-02-01', 2, 1, 1, 1)"
        )
    before = await client.get("/api/v1/costs", params={"group_by": "month"})
    assert [m["month"] for m in before.json()["stale_months"]] == ["2025-02"]
    with psycopg.connect(costs_mart) as conn:
        for layer in ("allocation", "valuation", "cost_views"):  # as the three steps record
            conn.execute(
                f"UPDATE finops.month_publication SET {layer}_version = 2,"
                " revision = nextval('finops.month_publication_revision')"
            )
    await settled(client, costs_mart)
    after = await client.get(
        "/api/v1/costs", params={"group_by": "month"}, headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200  # the cached answer named a stale month: not 304
    assert "stale_months" not in after.json()
    assert (await get_ok(client, "/api/v1/health"))["stale_months"] == []


@pytest.mark.usefixtures("costs_mart")
async def test_stale_months_kept_per_data_version_follow_each_answer_and_each_change(
    client: Client, costs_mart: str
) -> None:
    # the stale months are kept per data version (finops_api/version_memo.py): every stale month,
    # then those of each answer's months; a change of month_publication is a new version
    assert "stale_months" not in await get_ok(client, "/api/v1/costs", group_by="month")
    with psycopg.connect(costs_mart) as conn:  # February reloaded, as record_load.sql writes it
        conn.execute(
            "INSERT INTO finops.month_publication (month, consumption_version, allocation_version,"
            " valuation_version, cost_views_version) VALUES ('2025-02-01', 3, 3, 2, 2)"
        )
    await settled(client, costs_mart)
    # one version, answers over different months: each names only its own
    march = await get_ok(client, "/api/v1/costs", group_by="month", **{"from": "2025-03", "to": "2025-03"})
    assert "stale_months" not in march
    assert stale(await get_ok(client, "/api/v1/costs", group_by="month")) == STALE
    march = await get_ok(client, "/api/v1/costs", group_by="month", **{"from": "2025-03", "to": "2025-03"})
    assert "stale_months" not in march
    explain = await get_ok(client, "/api/v1/allocations/explain", application="payments", month="2025-02")
    assert stale(explain) == STALE
    assert (await get_ok(client, "/api/v1/health"))["stale_months"] == STALE
