"""GET /api/v1/me under each authentication mode and for each role: who the API takes the caller
for, and whether what it says the caller may do is what the guarded endpoints then allow."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from finops_api.app import create_app
from finops_core.api_config import ApiConfig, AuthConfig, ServiceToken
from tests.api.auth_fixtures import ADMINS, CI_TOKEN, FINANCE, PAYMENTS_TEAM, VIEWER_TOKEN, bearer
from tests.api.fake_backstage import FakeBackstage

Client = AsyncTestClient[Litestar]
ME = "/api/v1/me"
VIEWER_CAN = {"sees_every_application": False, "can_write_simulations": False, "can_read_loads": False}
FINANCE_CAN = {"sees_every_application": True, "can_write_simulations": True, "can_read_loads": False}
ADMIN_CAN = {"sees_every_application": True, "can_write_simulations": True, "can_read_loads": True}


async def me(client: Client, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.get(ME, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def assert_rights_are_enforced(client: Client, headers: dict[str, str], body: dict[str, Any]) -> None:
    """What /me says is what the guards do: deleting an unknown view is 404 for a writer (the
    guard let it through) and 403 for anyone else; the load audit is 200 or 403."""
    deleted = await client.delete("/api/v1/pricing-views/sim-nowhere", headers=headers)
    assert deleted.status_code == (404 if body["can_write_simulations"] else 403), deleted.text
    loads = await client.get("/api/v1/loads", headers=headers)
    assert loads.status_code == (200 if body["can_read_loads"] else 403), loads.text


@pytest.mark.parametrize(
    ("name", "refs", "role", "rights"),
    [
        ("pat", [PAYMENTS_TEAM], "viewer", VIEWER_CAN),
        ("fiona", [FINANCE], "finance", FINANCE_CAN),
        ("ada", [ADMINS], "admin", ADMIN_CAN),
    ],
)
async def test_backstage_users(
    auth_client: Client,
    backstage: FakeBackstage,
    name: str,
    refs: list[str],
    role: str,
    rights: dict[str, bool],
) -> None:
    headers = bearer(backstage.token(f"user:default/{name}"))
    body = await me(auth_client, headers)
    subject = f"user:default/{name}"
    assert body == {
        "subject": subject,
        "role": role,
        "authentication": "backstage",
        "ownership_refs": sorted([*refs, subject]),
        **rights,
    }
    await assert_rights_are_enforced(auth_client, headers, body)


async def test_service_tokens_under_backstage_mode(auth_client: Client) -> None:
    ci = await me(auth_client, bearer(CI_TOKEN))
    assert ci == {
        "subject": "service:ci",
        "role": "finance",
        "authentication": "backstage",
        "ownership_refs": [],
        **FINANCE_CAN,
    }
    await assert_rights_are_enforced(auth_client, bearer(CI_TOKEN), ci)
    report = await me(auth_client, bearer(VIEWER_TOKEN))
    assert report == {
        "subject": "service:payments-report",
        "role": "viewer",
        "authentication": "backstage",
        "ownership_refs": [PAYMENTS_TEAM],
        **VIEWER_CAN,
    }
    await assert_rights_are_enforced(auth_client, bearer(VIEWER_TOKEN), report)


async def test_without_a_token_me_is_401(auth_client: Client) -> None:
    response = await auth_client.get(ME)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="finops"'


async def test_tokens_mode(mart_url: str) -> None:
    token = "ops-admin-token-0123456789"
    digest = hashlib.sha256(token.encode()).hexdigest()
    config = ApiConfig(
        auth=AuthConfig(
            mode="tokens",
            service_tokens=[ServiceToken(subject="service:ops", role="admin", sha256=digest)],
        )
    )
    async with AsyncTestClient(app=create_app(mart_url, api=config)) as client:
        body = await me(client, bearer(token))
        assert body == {
            "subject": "service:ops",
            "role": "admin",
            "authentication": "tokens",
            "ownership_refs": [],
            **ADMIN_CAN,
        }
        await assert_rights_are_enforced(client, bearer(token), body)
        assert (await client.get(ME, headers=bearer("a-user-token-is-not-enough"))).status_code == 401


async def test_mode_none_is_anonymous_and_may_do_everything(client: Client) -> None:
    body = await me(client, {})
    assert body == {
        "subject": "anonymous",
        "role": "admin",
        "authentication": "none",
        "ownership_refs": [],
        **ADMIN_CAN,
    }
    await assert_rights_are_enforced(client, {}, body)
