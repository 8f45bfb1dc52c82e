"""Rate-card pricing views and FX rates, declared in versioned files.

    pricing_views:
      - code: budget-2027
        name: Budget 2027
        currency: EUR                      # the reporting currency
        prices:                            # and/or prices_file: budget-2027.csv
          - {product: vm-vcpu-month, unit_price: "21.50", currency: EUR, from: 2027-01, to: 2027-12}

    fx_rates.csv:  month,from_currency,to_currency,rate

Prices are per unit of the product, valid from a month to a month included (open-ended when
`to` is absent). The files are the whole truth: applying them replaces the prices and rates,
and soft-deletes a file-declared view that is no longer declared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import msgspec

from finops_assets.mart.connection import Mart, connection
from finops_assets.referentials.declared_months import declared_month, declared_range
from finops_assets.referentials.declared_values import (
    declared_decimal,
    declared_files,
    declared_number,
    declared_rows,
)
from finops_core.config import ConfigError
from finops_core.sql import sql_statements
from finops_core.vocabulary import COST_VIEWS, CURRENCY_PATTERN, SIMULATION_PREFIX
from finops_core.yaml_files import decode_yaml

_CODE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,62}$")
_CURRENCY = re.compile(CURRENCY_PATTERN)
FX_FILE = "fx_rates.csv"


class PriceEntry(
    msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True, rename={"from_": "from"}
):
    product: str
    unit_price: Decimal
    currency: str
    from_: str | None = None
    """First month, YYYY-MM; from the beginning when absent."""
    to: str | None = None
    """Last month included, YYYY-MM; open-ended when absent."""


class PricingViewEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    code: str
    name: str
    currency: str
    description: str | None = None
    prices: list[PriceEntry] = msgspec.field(default_factory=list)
    prices_file: str | None = None
    """CSV with the header product,unit_price,currency,from,to; relative to the YAML file."""


class PricingFile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    pricing_views: list[PricingViewEntry] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class UnitPrice:
    product_code: str
    month_from: date
    month_to: date | None
    """Exclusive, as in finops.unit_price."""
    currency: str
    unit_price: Decimal


@dataclass(frozen=True)
class RateCard:
    code: str
    name: str
    currency: str
    description: str | None
    prices: list[UnitPrice]


@dataclass(frozen=True)
class FxRate:
    month: date
    from_currency: str
    to_currency: str
    rate: Decimal


@dataclass(frozen=True)
class Pricing:
    views: list[RateCard]
    fx_rates: list[FxRate]


def _price(entry: PriceEntry, where: str) -> UnitPrice:
    if not entry.product.strip():
        raise ConfigError(f"{where}.product: empty; name the product's code")
    if not _CURRENCY.match(entry.currency):
        raise ConfigError(f"{where}.currency: {entry.currency!r} is not an ISO 4217 code")
    if not entry.unit_price.is_finite() or entry.unit_price < 0:
        raise ConfigError(f"{where}.unit_price: {entry.unit_price} must be a number >= 0")
    declared_number(entry.unit_price, f"{where}.unit_price")
    first, end = declared_range(entry.from_, entry.to, where)
    return UnitPrice(entry.product, first, end, entry.currency, entry.unit_price)


def _csv_prices(path: Path, where: str) -> list[tuple[PriceEntry, str]]:
    """The file's prices, each with its line (`path:N`) for the errors of _price."""
    try:
        rows = declared_rows(path, ["product", "unit_price", "currency", "from", "to"])
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None
    entries = []
    for number, row in rows:
        try:
            entries.append((msgspec.convert(row, PriceEntry, strict=False), f"{path}:{number}: price"))
        except msgspec.ValidationError as error:
            raise ConfigError(f"{path}:{number}: {error}") from None
    return entries


def _overlaps(prices: list[UnitPrice], where: str) -> None:
    ordered = sorted(prices, key=lambda p: (p.product_code, p.month_from))
    for before, after in pairwise(ordered):
        if before.product_code == after.product_code and (
            before.month_to is None or before.month_to > after.month_from
        ):
            raise ConfigError(
                f"{where}: two prices of {before.product_code!r} overlap from {after.month_from:%Y-%m}"
            )


