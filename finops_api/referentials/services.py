"""The catalog referentials (domains, families, products, applications) at a point in their history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, TypeVar

import msgspec
from litestar.di import NamedDependency
from psycopg.rows import dict_row

from finops_api.db import Pool
from finops_api.referentials.schemas import (
    Application,
    ApplicationVersion,
    Domain,
    Family,
    Product,
    ProductVersion,
)
from finops_core.sql import sql_text

T = TypeVar("T")


class ReferentialService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def _rows(self, path: str, params: dict[str, Any], type_: type[T]) -> list[T]:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text(path), params)
            rows = await cur.fetchall()
        return msgspec.convert(rows, list[type_])  # type: ignore[valid-type]

    async def domains(self, as_of: date | None, include_deleted: bool) -> list[Domain]:
        params = {"as_of": as_of, "include_deleted": include_deleted}
        return await self._rows("api/referential_domains.sql", params, Domain)

    async def families(self, as_of: date | None, include_deleted: bool) -> list[Family]:
        params = {"as_of": as_of, "include_deleted": include_deleted}
        return await self._rows("api/referential_families.sql", params, Family)

    async def products(
        self,
        as_of: date | None,
        include_deleted: bool,
        families: Sequence[str],
        domains: Sequence[str],
    ) -> list[Product]:
        params = {
            "as_of": as_of,
            "include_deleted": include_deleted,
            "families": list(families),
            "domains": list(domains),
        }
        return await self._rows("api/referential_products.sql", params, Product)

    async def product_history(self, code: str) -> list[ProductVersion]:
        """Every version of the product, oldest first; empty when the code is unknown."""
        return await self._rows("api/product_history.sql", {"code": code}, ProductVersion)

    async def applications(
        self,
        as_of: date | None,
        include_deleted: bool,
        owners: Sequence[str],
        visible: Sequence[str] | None = None,
    ) -> list[Application]:
        """visible: only these codes (a viewer's); None: all."""
        params = {
            "as_of": as_of,
            "include_deleted": include_deleted,
            "owners": list(owners),
            "visible": list(visible) if visible is not None else None,
        }
        return await self._rows("api/referential_applications.sql", params, Application)

    async def application_history(self, code: str) -> list[ApplicationVersion]:
        """Every version of the application, oldest first; empty when the code is unknown."""
        return await self._rows("api/application_history.sql", {"code": code}, ApplicationVersion)


def provide_referential_service(db_pool: NamedDependency[Pool]) -> ReferentialService:
    return ReferentialService(db_pool)
