"""Which months of an answer are stale (finops_assets/mart/publication.py writes the versions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from litestar import Request
from litestar.di import NamedDependency, Provide
from psycopg.rows import dict_row

from finops_api.costs.sides import CostSide
from finops_api.data_version import data_version
from finops_api.db import Pool
from finops_api.publication.schemas import StaleMonth
from finops_api.version_memo import VersionMemo, kept, version_memo
from finops_core.sql import sql_text

LAYERS = (
    ("allocation_version", "allocation"),
    ("valuation_version", "valuation"),
    ("cost_views_version", "cost views"),
)
"""Each layer rebuilt from the consumption, in run order, with the name a reason gives it."""


def stale_reason(row: dict[str, Any]) -> str:
    loaded = row["consumption_version"]
    behind = [name for column, name in LAYERS if row[column] != loaded]
    return (
        f"not rebuilt since its consumption was reloaded: {', '.join(behind)}; a run stopped "
        f"before publishing the month; materialize {row['month']} again"
    )


StaleMonths = tuple[tuple[date, StaleMonth], ...]
"""Every stale month, with its first day, in month order."""
_MEMO_KEY = ("stale_months",)


class PublicationService:
    def __init__(self, pool: Pool, memo: VersionMemo | None = None, version: str = "") -> None:
        """memo: where the stale months are kept for the request's data version (version): a
        month becomes stale or whole only by a write that moves it (month_publication's
        revision, api/data_version.sql)."""
        self._pool = pool
        self._memo = memo
        self._version = version

    async def _all_stale_months(self) -> StaleMonths:
        return await kept(self._memo, self._version, _MEMO_KEY, self._read_stale_months)

    async def _read_stale_months(self) -> StaleMonths:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/stale_months.sql"))
            rows = await cur.fetchall()
        return tuple(
            (row["first_day"], StaleMonth(month=row["month"], reason=stale_reason(row))) for row in rows
        )

    async def stale_months(self, ranges: Sequence[tuple[date, date]] | None = None) -> list[StaleMonth]:
        """The stale months within the (first, last) ranges an answer covers; None: all."""
        return [
            month
            for first_day, month in await self._all_stale_months()
            if ranges is None or any(first <= first_day <= last for first, last in ranges)
        ]

    async def stale_month(self, month: date) -> list[StaleMonth]:
        """The month, when it is stale (an answer about one month)."""
        return await self.stale_months([(month, month)])

    async def stale_months_read(self, sides: Sequence[CostSide]) -> list[StaleMonth]:
        """The stale months among those the sides of a cost answer read (none when no side)."""
        if not sides:
            return []
        return await self.stale_months([(side.first_month, side.last_month) for side in sides])


async def provide_publication_service(
    request: Request[Any, Any, Any], cost_pool: NamedDependency[Pool]
) -> PublicationService:
    """Read where the answer's rows are read (a read replica's, when there are some): the stale
    marks then describe the very rows the answer carries. Kept per data version of that server,
    as the cost contexts are (finops_api/costs/services.py)."""
    version = await data_version(request, cost_pool)
    return PublicationService(cost_pool, version_memo(request.app.state), version)


def provide_primary_publication_service(db_pool: NamedDependency[Pool]) -> PublicationService:
    """Not kept: /health reads the primary on every probe, and answers 503 rather than fail
    when it cannot (the data version is not read first)."""
    return PublicationService(db_pool)


PUBLICATION = {"publication_service": Provide(provide_publication_service)}
"""The dependency of the endpoints that mark stale months."""

PRIMARY_PUBLICATION = {
    "publication_service": Provide(provide_primary_publication_service, sync_to_thread=False)
}
"""The same, read on the primary (the health of the mart itself)."""
