"""Which months of an answer are stale (finops_assets/mart/publication.py writes the versions)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from litestar.di import NamedDependency, Provide
from psycopg.rows import dict_row

from finops_api.costs.services import CostSide
from finops_api.db import Pool
from finops_api.publication.schemas import StaleMonth
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


class PublicationService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def stale_months(self, ranges: Sequence[tuple[date, date]] | None = None) -> list[StaleMonth]:
        """The stale months within the (first, last) ranges an answer covers; None: all."""
        params = {
            "firsts": None if ranges is None else [first for first, _ in ranges],
            "lasts": None if ranges is None else [last for _, last in ranges],
        }
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/stale_months.sql"), params)
            rows = await cur.fetchall()
        return [StaleMonth(month=row["month"], reason=stale_reason(row)) for row in rows]

    async def stale_month(self, month: date) -> list[StaleMonth]:
        """The month, when it is stale (an answer about one month)."""
        return await self.stale_months([(month, month)])

    async def stale_months_read(self, sides: Sequence[CostSide]) -> list[StaleMonth]:
        """The stale months among those the sides of a cost answer read (none when no side)."""
        if not sides:
            return []
        return await self.stale_months([(side.first_month, side.last_month) for side in sides])


def provide_publication_service(cost_pool: NamedDependency[Pool]) -> PublicationService:
    """Read where the answer's rows are read (a read replica's, when there are some): the stale
    marks then describe the very rows the answer carries."""
    return PublicationService(cost_pool)


def provide_primary_publication_service(db_pool: NamedDependency[Pool]) -> PublicationService:
    return PublicationService(db_pool)


PUBLICATION = {"publication_service": Provide(provide_publication_service, sync_to_thread=False)}
"""The dependency of the endpoints that mark stale months."""

PRIMARY_PUBLICATION = {
    "publication_service": Provide(provide_primary_publication_service, sync_to_thread=False)
}
"""The same, read on the primary (the health of the mart itself)."""
