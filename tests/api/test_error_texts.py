"""The tripwire for library upgrades: finops_api/errors.py reads field names and patterns out of
msgspec's and Litestar's message texts. Each path is pinned here on the real app; a reworded
message fails one of these tests instead of silently dropping the field from the 400."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.errors import _MISSING, _MISSING_FIELD, _PATTERN_MISMATCH
from finops_api.pricing_views.schemas import SimulationCreate

Client = AsyncTestClient[Litestar]
CREATE = "/api/v1/pricing-views/simulations"
BODY = {"code": "sim-x", "name": "x", "base_view": "actual"}

pytestmark = pytest.mark.usefixtures("costs_mart")


def test_msgspec_texts_still_match_the_parsers() -> None:
    with pytest.raises(msgspec.ValidationError) as missing:
        msgspec.convert({"name": "x", "base_view": "actual"}, SimulationCreate)
    assert _MISSING_FIELD.match(str(missing.value)), str(missing.value)
    with pytest.raises(msgspec.ValidationError) as pattern:
        msgspec.convert({**BODY, "code": "Bad"}, SimulationCreate)
    assert _PATTERN_MISMATCH.search(str(pattern.value).split(" - at ")[0]), str(pattern.value)


async def problem(response: Any, status: int = 400) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    return body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": "x", "base_view": "actual"}, [{"name": "code", "reason": "required field is missing"}]),
        (
            {**BODY, "adjustments": [{"kind": "percent", "value": "1"}]},
            [{"name": "adjustments[0].scope", "reason": "required field is missing"}],
        ),
        (
            {
                **BODY,
                "adjustments": [
                    {"scope": {"level": "family", "code": "vm"}, "kind": "percent", "value": "x"}
                ],
            },
            [
                {
                    "name": "adjustments[0].value",
                    "reason": 'expected a decimal number as a string in plain notation, e.g. "10" or "-2.5"',
                }
            ],
        ),
        ([1], [{"name": "body", "reason": "Expected `object`, got `array`"}]),
    ],
)
async def test_body_errors_name_the_field(client: Client, body: Any, expected: list[dict[str, str]]) -> None:
    assert (await problem(await client.post(CREATE, json=body)))["invalid_params"] == expected


async def test_query_errors_name_the_parameter(client: Client) -> None:
    missing = await problem(await client.get("/api/v1/mapping/coverage"))
    assert missing["invalid_params"] == [{"name": "month", "reason": "required query parameter is missing"}]
    assert _MISSING.match("Missing required query parameter 'month' for path /x")
    malformed = await problem(await client.get("/api/v1/mapping/coverage", params={"month": "2025-13"}))
    assert malformed["invalid_params"] == [
        {"name": "month", "reason": "expected a month as YYYY-MM, e.g. 2025-03, got '2025-13'"}
    ]


async def test_malformed_json_is_a_problem(client: Client) -> None:
    body = await problem(
        await client.post(CREATE, content=b"{", headers={"Content-Type": "application/json"})
    )
    assert body["type"] == "about:blank" and body["title"] == "Bad Request"


@pytest.mark.parametrize(
    ("method", "path", "status", "detail"),
    [
        ("GET", "/api/v1/no-such-endpoint", 404, "Not Found"),
        ("GET", "/api/v1/pricing-views/nope", 404, "unknown pricing view 'nope'"),
        ("PUT", "/api/v1/costs", 405, "Method Not Allowed"),
    ],
)
async def test_http_errors_are_whole_problems(
    client: Client, method: str, path: str, status: int, detail: str
) -> None:
    body = await problem(await client.request(method, path), status)
    assert body == {"type": "about:blank", "title": body["title"], "status": status, "detail": detail}


async def test_values_the_database_cannot_store_are_400(client: Client) -> None:
    in_query = await problem(await client.get("/api/v1/costs", params={"product": "vm\x00small"}))
    assert in_query["invalid_params"] == [{"name": "product", "reason": "must not contain NUL characters"}]
    # the export streams: refused before its answer starts (schemathesis found it cut short)
    exported = await problem(await client.get("/api/v1/costs/export", params={"application": "\x00"}))
    nul = "must not contain NUL characters"
    assert exported["invalid_params"] == [{"name": "application", "reason": nul}]
    in_body = await problem(await client.post(CREATE, json={**BODY, "name": "a\x00b"}))
    assert [param["name"] for param in in_body["invalid_params"]] == ["body"]
    assert "cannot store" in in_body["invalid_params"][0]["reason"]
