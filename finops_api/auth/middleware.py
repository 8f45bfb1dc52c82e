"""Authentication on every request but health and the OpenAPI schema, role guards for the
handlers, and the header that says when authentication is off."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.plugins.problem_details import ProblemDetailsException
from litestar.types import ASGIApp, Guard, Message, Scope

from finops_api.auth.authenticator import Authenticator
from finops_api.auth.backstage import InvalidToken
from finops_api.auth.jwks import BackstageUnavailable
from finops_api.auth.principal import ANONYMOUS, Principal
from finops_core.api_config import Role

PUBLIC_PATHS = ["^/schema", "^/api/v1/health"]
"""Answered without a token: a load balancer probes health, a client reads the schema first."""
AUTH_HEADER = "X-FinOps-Auth"
AUTH_UNAVAILABLE = "urn:finops:problem:authentication-unavailable"
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="finops"'}
log = logging.getLogger(__name__)


def unauthorized(detail: str) -> NotAuthorizedException:
    return NotAuthorizedException(detail=detail, headers=_CHALLENGE)


class AuthenticationMiddleware(AbstractAuthenticationMiddleware):
    def __init__(self, app: ASGIApp, authenticator: Authenticator | None, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._authenticator = authenticator

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        if self._authenticator is None:  # auth: {mode: none}
            return AuthenticationResult(user=ANONYMOUS, auth=None)
        header = connection.headers.get("authorization")
        if header is None:
            raise unauthorized("no credentials: send Authorization: Bearer <token>")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("the Authorization header must be Bearer <token>")
        try:
            principal = await self._authenticator.principal(token.strip())
        except InvalidToken as error:
            raise unauthorized(f"invalid token: {error}") from None
        except BackstageUnavailable as error:
            # the address and the reason are the operator's: Backstage's internal URL is no
            # caller's business, and no caller's token has been verified yet
            log.warning("authentication unavailable: %s", error)
            raise ProblemDetailsException(
                status_code=HTTPStatus.SERVICE_UNAVAILABLE,
                type_=AUTH_UNAVAILABLE,
                title="Authentication unavailable",
                detail="the token could not be verified: Backstage could not be asked for its keys or "
                "its user's groups; the server's log says why",
                headers={"Retry-After": "5"},
            ) from None
        return AuthenticationResult(user=principal, auth=None)


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    return cast(Principal, connection.scope.get("user") or ANONYMOUS)


def requires(role: Role) -> Guard:
    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        principal = principal_of(connection)
        if not principal.has(role):
            raise PermissionDeniedException(
                detail=f"{principal.subject} has the {principal.role} role; this needs the {role} role"
            )

    return guard


async def mark_auth_disabled(message: Message, scope: Scope) -> None:
    """before_send hook under mode none: every answer says that nobody was authenticated."""
    if message["type"] == "http.response.start":
        MutableScopeHeaders.from_message(message)[AUTH_HEADER] = "disabled"
