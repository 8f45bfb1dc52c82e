"""Revalidation of the cost reads: an ETag per (data version, what the caller may see, request),
so that the Backstage page and its proxy ask again for free and get 304 while nothing changed;
and the answers kept under their ETag (finops_api/answer_cache.py), so that another caller
asking the same gets them without a query."""

from __future__ import annotations

import hashlib
from typing import Any

from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.handlers.base import BaseRouteHandler
from litestar.types import Message, Scope

from finops_api.answer_cache import ANSWER_BYTES, CACHE_ANSWERS, Answer, answer_cache
from finops_api.auth.visibility import provide_visibility
from finops_api.data_version import data_version
from finops_api.db import read_pool

CACHE_CONTROL = "private, no-cache"
"""private: the answer depends on who asks; no-cache: always revalidated (which is cheap)."""
_STATE_KEY = "finops_etag"
_KEPT_KEY = "finops_answer_parts"
"""The body parts of an answer to keep, as they are sent."""


class NotModified(Exception):
    def __init__(self, etag: str) -> None:
        super().__init__(etag)
        self.etag = etag


class KeptAnswer(Exception):
    def __init__(self, answer: Answer) -> None:
        super().__init__()
        self.answer = answer


async def revalidate(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """A guard on the cost reads: computes the request's ETag (kept for the answer's headers),
    answers 304 when the client already holds it, else the answer kept under it if any."""
    request: Request[Any, Any, Any] = connection  # type: ignore[assignment]
    # the version of the data the handler will read, so from the same server (a standby may
    # lag behind the primary: the primary's version would tag older rows as newer)
    version = await data_version(connection, read_pool(connection))
    visibility = await provide_visibility(request, connection.app.state.db_pool)
    query = sorted(connection.query_params.multi_items())
    seen = (visibility.applications, visibility.organisation_totals)
    digest = hashlib.sha256(repr((version, seen, connection.url.path, query)).encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    connection.scope["state"][_STATE_KEY] = etag
    held = {tag.strip() for tag in connection.headers.get("if-none-match", "").split(",")}
    if etag in held or "*" in held:
        raise NotModified(etag)
    if handler.opt.get(CACHE_ANSWERS):
        kept = answer_cache(connection.app.state).get(etag)
        if kept is not None:
            raise KeptAnswer(kept)
        connection.scope["state"][_KEPT_KEY] = []


def not_modified(request: Request[Any, Any, Any], exc: NotModified) -> Response[None]:
    return Response(content=None, status_code=304, headers={"ETag": exc.etag, "Cache-Control": CACHE_CONTROL})


def kept_answer(request: Request[Any, Any, Any], exc: KeptAnswer) -> Response[bytes]:
    return Response(content=exc.answer.body, status_code=200, media_type=exc.answer.media_type)


async def tag_answer(message: Message, scope: Scope) -> None:
    """before_send hook: a 200 answer of a revalidated read carries its ETag, and is kept when
    its handler's answers are (revalidate)."""
    state = scope.get("state", {})
    etag = state.get(_STATE_KEY)
    if etag is None:
        return
    if message["type"] == "http.response.start":
        if message["status"] != 200:
            state.pop(_KEPT_KEY, None)
            return
        headers = MutableScopeHeaders.from_message(message)
        headers["ETag"] = etag
        headers["Cache-Control"] = CACHE_CONTROL
        state["finops_answer_media_type"] = headers.get("content-type", "application/json")
    elif message["type"] == "http.response.body" and (parts := state.get(_KEPT_KEY)) is not None:
        parts.append(message.get("body", b""))
        if sum(map(len, parts)) > ANSWER_BYTES:
            state.pop(_KEPT_KEY)
        elif not message.get("more_body", False):
            body = b"".join(parts)
            answer_cache(scope["app"].state).put(etag, Answer(body, state["finops_answer_media_type"]))
            state.pop(_KEPT_KEY)
