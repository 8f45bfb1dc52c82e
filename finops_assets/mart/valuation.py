"""Valuing a month: its consumption under every pricing view, into cost_by_product.

A month is valued whole the first time, and whenever what valuing it reads besides its
consumption changed: the views, their unit prices, the month's FX rates, the products' monetary
flags or the valuation's SQL (its basis). On the same basis, only the products whose
consumption rows changed are valued again, such as after a re-delivery that corrects a few
lines or a load of another source; a product whose rows changed in their cost alone only
under `actual` and `actual-rate`, since the rate cards value quantities. The other rows are
kept, equal to those a whole valuation would write. The roll-ups are told which families to
rebuild (finops.revalued_families), so both steps write a fraction of the month.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from finops_assets.mart.connection import Mart, connection
from finops_assets.mart.month_partitions import ensure_month_partitions, vacuum_month_partitions
from finops_assets.mart.publication import record_basis, recorded_basis
from finops_assets.mart.read_models import delete_month, month_layer, run_script, script_digest
from finops_core.vocabulary import COST_VIEWS

COST_BY_PRODUCT = "cost_by_product"
VALUED_BASE = "batch/valuation/valued_base.sql"
BASIS = "batch/valuation/basis.sql"
REVALUED_PRODUCTS = "batch/valuation/revalued_products.sql"
KEEP_REVALUED = "batch/valuation/keep_revalued.sql"
KEEP_RATE_CARD_PRODUCTS = "batch/valuation/keep_rate_card_products.sql"
VALUE_COST_VIEWS = "batch/valuation/value_cost_views.sql"
VALUE_RATE_CARDS = "batch/valuation/value_rate_cards.sql"
SCRIPTS = (
    VALUED_BASE,
    BASIS,
    REVALUED_PRODUCTS,
    KEEP_REVALUED,
    KEEP_RATE_CARD_PRODUCTS,
    VALUE_COST_VIEWS,
    VALUE_RATE_CARDS,
)
"""What a valuation runs: their text is part of its basis."""
WHOLE_ABOVE = 0.5  # float ok: a share of rows
"""Above this share of the month's rows to value again in every view, the month is valued
whole: rewriting most of its rows product by product saves nothing. Every cost of a month
re-delivered with its quantities as they were is valued again under `actual` and `actual-rate`
alone, its rate cards' rows kept."""
ASKED = "asked for: --reland, FINOPS_RELAND=1 or whole: true"
NEW_BASIS = "not valued on this basis before (a first valuation, or views, prices or FX rates changed)"


@dataclass(frozen=True)
class Valuation:
    rows: int
    """The rows of cost_by_product written."""
    revalued_products: int | None
    """The products valued again; None: the whole month was valued."""
    why_whole: str = ""
    """Why the whole month was valued."""
    rate_card_products: int | None = None
    """Of the products valued again, those valued again under the rate cards too; None: the
    whole month was valued."""

    def summary(self, month: str) -> str:
        """One line of the run's log."""
        if self.revalued_products is None:
            return f"valued {month} whole: {self.rows} rows ({self.why_whole})"
        changed = f"{self.revalued_products} product(s) whose consumption changed"
        kept = self.revalued_products - (self.rate_card_products or 0)
        cost_alone = f", {kept} of them in their cost alone (rate-card rows kept)" if kept else ""
        return f"valued {month} again for its {changed}{cost_alone}: {self.rows} rows"


def _basis(cur: psycopg.Cursor[Any], month: date) -> str:
    """The valuation's SQL and the digest of what it reads besides the consumption."""
    run_script(cur, BASIS, {"month": month})
    row = cur.fetchone()
    digest = str(row[0]) if row else ""
    return f"{script_digest(*SCRIPTS)}:{digest}"


@dataclass(frozen=True)
class _Revaluation:
    products: int
    rate_card_products: int
    """Of `products`, those valued again under the rate cards too (not their cost alone changed)."""
    families: list[str]
    """The families whose rows they change, before or after."""
    rate_card_families: list[str]
    """Of `families`, those of the products valued again under the rate cards too."""

    def rollups(self) -> list[tuple[list[str], list[str] | None]]:
        """What the roll-ups are to rebuild (finops.revalued_families): (families, views; None:
        every view), at least one entry (none would mean the whole month)."""
        every = self.rate_card_families
        cost_alone = [family for family in self.families if family not in every]
        wanted: list[tuple[list[str], list[str] | None]] = []
        if every:
            wanted.append((every, None))
        if cost_alone:
            wanted.append((cost_alone, list(COST_VIEWS)))
        return wanted or [([], None)]


def _revalued(cur: psycopg.Cursor[Any], month: date) -> _Revaluation | str:
    """The products to value again, or why the whole month is to be valued instead."""
    run_script(cur, REVALUED_PRODUCTS, {"month": month})
    row = cur.fetchone()
    assert row is not None
    products, rows, rate_card_products, rate_card_rows, month_rows, rate_cards, families, every = row
    # the share of the month's rows valued again in the view that keeps the most of them
    least = rate_card_rows if rate_cards else rows
    if least > WHOLE_ABOVE * month_rows:
        return f"{products} products changed: {least} of the month's {month_rows} rows in every view"
    return _Revaluation(int(products), int(rate_card_products), list(families), list(every))


def value_month(mart: Mart, month: date, whole: bool = False) -> Valuation:
    """Value the month's consumption into cost_by_product: the products whose consumption
    changed since it was valued on the same basis, else (or when `whole`) the whole month."""
    ensure_month_partitions(mart, (COST_BY_PRODUCT,), month)
    params = {"month": month, "cost_views": list(COST_VIEWS)}
    with (
        connection(mart) as conn,
        conn.transaction(),
        conn.cursor() as cur,
        month_layer(cur, "valuation", (COST_BY_PRODUCT,), month),
    ):
        basis = _basis(cur, month)
        run_script(cur, VALUED_BASE, params)
        revalued: _Revaluation | str
        if whole:
            revalued = ASKED
        elif recorded_basis(cur, "valuation", month) != basis:
            revalued = NEW_BASIS
        else:
            revalued = _revalued(cur, month)
        rollups: Sequence[tuple[list[str] | None, list[str] | None]] = [(None, None)]
        if isinstance(revalued, str):
            rewritten = delete_month(cur, COST_BY_PRODUCT, month) > 0
            rows = run_script(cur, VALUE_COST_VIEWS, params) + run_script(cur, VALUE_RATE_CARDS, params)
        else:
            rollups = revalued.rollups()
            rewritten = revalued.products > 0
            run_script(cur, KEEP_REVALUED, params)
            rows = run_script(cur, VALUE_COST_VIEWS, params)
            if revalued.rate_card_products:
                run_script(cur, KEEP_RATE_CARD_PRODUCTS, params)
                rows += run_script(cur, VALUE_RATE_CARDS, params)
        # the roll-ups' refresh takes these families in, in these views (read_models.refresh_rollups)
        cur.executemany(
            "INSERT INTO finops.revalued_families (month, family_codes, pricing_view_codes)"
            " VALUES (%s, %s, %s)",
            [(month, families, views) for families, views in rollups],
        )
        # prices committed by another transaction while this one ran were read by some of its
        # statements and not by others: no basis recorded, the next valuation values it whole
        record_basis(cur, "valuation", month, basis if _basis(cur, month) == basis else None)
    if rewritten:
        vacuum_month_partitions(mart, (COST_BY_PRODUCT,), month)
    if isinstance(revalued, str):
        return Valuation(rows, None, revalued)
    return Valuation(rows, revalued.products, rate_card_products=revalued.rate_card_products)
