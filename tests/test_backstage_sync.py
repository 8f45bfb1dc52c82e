"""The Backstage catalog sync, against a local HTTP server that answers like the catalog API
(tests/backstage_catalog.py)."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path

import msgspec
import pytest
from dagster import AssetKey, Backoff, Failure, RetryPolicy, materialize

from finops_assets.graph import build_definitions
from finops_assets.referentials.assets import catalog_asset
from finops_assets.referentials.backstage.assets import backstage_asset
from finops_assets.referentials.backstage.client import BackstageError
from finops_assets.referentials.backstage.mapping import full_ref
from finops_assets.referentials.backstage.sync import apply_backstage, read_backstage
from finops_assets.referentials.catalog import apply_catalog, read_catalog
from finops_assets.resources import MartResource
from finops_core.config import BackstageConfig, ConfigError, PlatformConfig, load_config
from tests.backstage_catalog import (
    APP_FIELDS,
    BEGINNING,
    COMPONENTS,
    EXPECTED_APPLICATIONS,
    EXPECTED_GROUPS,
    GROUP_FIELDS,
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
from tests.pipeline import query


def test_the_sync_pages_through_all_entities(
    mart_url: str, backstage: FakeBackstage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKSTAGE_TOKEN", TOKEN)
    result = run_asset(settings(backstage.url), mart_url)

    assert result.success
    assert applications(mart_url) == [(*row, BEGINNING, None, False, False) for row in EXPECTED_APPLICATIONS]
    assert groups(mart_url) == [(*row, BEGINNING, None, False) for row in EXPECTED_GROUPS]
    assert backstage.requests == [
        {"filter": "kind=component", "limit": "2", "fields": APP_FIELDS},
        {"cursor": "component:2", "limit": "2", "fields": APP_FIELDS},
        {"cursor": "component:4", "limit": "2", "fields": APP_FIELDS},
        {"filter": "kind=group", "limit": "2", "fields": GROUP_FIELDS},
        {"cursor": "group:2", "limit": "2", "fields": GROUP_FIELDS},
    ]
    [event] = result.get_asset_materialization_events()
    metadata = event.materialization.metadata
    assert {key: value.value for key, value in metadata.items() if key != "effective_month"} == {
        "entities_read": 8,
        "pages": 5,
        "applications": 4,
        "groups": 3,
        "application_versions_changed": 4,
        "group_versions_changed": 3,
    }


def test_a_later_sync_versions_what_changed(mart_url: str, backstage: FakeBackstage) -> None:
    config = settings(backstage.url)
    log: list[str] = []
    assert apply_backstage(mart_url, read_backstage(config, TOKEN, log.append), date(2025, 1, 1)) == {
        "dim_application": 4,
        "dim_group": 3,
    }
    assert log == [
        "Backstage Component: page 1, 2 entities (2 of 5 read)",
        "Backstage Component: page 2, 2 entities (4 of 5 read)",
        "Backstage Component: page 3, 1 entities (5 of 5 read)",
        "Backstage Group: page 1, 2 entities (2 of 3 read)",
        "Backstage Group: page 2, 1 entities (3 of 3 read)",
    ]
    backstage.entities["component"] = [
        component("search", "payments-team", lifecycle="experimental")
        if c["metadata"]["name"] == "search"
        else c
        for c in COMPONENTS
        if c["metadata"]["name"] != "checkout"
    ]
    backstage.entities["group"] = [
        group("search-team", [], ["user:default/dan", "user:default/erin"], parent="engineering")
        if g["metadata"]["name"] == "search-team"
        else g
        for g in GROUPS
    ]
    snapshot = read_backstage(config, TOKEN)
    # search re-owned (close + open), checkout gone (soft delete); search-team grew (close + open)
    assert apply_backstage(mart_url, snapshot, date(2025, 3, 1)) == {"dim_application": 3, "dim_group": 2}
    assert apply_backstage(mart_url, snapshot, date(2025, 3, 1)) == {"dim_application": 0, "dim_group": 0}

    march = date(2025, 3, 1)
    assert [row[:3] + row[6:9] for row in applications(mart_url)] == [
        ("billing", "billing-api", "user:default/jdoe", BEGINNING, None, False),
        ("checkout", "checkout", "group:shop/checkout-team", BEGINNING, march, True),
        ("payments", "Payments", "group:default/payments-team", BEGINNING, None, False),
        ("search", "search", "group:default/search-team", BEGINNING, march, False),
        ("search", "search", "group:default/payments-team", march, None, False),
    ]
    assert [row[0:1] + row[3:] for row in groups(mart_url)] == [
        ("group:default/engineering", 0, BEGINNING, None, False),
        ("group:default/payments-team", 3, BEGINNING, None, False),
        ("group:default/search-team", 1, BEGINNING, march, False),
        ("group:default/search-team", 2, march, None, False),
    ]


def test_a_refused_token_fails_and_keeps_the_old_referential(
    mart_url: str, backstage: FakeBackstage, monkeypatch: pytest.MonkeyPatch
) -> None:
    apply_backstage(mart_url, read_backstage(settings(backstage.url), TOKEN), date(2025, 1, 1))
    before = everything(mart_url)
    backstage.requests.clear()

    monkeypatch.setenv("FINOPS_BACKSTAGE", "wrong-token")
    with pytest.raises(Failure) as error:  # not retried: a minute later the token is as wrong
        run_asset(settings(backstage.url, token_env="FINOPS_BACKSTAGE"), mart_url)

    assert error.value.description == (
        f"Backstage at {backstage.url} refused the token (HTTP 401): check FINOPS_BACKSTAGE"
    )
    assert len(backstage.requests) == 1
    assert everything(mart_url) == before
    assert len(before["applications"]) == 4 and len(before["groups"]) == 3


def test_a_failure_on_a_later_page_writes_nothing(mart_url: str, backstage: FakeBackstage) -> None:
    apply_backstage(mart_url, read_backstage(settings(backstage.url), TOKEN), date(2025, 1, 1))
    before = everything(mart_url)
    backstage.entities["group"] = [*GROUPS, {"kind": "Group", "metadata": {"title": "no name"}}]

    with pytest.raises(BackstageError) as error:
        apply_backstage(mart_url, read_backstage(settings(backstage.url), TOKEN), date(2025, 3, 1))

    assert str(error.value) == (
        f"Backstage at {backstage.url} answered /api/catalog/entities/by-query with an unexpected shape: "
        "Object missing required field `name` - at `$.items[1].metadata`"
    )
    assert everything(mart_url) == before


def test_an_unreachable_catalog_fails_clearly(mart_url: str) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(f"http://127.0.0.1:{port}"), TOKEN)
    assert str(error.value) == (
        f"Backstage at http://127.0.0.1:{port} is unreachable: [Errno 111] Connection refused"
    )
    assert error.value.transient  # after the client's own connection retries: Dagster's retry policy


def test_a_catalog_changing_while_read_fails(mart_url: str, backstage: FakeBackstage) -> None:
    backstage.extra_total = 1
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(backstage.url), TOKEN)
    assert str(error.value) == (
        f"Backstage at {backstage.url}: read 5 entities for kind=component but the catalog announced "
        "totalItems=6 (it changed while it was read?); run the sync again"
    )


def test_an_answer_that_is_not_json_fails_clearly(backstage: FakeBackstage) -> None:
    backstage.not_json = True
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(backstage.url), TOKEN)
    assert str(error.value) == (
        f"Backstage at {backstage.url} answered /api/catalog/entities/by-query with something that is not "
        "JSON (is base_url the Backstage backend?): '<html>Backstage</html>'"
    )


def test_the_filter_and_the_kind_go_in_the_first_request(backstage: FakeBackstage) -> None:
    backstage.entities["system"] = [
        {"kind": "System", "metadata": {"name": "shop"}, "spec": {"owner": "checkout-team"}}
    ]
    snapshot = read_backstage(settings(backstage.url, application_kind="System", filter="spec.type=x"), TOKEN)
    assert snapshot.applications == [
        ("shop", "shop", "group:default/checkout-team", None, "system:default/shop", None)
    ]
    assert backstage.requests[0] == {"filter": "kind=system,spec.type=x", "limit": "2", "fields": APP_FIELDS}


def test_an_empty_catalog_is_refused(backstage: FakeBackstage) -> None:
    backstage.entities["component"] = []
    with pytest.raises(BackstageError, match="has no entities for filter kind=component: refusing"):
        read_backstage(settings(backstage.url), TOKEN)


def test_two_entities_with_one_code_fail_naming_both(backstage: FakeBackstage) -> None:
    backstage.entities["component"] = [
        *COMPONENTS,
        component(
            "payments-v2", "payments-team", metadata={"annotations": {"finops/application": "payments"}}
        ),
    ]
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(backstage.url), TOKEN)
    assert str(error.value) == (
        "component:default/payments and component:default/payments-v2 both map to application 'payments': "
        "give one of them another code with the annotation finops/application"
    )


def test_a_missing_token_is_a_clear_error(
    mart_url: str, backstage: FakeBackstage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BACKSTAGE_TOKEN", raising=False)
    with pytest.raises(Failure) as error:
        run_asset(settings(backstage.url), mart_url)
    assert error.value.description == (
        "backstage.token_env: the environment variable BACKSTAGE_TOKEN is not set; "
        "it must hold the static token of the Backstage catalog"
    )
    assert backstage.requests == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("team-a", "group:default/team-a"),
        ("group:team-a", "group:default/team-a"),
        ("Group:Ops/Team-A", "group:ops/team-a"),
        ("\u212aelvin", "group:default/\u212aelvin"),  # ASCII letters alone: no lookalike becomes k
        ("user:default/jdoe", "user:default/jdoe"),
        ("user:jdoe", "user:default/jdoe"),
    ],
)
def test_owner_refs_are_completed(text: str, expected: str) -> None:
    assert full_ref(text, "group", "default") == expected


def test_the_catalog_files_may_not_declare_applications_when_backstage_syncs(
    mart_url: str, tmp_path: Path
) -> None:
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "apps.yaml").write_text("applications:\n  - {code: payments, name: Payments}\n")
    with pytest.raises(ConfigError) as error:
        read_catalog(folder, backstage_owns_applications=True)
    assert str(error.value) == (
        f"{folder / 'apps.yaml'}: declares applications, but finops.yaml has a backstage: block, so "
        "applications come from the Backstage catalog: remove them from the catalog files (or the "
        "backstage block)"
    )

    config = PlatformConfig(catalog=str(folder), backstage=settings("http://b"), base_dir=tmp_path)
    with pytest.raises(ConfigError, match=r"declares applications, but finops\.yaml has a backstage: block"):
        materialize([catalog_asset(config)], resources={"mart": MartResource(database_url=mart_url)})

    # without applications, the catalog leaves the synced ones alone
    query(mart_url, "INSERT INTO finops.dim_application (application_code, name) VALUES ('payments', 'P')"
                    " RETURNING 1")  # fmt: skip
    (folder / "apps.yaml").write_text("domains:\n  - {code: d, name: D, kind: direct}\n")
    apply_catalog(mart_url, read_catalog(folder, backstage_owns_applications=True), date(2025, 1, 1),
                  applications=False)  # fmt: skip
    assert query(mart_url, "SELECT application_code, valid_to, deleted_at FROM finops.dim_application") == [
        ("payments", None, None)
    ]


def test_configuration(tmp_path: Path) -> None:
    path = tmp_path / "finops.yaml"
    path.write_text("backstage:\n  base_url: https://backstage.example.com\n")
    backstage = load_config(path).backstage
    assert backstage == BackstageConfig(
        base_url="https://backstage.example.com",
        token_env="BACKSTAGE_TOKEN",
        application_kind="Component",
        filter=None,
        page_size=500,
        timeout_seconds=30,
    )
    for text, message in [
        (
            "  base_url: backstage.example.com\n",
            "backstage.base_url: 'backstage.example.com' must be an http",
        ),
        ("  base_url: http://b\n  token_env: my-token\n", "backstage.token_env: 'my-token' must be"),
        ("  base_url: http://b\n  application_kind: API\n", "`$.backstage.application_kind`"),
        ("  base_url: http://b\n  filter: kind=api\n", "backstage.filter: must not name the kind"),
        ("  base_url: http://b\n  filter: 'a=b,,c'\n", "backstage.filter: 'a=b,,c' must be key=value"),
        ("  base_url: http://b\n  page_size: 0\n", "backstage.page_size: 0 must be between 1 and 10000"),
        ("  base_url: http://b\n  token: abc\n", "unknown field `token`"),
    ]:
        path.write_text(f"backstage:\n{text}")
        with pytest.raises(ConfigError) as error:
            load_config(path)
        assert message in str(error.value), text


def test_the_sync_comes_before_valuation(tmp_path: Path) -> None:
    config = PlatformConfig(start_month="2025-01", backstage=settings("http://b"), base_dir=tmp_path)
    graph = build_definitions(config).resolve_asset_graph()
    assert graph.get(AssetKey(["mart", "allocation"])).parent_keys == {
        AssetKey(["referentials", "backstage"])
    }
    assert graph.get(AssetKey(["referentials", "backstage"])).kinds == {"backstage", "postgres"}


def test_entities_decode_with_defaults() -> None:
    from finops_assets.referentials.backstage.client import Page

    page = msgspec.json.decode(b'{"items": [{"kind": "Group", "metadata": {"name": "g"}}]}', type=Page)
    assert (page.items[0].ref, page.total_items, page.page_info.next_cursor) == (
        "group:default/g",
        None,
        None,
    )


def test_a_503_is_transient_and_the_sync_is_retried_by_dagster(
    mart_url: str, backstage: FakeBackstage
) -> None:
    backstage.unavailable = 1
    with pytest.raises(BackstageError) as error:
        read_backstage(settings(backstage.url), TOKEN)
    assert str(error.value) == (
        f"Backstage at {backstage.url} answered HTTP 503 to /api/catalog/entities/by-query: "
        '{"error": {"name": "ServiceUnavailable"}}'
    )
    assert error.value.transient
    assert backstage_asset(settings(backstage.url)).op.retry_policy == RetryPolicy(
        max_retries=3, delay=60, backoff=Backoff.EXPONENTIAL
    )
    # the next attempt reads the whole catalog
    assert read_backstage(settings(backstage.url), TOKEN).entities == 8
