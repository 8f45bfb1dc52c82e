"""Every bad request is a 400 in problem details (RFC 9457) naming the parameter at fault."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]

pytestmark = pytest.mark.usefixtures("costs_mart")


async def problem(client: Client, path: str, params: dict[str, str]) -> dict[str, Any]:
    response = await client.get(path, params=params)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == 400
    assert body["type"] == "urn:finops:problem:invalid-parameters"
    assert body["title"] and body["detail"]
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [param["name"] for param in body["invalid_params"]]


@pytest.mark.parametrize("view", ["nope", "old", ""])  # unknown, soft-deleted, empty
async def test_unknown_view(client: Client, view: str) -> None:
    body = await problem(client, "/api/v1/costs", {"view": view})
    assert names(body) == ["view"]
    assert f"unknown pricing view {view!r}" in body["detail"]


@pytest.mark.parametrize("name", ["from", "to"])
@pytest.mark.parametrize(
    "value", ["2025-13", "2025-1", "25-01", "2025-01-01", "march", "2025-Q5", "2025-q1", "2025-Q"]
)
async def test_malformed_period(client: Client, name: str, value: str) -> None:
    body = await problem(client, "/api/v1/costs", {name: value})
    # Litestar rejects it against the parameter's pattern; the problem names the client's
    # `from`, not the handler's `from_`, and says what a period looks like
    assert names(body) == [name]
    assert body["invalid_params"][0]["reason"] == (
        "expected a month as YYYY-MM, a quarter as YYYY-Qn or a year as YYYY, e.g. 2025-03, 2025-Q1, 2025, "
        f"got {value!r}"
    )


async def test_both_months_malformed_are_both_named(client: Client) -> None:
    body = await problem(client, "/api/v1/costs", {"from": "x", "to": "y"})
    assert sorted(names(body)) == ["from", "to"]


async def test_from_after_to(client: Client) -> None:
    body = await problem(client, "/api/v1/costs", {"from": "2025-03", "to": "2025-01"})
    assert names(body) == ["from", "to"]
    assert "2025-03 is after to (2025-01)" in body["detail"]


@pytest.mark.parametrize("group_by", ["team", "month,team", "month, Application"])
async def test_unknown_group_by_key(client: Client, group_by: str) -> None:
    body = await problem(client, "/api/v1/costs", {"group_by": group_by})
    assert names(body) == ["group_by"]
    bad = group_by.split(",")[-1].strip()
    assert f"unknown key {bad!r}" in body["detail"]


async def test_malformed_load_month(client: Client) -> None:
    body = await problem(client, "/api/v1/loads", {"month": "2025-00"})
    assert names(body) == ["month"]
    assert "'2025-00'" in body["detail"]


async def test_unknown_owner_as_of(client: Client) -> None:
    body = await problem(client, "/api/v1/costs", {"owner_as_of": "yesterday"})
    assert names(body) == ["owner_as_of"]
    assert "'yesterday'" in body["detail"]


async def test_unknown_route_is_a_problem_too(client: Client) -> None:
    response = await client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body == {"type": "about:blank", "status": 404, "title": "Not Found", "detail": "Not Found"}
