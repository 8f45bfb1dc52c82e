"""What every write endpoint demands before it reads its body."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler

JSON = "application/json"


def json_body_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: the body must be declared JSON. A browser sends text/plain or a form type from
    any web page without asking the API first (no CORS preflight), so accepting those would let
    another site write here with a visitor's cookies or network position (CSRF)."""
    media_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != JSON:
        raise HTTPException(
            status_code=HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
            detail=f"the body must be {JSON}, got {media_type or 'no Content-Type'}",
        )
