"""The Backstage sync fed answers it cannot use: each entity that cannot be mapped is reported and
kept as it was in the mart while the others sync; an answer that is not the catalog API's wire
format fails in one line naming the URL, and nothing in the mart is withdrawn or written wrong."""

from __future__ import annotations

import gzip
import json
from datetime import date
from http.server import BaseHTTPRequestHandler
from typing import Any

import psycopg
import pytest

from finops_assets.referentials.backstage.client import BackstageError
from finops_assets.referentials.backstage.mapping import full_ref
from finops_assets.referentials.backstage.sync import apply_backstage, backstage_token, read_backstage
from finops_core.config import ConfigError
from finops_core.sql import sql_text
from tests.backstage_catalog import (
    COMPONENTS,
    EXPECTED_APPLICATIONS,
    EXPECTED_GROUPS,
    GROUPS,
    TOKEN,
    FakeBackstage,
    applications,
    component,
    everything,
    group,
    groups,
    run_asset,
    settings,
)
from tests.backstage_catalog import backstage as backstage  # the fake catalog fixture

JANUARY = date(2025, 1, 1)
MARCH = date(2025, 3, 1)
BEGINNING = date(1900, 1, 1)


def synced(mart_url: str, backstage: FakeBackstage) -> None:
    """The mart as the good catalog of test_backstage_sync makes it, in January."""
    apply_backstage(mart_url, read_backstage(settings(backstage.url), TOKEN), JANUARY)


def replaced(entities: list[dict[str, Any]], name: str, entity: dict[str, Any]) -> list[dict[str, Any]]:
    return [entity if e["metadata"]["name"] == name else e for e in entities]


def test_entities_with_unusable_owners_are_reported_and_kept(
    mart_url: str, backstage: FakeBackstage, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced(mart_url, backstage)
    components = replaced(COMPONENTS, "payments", component("payments", ["payments-team"]))  # type: ignore[arg-type]
    components = replaced(components, "search", component("search", ""))
    components = replaced(
        components,
        "billing-api",
        component(
            "billing-api", "component:default/x", metadata={"annotations": {"finops/application": "billing"}}
        ),
    )
    # the others still sync: checkout is re-owned, a new application with a good owner arrives
    components = replaced(components, "checkout", component("checkout", "group:shop/web", namespace="shop"))
    components += [
        component("fresh", "group:"),
        component("spaced", "payments team"),
        component("ok", "équipe"),
    ]  # unicode is fine
    backstage.entities["component"] = components
    monkeypatch.setenv("BACKSTAGE_TOKEN", TOKEN)

    result = run_asset(settings(backstage.url), mart_url)

    [event] = result.get_asset_materialization_events()
    assert event.materialization.metadata["entities_skipped"].value == [
        "component:default/billing-api: spec.owner 'component:default/x' is not a group or a user; "
        "billing kept as it was",
        "component:default/fresh: spec.owner 'group:' is not an entity ref ([kind:][namespace/]name); "
        "fresh kept as it was",
        "component:default/payments: spec.owner is ['payments-team'], not an entity ref; "
        "payments kept as it was",
        "component:default/search: spec.owner is '', not an entity ref; search kept as it was",
        "component:default/spaced: spec.owner 'payments team' is not an entity ref "
        "([kind:][namespace/]name); spaced kept as it was",
    ]
    now = date.today().replace(day=1)  # the run's month: the asset is not partitioned
    january = [(*row, BEGINNING, None, False, False) for row in EXPECTED_APPLICATIONS]
    checkout = EXPECTED_APPLICATIONS[1]
    assert applications(mart_url) == [
        january[0],
        (*checkout, BEGINNING, now, False, False),
        (*checkout[:2], "group:shop/web", *checkout[3:], now, None, False, False),
        ("ok", "ok", "group:default/équipe", None, "component:default/ok", "production",
         BEGINNING, None, False, False),
        *january[2:],
    ]  # fmt: skip
    assert len(groups(mart_url)) == 3


def test_fields_of_the_wrong_type_are_reported_per_entity(mart_url: str, backstage: FakeBackstage) -> None:
    synced(mart_url, backstage)
    before = everything(mart_url)
    payments = component("payments", "payments-team", metadata={"title": 42})
    search = component("search", "search-team", lifecycle=["experimental"])
    billing = component("billing-api", "user:default/jdoe", metadata={"annotations": {
        "finops/application": "billing", "finops/cost-center": 1042}})  # fmt: skip
    checkout = {"kind": "Component", "metadata": {"name": "checkout", "namespace": "shop"}, "spec": None}
    backstage.entities["component"] = [payments, search, billing, checkout, COMPONENTS[3]]
    backstage.entities["group"] = [
        group("payments-team", [{"name": "alice"}], []),  # type: ignore[list-item]
        group("search-team", "dan", []),  # type: ignore[arg-type]  # a string, not a list
        {"kind": "Group", "metadata": {"name": "engineering"},
         "relations": [{"type": "hasMember", "targetRef": 7}]},
        group("ops", [], ["user:default/nul\x00"]),
    ]  # fmt: skip

    snapshot = read_backstage(settings(backstage.url), TOKEN)

    assert snapshot.problems == [
        "component:default/billing-api: annotation finops/cost-center is int, expected a string; "
        "billing kept as it was",
        "component:default/payments: metadata.title is int, expected a string; payments kept as it was",
        "component:default/search: spec.lifecycle is list, expected a string; search kept as it was",
        "component:shop/checkout: spec is NoneType, expected an object; checkout kept as it was",
        "group:default/engineering: relations[0].targetRef is int, expected a string; "
        "group:default/engineering kept as it was",
        "group:default/ops: relations[0].targetRef 'user:default/nul\\x00' holds control characters; "
        "group:default/ops kept as it was",
        "group:default/payments-team: spec.members[0] is dict, expected a string; "
        "group:default/payments-team kept as it was",
        "group:default/search-team: spec.members is str, expected a list; "
        "group:default/search-team kept as it was",
    ]  # fmt: skip
    assert (snapshot.applications, snapshot.groups) == ([], [])
    assert apply_backstage(mart_url, snapshot, MARCH) == {"dim_application": 0, "dim_group": 0}
    assert everything(mart_url) == before


def test_a_wrong_owner_is_not_written_over_a_good_one(mart_url: str, backstage: FakeBackstage) -> None:
    synced(mart_url, backstage)
    backstage.entities["component"] = replaced(COMPONENTS, "search", component("search", "a/b/c"))
    snapshot = read_backstage(settings(backstage.url), TOKEN)
    assert snapshot.problems == [
        "component:default/search: spec.owner 'a/b/c' is not an entity ref ([kind:][namespace/]name); "
        "search kept as it was"
    ]
    apply_backstage(mart_url, snapshot, MARCH)
    assert [row[:3] + row[6:8] for row in applications(mart_url) if row[0] == "search"] == [
        ("search", "search", "group:default/search-team", BEGINNING, None)
    ]


def test_group_entities_answered_for_the_application_kind_fail(
    mart_url: str, backstage: FakeBackstage
) -> None:
    backstage.entities["component"] = [*COMPONENTS, GROUPS[2]]
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(backstage.url), TOKEN)
    assert str(error.value) == (
        f"Backstage at {backstage.url} answered /api/catalog/entities/by-query (kind=component, page 3) "
        "with group:default/engineering, not a Component: the filter was not applied"
    )


