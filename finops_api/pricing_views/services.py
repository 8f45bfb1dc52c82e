from __future__ import annotations

from decimal import Decimal
from enum import Enum

import msgspec
from litestar.di import NamedDependency
from psycopg.rows import dict_row

from finops_api.db import Pool, read_write_transaction
from finops_api.pricing_views.schemas import Adjustment, PricingView, PricingViewDetail, SimulationCreate
from finops_core.months import parse_month
from finops_core.sql import sql_text


class CreateOutcome(Enum):
    CREATED = "created"
    UNKNOWN_BASE_VIEW = "unknown base view"
    SIMULATION_BASE_VIEW = "base view is a simulation"
    CODE_TAKEN = "code taken"


class DeleteOutcome(Enum):
    DELETED = "deleted"
    UNKNOWN = "unknown"
    NOT_A_SIMULATION = "not a simulation"


class PricingViewService:
    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def list_views(self) -> list[PricingView]:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/pricing_views.sql"))
            rows = await cur.fetchall()
        return msgspec.convert(rows, list[PricingView])

    async def get_view(self, code: str) -> PricingViewDetail | None:
        async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/pricing_view.sql"), {"code": code})
            view = await cur.fetchone()
            if view is None:
                return None
            await cur.execute(sql_text("api/simulation_adjustments.sql"), {"code": code})
            adjustments = await cur.fetchall()
        return msgspec.convert({**view, "adjustments": adjustments}, PricingViewDetail)

    async def create_simulation(self, simulation: SimulationCreate) -> CreateOutcome:
        """Stores the view and its adjustments in one transaction."""
        async with read_write_transaction(self._pool) as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/pricing_view.sql"), {"code": simulation.base_view})
            base = await cur.fetchone()
            if base is None:
                return CreateOutcome.UNKNOWN_BASE_VIEW
            if base["kind"] == "simulation":
                return CreateOutcome.SIMULATION_BASE_VIEW
            await cur.execute(
                sql_text("api/simulation_create.sql"),
                {
                    "code": simulation.code,
                    "name": simulation.name,
                    "base_view": simulation.base_view,
                    "description": simulation.description,
                },
            )
            if await cur.fetchone() is None:
                return CreateOutcome.CODE_TAKEN
            await cur.executemany(
                sql_text("api/simulation_adjustment_insert.sql"),
                [
                    _adjustment_row(simulation.code, position, a)
                    for position, a in enumerate(simulation.adjustments)
                ],
            )
        return CreateOutcome.CREATED

    async def delete_simulation(self, code: str) -> DeleteOutcome:
        async with read_write_transaction(self._pool) as conn, conn.cursor(row_factory=dict_row) as cur:
            await cur.execute(sql_text("api/simulation_delete.sql"), {"code": code})
            row = await cur.fetchone()
        if row is None:  # the query always returns one row
            raise RuntimeError("simulation_delete.sql returned no row")
        if row["deleted"]:
            return DeleteOutcome.DELETED
        return DeleteOutcome.UNKNOWN if row["kind"] is None else DeleteOutcome.NOT_A_SIMULATION


def _adjustment_row(code: str, position: int, adjustment: Adjustment) -> dict[str, object]:
    return {
        "code": code,
        "position": position,
        "scope_level": adjustment.scope.level,
        "scope_code": adjustment.scope.code,
        "month_from": parse_month(adjustment.from_) if adjustment.from_ is not None else None,
        "month_to": parse_month(adjustment.to) if adjustment.to is not None else None,
        "kind": adjustment.kind,
        "value": Decimal(adjustment.value),
    }


def provide_pricing_view_service(db_pool: NamedDependency[Pool]) -> PricingViewService:
    return PricingViewService(db_pool)
