"""Authentication on, against a fake Backstage (tests/api/fake_backstage.py): the config, the
owners and the tokens the auth tests use (their fixtures are in conftest.py)."""

from __future__ import annotations

import hashlib

import psycopg

from finops_core.api_config import ApiConfig, AuthConfig, BackstageAuth, ServiceToken

PAYMENTS_TEAM = "group:default/payments-team"
BILLING_TEAM = "group:default/billing-team"
FINANCE = "group:default/finance"
ADMINS = "group:default/platform-admins"
CI_TOKEN = "ci-secret-token-0123456789"
VIEWER_TOKEN = "payments-script-token-0123456789"


def auth_config(backstage_url: str, organisation_totals: bool = False) -> ApiConfig:
    return ApiConfig(
        auth=AuthConfig(
            mode="backstage",
            backstage=BackstageAuth(base_url=backstage_url, jwks_refetch_cooldown_seconds=0),
            roles={"finance": [FINANCE], "admin": [ADMINS]},
            service_tokens=[
                ServiceToken(
                    subject="service:ci", role="finance", sha256=hashlib.sha256(CI_TOKEN.encode()).hexdigest()
                ),
                ServiceToken(
                    subject="service:payments-report",
                    role="viewer",
                    sha256=hashlib.sha256(VIEWER_TOKEN.encode()).hexdigest(),
                    ownership_refs=[PAYMENTS_TEAM],
                ),
            ],
            organisation_totals=organisation_totals,
        )
    )


def insert_owners(database_url: str) -> None:
    """payments is the payments team's, billing the billing team's (their current versions)."""
    with psycopg.connect(database_url) as conn:
        conn.execute(
            "INSERT INTO finops.dim_application (application_code, name, owner) VALUES"
            " ('payments', 'Payments', %s), ('billing', 'Billing', %s)",
            [PAYMENTS_TEAM, BILLING_TEAM],
        )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
