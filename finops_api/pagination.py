"""Offset pagination for every list: `limit` (at most MAX_PAGE_SIZE, validated, never ignored)
and `offset`; an answer that stops short of the rows left says where the next page is."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from litestar import Request
from litestar.di import Provide
from litestar.params import QueryParameter
from psycopg import sql

MAX_PAGE_SIZE = 10_000
"""The largest page; also the default, so that a dashboard's usual answer is one page."""
BIGINT_MAX = 2**63 - 1
"""The largest PostgreSQL bigint: an id or offset past it is refused naming the parameter."""
MAX_OFFSET = BIGINT_MAX - (MAX_PAGE_SIZE + 1)
"""The largest offset: PostgreSQL's OFFSET is a bigint, and the next page's link adds a page to
it (an offset past it answered 500 where the fuzzer tried 8.3e35)."""
T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int
    path: str
    query: tuple[tuple[str, str], ...]
    """The request's query, to build the next page's link from."""

    def sql(self) -> sql.Composed:
        """LIMIT and OFFSET for a statement: one row past the page tells whether another follows."""
        return sql.SQL("LIMIT {} OFFSET {}").format(sql.Literal(self.limit + 1), sql.Literal(self.offset))

    def cut(self, rows: Sequence[T], fetched_past: bool) -> tuple[list[T], str | None]:
        """The page's rows and the next page's link (None on the last page). rows: the page's
        rows plus, when fetched_past, the one past it (from sql()); else every row of the list."""
        window = list(rows) if fetched_past else list(rows[self.offset :])
        more = len(window) > self.limit
        return window[: self.limit], self.next_link() if more else None

    def next_link(self) -> str:
        # sorted: the same page has the same link (and ETag) whatever order the client wrote
        params = sorted((name, value) for name, value in self.query if name != "offset")
        params.append(("offset", str(self.offset + self.limit)))
        encoded = "&".join(f"{name}={_quote(value)}" for name, value in params)
        return f"{self.path}?{encoded}"


def _quote(value: str) -> str:
    return quote(value, safe=",:/")


async def provide_page(
    request: Request[Any, Any, Any],
    limit: Annotated[
        int,
        QueryParameter(
            ge=1, le=MAX_PAGE_SIZE, description=f"Rows per page, at most {MAX_PAGE_SIZE} (the default)."
        ),
    ] = MAX_PAGE_SIZE,
    offset: Annotated[
        int, QueryParameter(ge=0, le=MAX_OFFSET, description="Rows skipped: the next page's link sets it.")
    ] = 0,
) -> Page:
    return Page(limit, offset, request.url.path, tuple(request.query_params.multi_items()))


PAGE = {"page": Provide(provide_page)}
