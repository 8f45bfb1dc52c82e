"""Revalidation of the cost reads: an ETag per (data version, what the caller may see, request),
so that the Backstage page and its proxy ask again for free and get 304 while nothing changed."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Message, Scope

from finops_api.auth.visibility import provide_visibility
from finops_api.data_version import data_version

CACHE_CONTROL = "private, no-cache"
"""private: the answer depends on who asks; no-cache: always revalidated (which is cheap)."""
_STATE_KEY = "finops_etag"


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


async def revalidate(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard on the cost reads: computes the request's ETag (kept for the answer's headers)
    and answers 304 when the client already holds it."""
    request: Request[Any, Any, Any] = connection  # type: ignore[assignment]
    pool = connection.app.state.db_pool
    version = await data_version(connection, pool)
    visibility = await provide_visibility(request, pool)
    query = sorted(connection.query_params.multi_items())
    seen = (visibility.applications, visibility.organisation_totals)
    digest = hashlib.sha256(repr((version, seen, connection.url.path, query)).encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    connection.scope["state"][_STATE_KEY] = etag
    held = {tag.strip() for tag in connection.headers.get("if-none-match", "").split(",")}
    if etag in held or "*" in held:
        raise NotModified(etag)


def not_modified(request: Request[Any, Any, Any], exc: NotModified) -> Response[None]:
    return Response(content=None, status_code=304, headers={"ETag": exc.etag, "Cache-Control": CACHE_CONTROL})


async def tag_answer(message: Message, scope: Scope) -> None:
    """before_send hook: a 200 answer of a revalidated read carries its ETag."""
    if message["type"] == "http.response.start" and message["status"] == 200:
        etag = scope.get("state", {}).get(_STATE_KEY)
        if etag is not None:
            headers = MutableScopeHeaders.from_message(message)
            headers["ETag"] = etag
            headers["Cache-Control"] = CACHE_CONTROL
