"""A fake Backstage catalog (a local HTTP server answering GET /api/catalog/entities/by-query
as the catalog API does, with cursor paging and a Bearer token), the catalog it serves, and what
the sync tests read back from the mart."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from dagster import materialize

from finops_assets.referentials.backstage.assets import backstage_asset
from finops_assets.resources import MartResource
from finops_core.config import BackstageConfig
from tests.pipeline import query

TOKEN = "s3cret-token"
APP_FIELDS = (
    "kind,metadata.name,metadata.namespace,metadata.title,metadata.annotations,spec.owner,spec.lifecycle"
)
GROUP_FIELDS = (
    "kind,metadata.name,metadata.namespace,metadata.title,spec.profile,spec.parent,spec.members,relations"
)


def component(name: str, owner: str, namespace: str = "default", **extra: Any) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": namespace}
    metadata.update(extra.pop("metadata", {}))
    return {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Component",
        "metadata": metadata,
        "spec": {"type": "service", "owner": owner, "lifecycle": "production", **extra},
    }


def group(name: str, members: list[str], relations: list[str], **spec: Any) -> dict[str, Any]:
    entity: dict[str, Any] = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": "Group",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"type": "team", "children": [], **({"members": members} if members else {}), **spec},
        "relations": [{"type": "hasMember", "targetRef": ref} for ref in relations]
        + [{"type": "ownerOf", "targetRef": "component:default/payments"}],
    }
    return entity


COMPONENTS = [
    component(
        "payments",
        "payments-team",
        metadata={"title": "Payments", "annotations": {"finops/cost-center": "CC-1042"}},
    ),
    component("search", "group:default/search-team", lifecycle="experimental"),
    component(
        "billing-api",
        "user:default/jdoe",
        metadata={"annotations": {"finops/application": "billing", "backstage.io/techdocs-ref": "dir:."}},
    ),
    component("legacy-batch", "payments-team", metadata={"annotations": {"finops/exclude": "true"}}),
    component("checkout", "checkout-team", namespace="shop"),
]
GROUPS = [
    group(
        "payments-team",
        ["alice", "user:default/bob"],
        ["user:default/alice", "user:default/bob", "user:default/carol"],  # carol: her memberOf
        profile={"displayName": "Payments team"},
        parent="engineering",
    ),
    group("search-team", [], ["user:default/dan"], parent="group:default/engineering"),
    group("engineering", [], []),
]


class FakeBackstage:
    """GET /api/catalog/entities/by-query with cursor paging, a Bearer token, and a log of requests."""

    def __init__(self, components: list[dict[str, Any]], groups: list[dict[str, Any]]) -> None:
        self.entities = {"component": components, "group": groups}
        self.requests: list[dict[str, str]] = []
        self.extra_total = 0  # > 0: announce more entities than served (a catalog changing mid-read)
        self.not_json = False
        self.unavailable = 0  # > 0: answer that many requests 503, as a restarting backend does
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                params = dict(parse_qsl(url.query))
                fake.requests.append(params)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    return self.answer(
                        401, {"error": {"name": "AuthenticationError", "message": "Unauthorized"}}
                    )
                if url.path != "/api/catalog/entities/by-query":
                    return self.answer(404, {"error": {"name": "NotFoundError"}})
                if fake.unavailable > 0:
                    fake.unavailable -= 1
                    return self.answer(503, {"error": {"name": "ServiceUnavailable"}})
                if fake.not_json:
                    body = b"<html>Backstage</html>"
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return None
                if "cursor" in params:
                    if "filter" in params:
                        return self.answer(400, {"error": {"message": "cursor and filter are exclusive"}})
                    kind, offset = params["cursor"].split(":")
                    start = int(offset)
                else:
                    kind, start = params["filter"].removeprefix("kind=").split(",")[0], 0
                limit = int(params["limit"])
                matching = fake.entities[kind]
                page = matching[start : start + limit]
                info = {"nextCursor": f"{kind}:{start + limit}"} if start + limit < len(matching) else {}
                return self.answer(
                    200, {"items": page, "totalItems": len(matching) + fake.extra_total, "pageInfo": info}
                )

            def answer(self, status: int, payload: object) -> None:
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def backstage() -> Iterator[FakeBackstage]:
    fake = FakeBackstage(COMPONENTS, GROUPS)
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()
    thread.join()


def settings(url: str, **options: Any) -> BackstageConfig:
    return BackstageConfig(base_url=url, page_size=2, timeout_seconds=5, **options)


def applications(url: str) -> list[tuple[Any, ...]]:
    return query(
        url,
        "SELECT application_code, name, owner, cost_center, entity_ref, lifecycle, valid_from, valid_to,"
        " deleted_at IS NOT NULL, is_auto FROM finops.dim_application ORDER BY application_code, valid_from",
    )


def groups(url: str) -> list[tuple[Any, ...]]:
    return query(
        url,
        "SELECT group_ref, name, parent_ref, member_count, valid_from, valid_to, deleted_at IS NOT NULL"
        " FROM finops.dim_group ORDER BY group_ref, valid_from",
    )


def everything(url: str) -> dict[str, list[tuple[Any, ...]]]:
    return {
        "applications": query(url, "SELECT * FROM finops.dim_application ORDER BY application_key"),
        "groups": query(url, "SELECT * FROM finops.dim_group ORDER BY group_key"),
    }


BEGINNING = date(1900, 1, 1)
EXPECTED_APPLICATIONS = [
    ("billing", "billing-api", "user:default/jdoe", None, "component:default/billing-api", "production"),
    ("checkout", "checkout", "group:shop/checkout-team", None, "component:shop/checkout", "production"),
    ("payments", "Payments", "group:default/payments-team", "CC-1042", "component:default/payments",
     "production"),
    ("search", "search", "group:default/search-team", None, "component:default/search", "experimental"),
]  # fmt: skip
EXPECTED_GROUPS = [
    ("group:default/engineering", "engineering", None, 0),
    ("group:default/payments-team", "Payments team", "group:default/engineering", 3),
    ("group:default/search-team", "search-team", "group:default/engineering", 1),
]


def run_asset(config: BackstageConfig, url: str, *, raise_on_error: bool = True) -> Any:
    return materialize(
        [backstage_asset(config)],
        resources={"mart": MartResource(database_url=url)},
        raise_on_error=raise_on_error,
    )