def read_fx_rates(path: Path) -> list[FxRate]:
    rates: dict[tuple[date, str, str], FxRate] = {}
    for number, row in declared_rows(path, ["month", "from_currency", "to_currency", "rate"]):
        where = f"{path}:{number}"
        month = declared_month(row["month"], f"{where}: month")
        source, target = row["from_currency"] or "", row["to_currency"] or ""
        if not (_CURRENCY.match(source) and _CURRENCY.match(target)):
            raise ConfigError(f"{where}: expected a month and two ISO 4217 codes, got {row}")
        if source == target:  # valuation would multiply by it
            raise ConfigError(f"{where}: a rate from {source} to itself")
        rate = declared_decimal(row["rate"], f"{where}: rate")
        if rate <= 0:
            raise ConfigError(f"{where}: rate: {row['rate']} must be a positive number")
        key = (month, source, target)
        if key in rates:
            raise ConfigError(f"{where}: a second rate for {source}->{target} in {month:%Y-%m}")
        rates[key] = FxRate(month, source, target, rate)
    return list(rates.values())


def read_pricing(folder: Path) -> Pricing:
    """The rate cards and FX rates of the folder, checked whole; errors name file and entry."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such pricing folder")
    files = declared_files(folder, "*.yaml", "*.yml")
    if not files and not (folder / FX_FILE).is_file():
        # read as it is, it would withdraw every rate card and FX rate: a folder emptied by
        # mistake, or the empty volume of a ConfigMap never created, must not
        raise ConfigError(
            f"{folder}: no pricing files (*.yaml, {FX_FILE}); to withdraw every rate card, "
            "keep a file declaring `pricing_views: []`"
        )
    views: dict[str, RateCard] = {}
    for path in files:
        content = decode_yaml(path, PricingFile)
        for index, entry in enumerate(content.pricing_views):
            where = f"{path}: pricing_views[{index}]"
            if not _CODE.match(entry.code) or entry.code in COST_VIEWS:
                raise ConfigError(
                    f"{where}.code: {entry.code!r} must be a lower-case code, not actual or actual-rate"
                )
            if entry.code.startswith(SIMULATION_PREFIX):
                raise ConfigError(
                    f"{where}.code: {entry.code!r}: {SIMULATION_PREFIX}... codes are the API's simulations"
                )
            if entry.code in views:
                raise ConfigError(f"{where}.code: {entry.code!r} is declared twice")
            if not _CURRENCY.match(entry.currency):
                raise ConfigError(f"{where}.currency: {entry.currency!r} is not an ISO 4217 code")
            if not entry.name.strip():
                raise ConfigError(f"{where}.name: empty; the API and reports show it")
            declared = [(price, f"{where}.prices[{number}]") for number, price in enumerate(entry.prices)]
            if entry.prices_file:
                declared += _csv_prices(path.parent / entry.prices_file, f"{where}.prices_file")
            prices = [_price(price, price_where) for price, price_where in declared]
            _overlaps(prices, where)
            views[entry.code] = RateCard(entry.code, entry.name, entry.currency, entry.description, prices)
    fx_path = folder / FX_FILE
    return Pricing(list(views.values()), read_fx_rates(fx_path) if fx_path.exists() else [])


def apply_pricing(mart: Mart, pricing: Pricing) -> None:
    """Make the file-declared views, their prices and the FX rates match `pricing`, in one
    transaction: readers see the old prices or the new ones."""
    with connection(mart) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('pricing'))")
        taken = cur.execute(
            "SELECT pricing_view_code FROM finops.pricing_view"
            " WHERE NOT from_files AND pricing_view_code = ANY(%s)",
            [[view.code for view in pricing.views]],
        ).fetchall()
        if taken:
            codes = ", ".join(row[0] for row in taken)
            raise ConfigError(
                f"pricing views {codes} exist already and were not created by the pricing files"
            )
        cur.execute(
            "CREATE TEMP TABLE staged_view (code text, name text, currency text, description text)"
            " ON COMMIT DROP"
        )
        cur.execute(
            "CREATE TEMP TABLE staged_price (pricing_view_code text, product_code text, month_from date,"
            " month_to date, currency text, unit_price numeric) ON COMMIT DROP"
        )
        cur.execute(
            "CREATE TEMP TABLE staged_fx (month date, from_currency text, to_currency text, rate numeric)"
            " ON COMMIT DROP"
        )
        with cur.copy("COPY staged_view FROM STDIN") as copy:
            for view in pricing.views:
                copy.write_row((view.code, view.name, view.currency, view.description))
        with cur.copy("COPY staged_price FROM STDIN") as copy:
            for view in pricing.views:
                for p in view.prices:
                    copy.write_row(
                        (view.code, p.product_code, p.month_from, p.month_to, p.currency, p.unit_price)
                    )
        with cur.copy("COPY staged_fx FROM STDIN") as copy:
            for fx in pricing.fx_rates:
                copy.write_row((fx.month, fx.from_currency, fx.to_currency, fx.rate))
        for statement in sql_statements("batch/referentials/apply_pricing.sql"):
            cur.execute(statement)
