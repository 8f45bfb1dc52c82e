"""Problem details (RFC 9457) for every error the API answers.

Litestar's ProblemDetailsPlugin renders ProblemDetailsException as application/problem+json;
this module converts everything else into one: Litestar's own HTTP errors (404, 405, ...), its
parameter validation errors (400, naming the public parameter), and an unreachable database
(503).
"""

from __future__ import annotations

import logging
import re
from http import HTTPStatus
from typing import Any

import msgspec
import psycopg
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import ParameterKwarg
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.types import ExceptionHandlersMap
from psycopg_pool import PoolTimeout

from finops_api.caching import KeptAnswer, NotModified, kept_answer, not_modified
from finops_api.db import read_pool_failed
from finops_api.params import PATTERN_FORMS

log = logging.getLogger(__name__)
PROBLEM_MEDIA_TYPE = "application/problem+json"
INVALID_PARAMETERS = "urn:finops:problem:invalid-parameters"
DATABASE_UNAVAILABLE = "urn:finops:problem:database-unavailable"
QUERY_TIMEOUT = "urn:finops:problem:query-timeout"
RETRY_AFTER_SECONDS = "5"
_MISSING_FIELD = re.compile(r"Object missing required field `(?P<field>[^`]+)`")
_PATTERN_MISMATCH = re.compile(r"matching regex (?P<regex>'.*')$")
_MISSING = re.compile(r"Missing required (?P<kind>\w+) parameter '(?P<name>[^']+)'")


class InvalidParam(msgspec.Struct, frozen=True):
    name: str
    """The parameter as the client spells it (e.g. `from`, not the handler's `from_`)."""
    reason: str


class ProblemDetails(msgspec.Struct, omit_defaults=True):
    """An error response (RFC 9457); documents the body of every 4xx/5xx answer."""

    status: int
    title: str
    type: str = "about:blank"
    detail: str | None = None
    invalid_params: list[InvalidParam] | None = None


def invalid_parameters(*params: InvalidParam) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=HTTPStatus.BAD_REQUEST,
        type_=INVALID_PARAMETERS,
        title="Invalid request parameters",
        detail="; ".join(f"{p.name}: {p.reason}" for p in params),
        extra={"invalid_params": [msgspec.structs.asdict(p) for p in params]},
    )


def invalid_parameter(name: str, reason: str) -> ProblemDetailsException:
    return invalid_parameters(InvalidParam(name, reason))


def database_unavailable(detail: str) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=HTTPStatus.SERVICE_UNAVAILABLE,
        type_=DATABASE_UNAVAILABLE,
        title="Database unavailable",
        detail=detail,
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def _invalid_param(request: Request[Any, Any, Any], key: str, message: str) -> InvalidParam:
    """Names the parameter as the client sent it (handler arguments may be aliased: `from_` is
    `from`), and says what a patterned parameter expects rather than quoting its regex."""
    try:
        field = request.route_handler.parsed_fn_signature.parameters.get(key)
    except (AttributeError, KeyError):  # no route resolved: nothing to map
        field = None
    kwarg = field.kwarg_definition if field is not None else None
    if not isinstance(kwarg, ParameterKwarg):
        return _body_field(key, message)
    name = kwarg.name or key
    form = PATTERN_FORMS.get(kwarg.pattern or "")
    if form is not None:
        return InvalidParam(name, f"expected {form}, got {request.query_params.get(name)!r}")
    return InvalidParam(name, message)


def _body_field(key: str, message: str) -> InvalidParam:
    """A JSON body's field as its path (`adjustments[0].value`; Litestar calls the root `data`,
    the client knows it as the body), with a pattern said in words. The texts parsed here are
    msgspec's; tests/api/test_error_texts.py fails loudly if an upgrade rewords them."""
    missing = _MISSING_FIELD.match(message)
    if missing:
        name = missing["field"] if key == "data" else f"{key}.{missing['field']}"
        return InvalidParam(name, "required field is missing")
    pattern = _PATTERN_MISMATCH.search(message)
    form = next(
        (form for regex, form in PATTERN_FORMS.items() if pattern and pattern["regex"] == repr(regex)), None
    )
    return InvalidParam("body" if key == "data" else key, f"expected {form}" if form else message)


