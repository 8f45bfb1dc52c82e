"""A bounded schemathesis run against the real app's OpenAPI over real HTTP, authenticated as a
viewer (a Backstage user token) and as finance (a service token): every check, no server
error, no answer outside its documented schema."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import allow_header_conformance, positive_data_acceptance

from finops_api.app import create_app
from tests.api.auth_fixtures import CI_TOKEN, PAYMENTS_TEAM, auth_config, bearer, insert_owners
from tests.api.conftest import COST_LINES, insert_cost_lines, insert_pricing_views
from tests.api.fake_backstage import serve_fake_backstage
from tests.api.live_server import live_server
from tests.conftest import _create, _drop

if TYPE_CHECKING:  # schemathesis names its OpenAPI case type for type checkers only
    from schemathesis.specs.openapi.schemas import OpenApiCase

EXAMPLES_PER_OPERATION = 10
"""With 18 operations and two roles, a few hundred requests: about 90 s here."""
EXCLUDED = [positive_data_acceptance, allow_header_conformance]
"""Every other check runs. positive_data_acceptance expects every schema-valid request to be
accepted, but a schema cannot say "a pricing view that exists" or "exactly one of against and
against_period": those are 400s naming the field, by design. allow_header_conformance reads the
Allow header of Litestar's automatic OPTIONS answer, which lists only one handler of a path served
by two (GET and DELETE /pricing-views/{code})."""


@dataclass(frozen=True)
class Target:
    url: str
    headers: dict[str, dict[str, str]]
    """Role -> the Authorization header that authenticates as it."""


@pytest.fixture(scope="module")
def fuzz_target(admin_url: str, migrated_template: str) -> Iterator[Target]:
    """One mart, one fake Backstage and one server for the whole run (set up once, not per
    operation)."""
    name = f"finops_test_fuzz_{uuid.uuid4().hex[:10]}"
    url = _create(admin_url, name, template=migrated_template)
    try:
        insert_pricing_views(url)
        insert_cost_lines(url, COST_LINES)
        insert_owners(url)
        with (
            serve_fake_backstage() as backstage,
            live_server(create_app(url, api=auth_config(backstage.url))) as base,
        ):
            backstage.ownership = {"user:default/pat": ["user:default/pat", PAYMENTS_TEAM]}
            viewer = bearer(backstage.token("user:default/pat", exp=2**31 - 1))
            yield Target(base, {"viewer": viewer, "finance": bearer(CI_TOKEN)})
    finally:
        _drop(admin_url, name)


# The real app's OpenAPI, as GET /schema/openapi.json serves it (building the app needs no
# database and no Backstage: the schema does not depend on them).
_APP = create_app("postgresql://unused", api=auth_config("http://backstage.invalid"))
schema = schemathesis.openapi.from_dict(_APP.openapi_schema.to_schema())
# The tests send the role's token themselves (401s are tests/api/test_auth.py's): a negative case
# "without Authorization" would still carry it. Unknown query parameters are ignored, as HTTP
# APIs do; every declared parameter is still fuzzed with invalid values.
schema.config.generation.update(with_security_parameters=False, allow_extra_parameters=False)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_the_api_keeps_its_contract_for_a_viewer(case: OpenApiCase, fuzz_target: Target) -> None:
    case.call_and_validate(
        base_url=fuzz_target.url, headers=fuzz_target.headers["viewer"], excluded_checks=EXCLUDED
    )


@schema.parametrize()
@FUZZ_SETTINGS
def test_the_api_keeps_its_contract_for_finance(case: OpenApiCase, fuzz_target: Target) -> None:
    case.call_and_validate(
        base_url=fuzz_target.url, headers=fuzz_target.headers["finance"], excluded_checks=EXCLUDED
    )
