"""Issue 13, item 5: inputs the database cannot take are the client's 400s, and an error of
ours is a problem+json 500 too, never a bare text page."""

from __future__ import annotations

import psycopg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.api.test_error_texts import problem

Client = AsyncTestClient[Litestar]

pytestmark = pytest.mark.usefixtures("costs_mart")


@pytest.mark.parametrize(
    ("path", "params", "name"),
    [
        ("/api/v1/costs", {"from": "0000-01"}, "from"),
        ("/api/v1/costs", {"to": "0000-12"}, "to"),
        ("/api/v1/loads", {"month": "0000-01"}, "month"),
        ("/api/v1/costs", {"application": "pay\x00ments"}, "application"),
    ],
)
async def test_year_zero_and_nul_bytes_are_400_naming_the_parameter(
    client: Client, path: str, params: dict[str, str], name: str
) -> None:
    body = await problem(await client.get(path, params=params))
    assert [param["name"] for param in body["invalid_params"]] == [name]


async def test_an_error_of_ours_is_a_problem_500(client: Client, costs_mart: str) -> None:
    with psycopg.connect(costs_mart) as conn:  # a read model that fails when read
        conn.execute("ALTER TABLE finops.cost_by_product RENAME TO cost_by_product_kept")
        conn.execute(
            "CREATE FUNCTION finops.fail() RETURNS boolean LANGUAGE plpgsql"
            " AS $$BEGIN RAISE EXCEPTION 'a read model that fails'; END$$"
        )
        conn.execute(
            "CREATE VIEW finops.cost_by_product AS"
            " SELECT * FROM finops.cost_by_product_kept WHERE finops.fail()"
        )
    body = await problem(await client.get("/api/v1/costs", params={"group_by": "product"}), 500)
    assert body["title"] == "Internal Server Error"

    with psycopg.connect(costs_mart) as conn:  # gone: a schema that is not this release's
        conn.execute("DROP VIEW finops.cost_by_product")
    body = await problem(await client.get("/api/v1/costs", params={"group_by": "product"}), 503)
    assert body["detail"].startswith("the database's schema is not this release's")
