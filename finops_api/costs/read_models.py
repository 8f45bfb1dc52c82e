"""The read models a cost side can be read from, and the keys each can group and filter by: the
smallest holding every key of a request is read (finops_api/costs/services.py composes the
statement over it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from psycopg import sql

# API name -> read-model column. The only identifiers a client can have put into a query.
DIMENSIONS: Mapping[str, str] = {
    "source": "source",
    "application": "application_code",
    "owner": "owner",
    "domain": "domain_code",
    "family": "family_code",
    "product": "product_code",
    "currency": "currency",
}
SCOPE_LEVELS: tuple[str, ...] = ("domain", "family", "product", "application")
"""A simulation adjustment's scope levels, each the API key of the column it matches."""
WIDE_SCOPE_LEVELS: frozenset[str] = frozenset({"domain", "family"})
"""Scope levels whose codes each cover a large share of cost_by_product's rows."""
# Periods: API name -> to_char format of the month's label (sorting the labels sorts in time).
TIME_KEYS: Mapping[str, str] = {"month": "YYYY-MM", "quarter": 'YYYY-"Q"Q', "year": "YYYY"}
GROUP_KEYS: tuple[str, ...] = (*TIME_KEYS, *DIMENSIONS)
# Every read model is keyed by month, pricing view and currency.
_IN_EVERY_MODEL = frozenset({*TIME_KEYS, "currency"})


@dataclass(frozen=True)
class ReadModel:
    table: str
    dimensions: frozenset[str]
    """API keys it can group or filter by, besides the periods and currency."""
    unit_min: sql.Composable
    unit_max: sql.Composable
    units: sql.Composable
    """A row's units, sorted (a text array)."""
    priced: sql.Composable
    """True for a row whose cost is complete."""


def _rollup(table: str, dimensions: frozenset[str]) -> ReadModel:
    """A roll-up: it carries the unit range, the units and the priced flag of the rows it sums."""
    unit_min, unit_max, units, priced = (
        sql.Identifier("r", column) for column in ("unit_min", "unit_max", "units", "fully_priced")
    )
    return ReadModel(table, dimensions, unit_min, unit_max, units, priced)


# Smallest first (rows a month and view in benchmarks/api_costs.py: 17 families, 51 owners, 51
# owners x 17 families, 3,030 applications, 11,800 applications x families, 35,000 products x
# applications); a viewer's rows are chosen by application (finops_api/auth/visibility.py), so
# its by-family reports read cost_by_application_family. The roll-ups carry the unit range, the
# units and the priced flag of the rows they sum; cost_by_product has one unit per row and a NULL
# cost where there is no price.
READ_MODELS: tuple[ReadModel, ...] = (
    _rollup("cost_by_family", frozenset({"source", "domain", "family"})),
    _rollup("cost_by_owner", frozenset({"owner"})),
    _rollup("cost_by_owner_family", frozenset({"source", "owner", "domain", "family"})),
    _rollup("cost_by_application", frozenset({"application", "owner"})),
    _rollup("cost_by_application_family", frozenset({"source", "application", "owner", "domain", "family"})),
    ReadModel(
        "cost_by_product",
        frozenset({"source", "application", "owner", "domain", "family", "product"}),
        sql.Identifier("r", "unit"),
        sql.Identifier("r", "unit"),
        sql.SQL("ARRAY[r.unit]"),
        sql.SQL("r.cost IS NOT NULL"),
    ),
)
COST_BY_PRODUCT = READ_MODELS[-1]


def choose_read_model(keys: Iterable[str]) -> ReadModel:
    """The first (smallest) read model holding every key; cost_by_product holds them all."""
    needed = frozenset(keys) - _IN_EVERY_MODEL
    unknown = needed - COST_BY_PRODUCT.dimensions
    if unknown:
        raise ValueError(f"not a cost dimension: {', '.join(sorted(unknown))}")
    return next(model for model in READ_MODELS if needed <= model.dimensions)