def test_annotations_that_are_not_an_object_fail_naming_the_entity(backstage: FakeBackstage) -> None:
    backstage.entities["component"] = [*COMPONENTS, component("x", "t", metadata={"annotations": ["a"]})]
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(backstage.url), TOKEN)
    assert str(error.value) == "component:default/x: metadata.annotations is list, expected an object"


def test_an_empty_group_answer_keeps_the_groups(mart_url: str, backstage: FakeBackstage) -> None:
    synced(mart_url, backstage)
    before = everything(mart_url)
    backstage.entities["group"] = []
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(backstage.url), TOKEN)
    assert str(error.value) == (
        f"Backstage at {backstage.url} has no entities for filter kind=group although 3 applications "
        "are owned by groups (checkout, payments, search): refusing to soft-delete every group"
    )
    assert everything(mart_url) == before
    assert [row[:4] for row in groups(mart_url)] == EXPECTED_GROUPS


class Scripted:
    """The fake catalog's server answering GET by-query with `answer(n)`'s (status, headers, body)
    for its n-th request, however far from the wire format that is."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.requests: list[str] = []
        self.answer: Any = None


@pytest.fixture
def scripted(backstage: FakeBackstage) -> Scripted:
    fake = Scripted(backstage.url)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fake.requests.append(self.path)
            status, headers, body = fake.answer(len(fake.requests))
            self.send_response(status)
            for name, value in {"Content-Length": str(len(body)), **headers}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    backstage.server.RequestHandlerClass = Handler  # the server and its thread stay the fixture's
    return fake


JSON = {"Content-Type": "application/json"}


def page(items: list[dict[str, Any]], cursor: str | None, total: int | None = None) -> bytes:
    info = {"nextCursor": cursor} if cursor else {}
    return json.dumps({"items": items, "pageInfo": info, **({"totalItems": total} if total else {})}).encode()


def cursor(n: int) -> str | None:
    """A new cursor for the first 49 pages: the old client followed them all."""
    return f"c{n}" if n < 50 else None


@pytest.mark.parametrize(
    ("answer", "message", "requests"),
    [
        (
            lambda n: page([], cursor(n)),
            "answered page 1 of kind=component with no entities but a next cursor: its paging does "
            "not advance",
            1,
        ),
        (
            lambda n: page([component("a", "t")], cursor(n)),
            "returned component:default/a twice (kind=component, page 2): its paging does not advance",
            2,
        ),
        (
            lambda n: page([component(f"a{n}", "t")], cursor(n), total=1),
            ": read 2 entities for kind=component but the catalog announced totalItems=1 (it changed while "
            "it was read?); run the sync again",
            2,
        ),
    ],
    ids=["empty pages", "entities repeated", "more than totalItems"],
)
def test_paging_that_does_not_advance_stops_at_once(
    scripted: Scripted, answer: Any, message: str, requests: int
) -> None:
    scripted.answer = lambda n: (200, JSON, answer(n))
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(scripted.url), TOKEN)
    separator = "" if message.startswith(":") else " "
    assert str(error.value) == f"Backstage at {scripted.url}{separator}{message}"
    assert len(scripted.requests) == requests


def test_an_html_error_page_fails_in_one_line(scripted: Scripted) -> None:
    html = b"<html>\n  <body>\n    <h1>502 Bad Gateway</h1>\n  </body>\n</html>\n"
    scripted.answer = lambda n: (502, {"Content-Type": "text/html"}, html)
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(scripted.url), TOKEN)
    assert str(error.value) == (
        f"Backstage at {scripted.url} answered HTTP 502 to /api/catalog/entities/by-query: "
        "<html> <body> <h1>502 Bad Gateway</h1> </body> </html>"
    )
    assert error.value.transient


def test_a_body_not_in_its_encoding_fails_clearly(scripted: Scripted) -> None:
    good = gzip.compress(page([component("a", "t")], None))
    scripted.answer = lambda n: (200, {**JSON, "Content-Encoding": "gzip"}, good[:10] + b"garbage")
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(scripted.url), TOKEN)
    assert str(error.value).startswith(
        f"Backstage at {scripted.url} answered /api/catalog/entities/by-query with a body that could not "
        "be read: "
    )
    assert "\n" not in str(error.value)


def test_a_token_with_characters_a_header_cannot_carry_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BACKSTAGE_TOKEN", "s3cret\u2011token")  # a non-breaking hyphen, pasted
    with pytest.raises(ConfigError) as error:
        backstage_token(settings("http://127.0.0.1:9"))  # before: httpx's UnicodeEncodeError
    assert str(error.value) == (
        "backstage.token_env: the environment variable BACKSTAGE_TOKEN holds characters a token cannot "
        "have (non-ASCII, blanks or controls); check what was pasted into it"
    )


@pytest.mark.parametrize("text", ["a/b/c", "payments team", "1x:default/y"])
def test_odd_refs_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not an entity ref"):
        full_ref(text, "group", "default")


def test_refs_are_stored_lower_cased_so_owners_join_their_groups(
    mart_url: str, backstage: FakeBackstage
) -> None:
    """Backstage matches refs whatever their case: an owner written `Payments-Team` is the group
    `payments-team`, and its application weighs that group's members in backstage:team_size."""
    backstage.entities["component"] = [
        component("payments", "Payments-Team"),
        component("search", "group:Default/Search-Team"),
        component(
            "billing-api", "User:default/JDoe", metadata={"annotations": {"finops/application": "billing"}}
        ),
        component("Checkout", "checkout-team", namespace="Shop"),
    ]
    backstage.entities["group"] = [
        group("Payments-Team", ["Alice", "user:default/alice"], ["user:default/ALICE", "user:default/bob"]),
        group("search-team", [], ["user:default/dan"], parent="Engineering"),
        group("engineering", [], []),
    ]
    apply_backstage(mart_url, read_backstage(settings(backstage.url), TOKEN), JANUARY)

    assert [row[:5] for row in applications(mart_url)] == [
        ("Checkout", "Checkout", "group:shop/checkout-team", None, "component:shop/checkout"),
        ("billing", "billing-api", "user:default/jdoe", None, "component:default/billing-api"),
        ("payments", "payments", "group:default/payments-team", None, "component:default/payments"),
        ("search", "search", "group:default/search-team", None, "component:default/search"),
    ]  # the application code stays as written: it is ours, not a ref
    assert [row[:4] for row in groups(mart_url)] == [
        ("group:default/engineering", "engineering", None, 0),
        ("group:default/payments-team", "Payments-Team", None, 2),  # alice once, whatever her case
        ("group:default/search-team", "search-team", "group:default/engineering", 1),
    ]
    with psycopg.connect(mart_url) as conn:
        weights = conn.execute(
            sql_text("batch/allocation/weights_team_size.sql").encode(), {"month": JANUARY}
        )
        assert weights.fetchall() == [("payments", 2), ("search", 1)]