def _validation_problem(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    params = [
        _invalid_param(request, str(error.get("key", "")), str(error.get("message", "")))
        for error in errors
        if isinstance(error, dict)
    ]
    missing = _MISSING.match(exc.detail or "")
    if not params and missing:  # Litestar names a missing parameter only in its message
        params = [InvalidParam(missing["name"], f"required {missing['kind']} parameter is missing")]
    if not params:  # a malformed request with no parameter to blame
        problem = ProblemDetailsException(
            status_code=HTTPStatus.BAD_REQUEST, type_="about:blank", title="Bad Request", detail=exc.detail
        )
        return problem.to_response(request)
    return invalid_parameters(*params).to_response(request)


def _data_problem(request: Request[Any, Any, Any], exc: psycopg.DataError) -> Response[Any]:
    """A value the database cannot hold (a NUL character in text, a number out of range): the
    client's, named when it is a query parameter, else the body's."""
    names = sorted({name for name, value in request.query_params.multi_items() if "\x00" in value})
    if names:
        params = [InvalidParam(name, "must not contain NUL characters") for name in names]
    elif request.method in ("POST", "PUT", "PATCH"):
        reason = exc.diag.message_primary or str(exc).splitlines()[0]
        params = [InvalidParam("body", f"a value the database cannot store: {reason}")]
    else:  # nothing the client sent: a bug of ours, not a bad request
        return _internal_problem(request, exc)
    return invalid_parameters(*params).to_response(request)


def _internal_problem(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    """Any error of ours: logged with its trace, answered as a problem+json 500 that says
    nothing of the cause (a message can carry SQL, host or user names)."""
    log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = ProblemDetailsException(
        status_code=HTTPStatus.INTERNAL_SERVER_ERROR, type_="about:blank", title="Internal Server Error"
    )
    return problem.to_response(request)


def _http_problem(exc: HTTPException) -> ProblemDetailsException:
    # Litestar's stock conversion puts the detail in `title`; RFC 9457 wants the title to be the
    # same for every occurrence of a type, so about:blank gets the status phrase.
    return ProblemDetailsException(
        status_code=exc.status_code,
        type_="about:blank",
        title=HTTPStatus(exc.status_code).phrase,
        detail=exc.detail,
        headers=exc.headers,
        extra=exc.extra if isinstance(exc.extra, dict) else None,
    )


def _pool_timeout_problem(request: Request[Any, Any, Any], exc: PoolTimeout) -> Response[Any]:
    read_pool_failed(request)
    return database_unavailable("no database connection became available in time").to_response(request)


def _timeout_problem(exc: psycopg.errors.QueryCanceled) -> ProblemDetailsException:
    return ProblemDetailsException(
        status_code=HTTPStatus.SERVICE_UNAVAILABLE,
        type_=QUERY_TIMEOUT,
        title="Query timeout",
        detail="the query ran longer than the API's statement timeout (api.statement_timeout_seconds); "
        "ask for fewer months or coarser groups, or retry later",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def _schema_problem(request: Request[Any, Any, Any], exc: psycopg.ProgrammingError) -> Response[Any]:
    """A table or column the database lacks: a mart (or a standby) whose schema is behind the
    code, or none at all; logged as our own errors are, answered 503 naming the fix."""
    log.error("error on %s %s", request.method, request.url.path, exc_info=exc)
    problem = database_unavailable(
        "the database's schema is not this release's; run `finops db upgrade` "
        "(GET /api/v1/health names the version it is at)"
    )
    return problem.to_response(request)


def _database_problem(request: Request[Any, Any, Any], exc: psycopg.OperationalError) -> Response[Any]:
    # The driver's message can carry host names and user names: keep it out of the answer.
    read_pool_failed(request)
    return database_unavailable("the database could not be reached").to_response(request)


def problem_details_plugin() -> ProblemDetailsPlugin:
    return ProblemDetailsPlugin(
        ProblemDetailsConfig(
            exception_to_problem_detail_map={
                HTTPException: _http_problem,
                psycopg.errors.QueryCanceled: _timeout_problem,
            }
        )
    )


def exception_handlers() -> ExceptionHandlersMap:
    """Handlers that need the request, which the plugin's conversion map does not get."""
    return {
        ValidationException: _validation_problem,
        NotModified: not_modified,
        KeptAnswer: kept_answer,
        psycopg.DataError: _data_problem,
        PoolTimeout: _pool_timeout_problem,
        psycopg.OperationalError: _database_problem,
        psycopg.errors.UndefinedTable: _schema_problem,
        psycopg.errors.UndefinedColumn: _schema_problem,
        # what no other handler takes (Litestar's stock 500 is plain application/json)
        HTTPStatus.INTERNAL_SERVER_ERROR: _internal_problem,
    }


def problem_responses(*statuses: HTTPStatus, public: bool = False) -> dict[int, ResponseSpec]:
    """The documented error answers of an operation, for the OpenAPI schema; every operation but
    the public ones (finops_api/auth/middleware.py PUBLIC_PATHS) can answer 401."""
    if not public:
        statuses = (HTTPStatus.UNAUTHORIZED, *statuses)
    return {
        int(status): ResponseSpec(
            data_container=ProblemDetails,
            media_type=PROBLEM_MEDIA_TYPE,
            description=status.phrase,
            generate_examples=False,
        )
        for status in statuses
    }
