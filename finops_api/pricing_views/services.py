from __future__ import annotations

from decimal import Decimal
from enum import Enum

import msgspec
from litestar.di import NamedDependency
from psycopg import AsyncCursor
from psycopg.rows import DictRow, dict_row

from finops_api.audit import record_write
from finops_api.auth.principal import Principal
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
            return await _view(cur, code)

    async def create_simulation(self, simulation: SimulationCreate, principal: Principal) -> CreateOutcome:
        """Stores the view, its adjustments and the audit entry in one transaction."""
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
                    {"code": simulation.code, **adjustment_row(position, a)}
                    for position, a in enumerate(simulation.adjustments)
                ],
            )
            created = await _view(cur, simulation.code)
            await record_write(cur, principal, "createSimulation", simulation.code, None, created)
        return CreateOutcome.CREATED

    async def delete_simulation(self, code: str, principal: Principal) -> DeleteOutcome:
        async with read_write_transaction(self._pool) as conn, conn.cursor(row_factory=dict_row) as cur:
            before = await _view(cur, code)
            await cur.execute(sql_text("api/simulation_delete.sql"), {"code": code})
            row = await cur.fetchone()
            if row is not None and row["deleted"]:
                await record_write(cur, principal, "deletePricingView", code, before, None)
        if row is None:  # the query always returns one row
            raise RuntimeError("simulation_delete.sql returned no row")
        if row["deleted"]:
            return DeleteOutcome.DELETED
        return DeleteOutcome.UNKNOWN if row["kind"] is None else DeleteOutcome.NOT_A_SIMULATION


async def _view(cur: AsyncCursor[DictRow], code: str) -> PricingViewDetail | None:
    await cur.execute(sql_text("api/pricing_view.sql"), {"code": code})
    view = await cur.fetchone()
    if view is None:
        return None
    await cur.execute(sql_text("api/simulation_adjustments.sql"), {"code": code})
    adjustments = await cur.fetchall()
    return msgspec.convert({**view, "adjustments": adjustments}, PricingViewDetail)


def adjustment_row(position: int, adjustment: Adjustment) -> dict[str, object]:
    """An adjustment as finops.simulation_adjustment holds it, its view's code aside."""
    return {
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
