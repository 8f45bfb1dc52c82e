"""One billing month of FOCUS rows, deterministic from (spec, month).

Money is exact. Every amount is an integer number of 1e-10 (or, for unit prices and quantities,
1e-6 and 1e-4) units drawn and combined with numpy int64 arithmetic, then handed to Arrow as
decimal128 without any float conversion. Cost columns and quantities are Decimal(38, 10); CSV
writes them as plain decimal strings. On Usage and Purchase rows
`ListCost = ListUnitPrice x PricingQuantity` and `ContractedCost = ContractedUnitPrice x
PricingQuantity` hold exactly (a 6-decimal price times a 4-decimal quantity fits in 10 decimals).

What the rows look like (per month, `rows_per_month` rows in all):
- Usage (about 97%): a resource's charge for one day. PricingCategory is Standard (billed at
  the negotiated price), Dynamic (spot virtual machines) or Committed (covered by the billing
  account's savings plan, reservation or committed-use discount: BilledCost 0, EffectiveCost the
  discounted amortized cost, as FOCUS requires). About 0.3% of Standard rows are refunds with
  negative quantities and costs. A share `untagged_share` of usage rows belongs to resources
  whose Tags are null or lack the `application` key.
- Tax (about 2%): per (sub-account, product, day), the account's rate on the related usage
  (each cost column from its usage counterpart), floored to the cent; no quantity, unit, unit
  prices or SKU.
- Credit (about 1%): negative amounts, all four cost columns equal, no quantity.
- Purchase (one per active commitment): the commitment's monthly recurring fee. EffectiveCost is
  0, and its BilledCost equals the EffectiveCost of the usage the commitment covered, so
  sum(EffectiveCost) == sum(BilledCost) per CommitmentDiscountId.
Per positive usage row 0 <= EffectiveCost <= ContractedCost <= ListCost, and BilledCost is
ContractedCost (Standard, Dynamic) or 0 (Committed). `x_Discounts` = ListCost - EffectiveCost on
usage rows (negotiated, spot and commitment savings), null elsewhere.

Each month's rows come from a numpy Generator seeded with (seed, year, month), on top of the
world (world.py) that the seed alone fixes: same spec and month, same bytes.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl

from finops_assets.demo.generator.catalogue import BILLING_ACCOUNTS, PROVIDERS
from finops_assets.demo.generator.focus import (
    CENT,
    COMMITTED,
    CREDIT,
    DYNAMIC,
    PRICE_SCALE,
    PURCHASE,
    QTY_SCALE,
    SCALE,
    STANDARD,
    TAX,
    USAGE,
)
from finops_assets.demo.generator.series import I64, constant, decimal_series, lookup, take
from finops_assets.demo.generator.spec import DemoSpec, check_month
from finops_assets.demo.generator.world import World, world_for
from finops_core.months import add_months

TAX_SHARE_PERCENT = 2
CREDIT_SHARE_PERCENT = 1
REFUND_SHARE = 0.003  # float ok: a probability
COMMITTED_SHARE = 0.45  # float ok: a probability (of an eligible usage row being covered)


def generate_month(spec: DemoSpec, month: date) -> pl.DataFrame:
    """One billing month (`month` is its first day) of FOCUS rows: exactly `spec.rows_per_month`
    rows in the columns of COLUMNS, deterministic from (spec, month)."""
    check_month(month)
    world = world_for(spec.rows_per_month, spec.applications, spec.products, spec.seed)
    rng = np.random.default_rng([spec.seed, month.year, month.month])
    return _month_frame(world, spec, month, rng)


def _floor_cents(amount: I64, numerator: I64 | int, denominator: int) -> I64:
    """amount x numerator / denominator, floored to a whole cent; int64 throughout."""
    return (amount // CENT) * numerator // denominator * CENT


def _group_sums(keys: I64, values: list[I64]) -> tuple[I64, list[I64]]:
    """The distinct keys (sorted) and, per value array, the exact int64 sum over each key's rows
    (integer sums do not depend on the summation order)."""
    order = np.argsort(keys)
    sorted_keys = keys[order]
    unique, starts = np.unique(sorted_keys, return_index=True)
    if not len(unique):
        return unique, [v[:0] for v in values]
    return unique, [np.add.reduceat(v[order], starts) for v in values]


def _month_frame(world: World, spec: DemoSpec, month: date, rng: np.random.Generator) -> pl.DataFrame:
    n = spec.rows_per_month
    days = (add_months(month, 1) - month).days
    n_commitments = len(world.commitment_ba)
    n_purchase = min(n_commitments, n // 100)
    n_tax = n * TAX_SHARE_PERCENT // 100
    n_credit = n * CREDIT_SHARE_PERCENT // 100
    n_usage = n - n_purchase - n_tax - n_credit
    n_products = world.n_products
    # commitments with a purchase row this month (one spare slot so that -1 indexes safely)
    active = np.arange(n_commitments + 1) < n_purchase

    # ---- usage -------------------------------------------------------------------------------
    n_tagged = world.n_tagged
    n_untagged = len(world.res_product) - n_tagged
    untagged = rng.random(n_usage) < spec.untagged_share  # float ok: a probability
    res = np.where(
        untagged, n_tagged + rng.integers(0, n_untagged, n_usage), rng.integers(0, n_tagged, n_usage)
    ).astype(np.int64)
    day = np.sort(rng.integers(0, days, n_usage))  # rows are iid: sorting days keeps them so
    product = world.res_product[res]
    sub = world.res_sub[res]
    ba = world.sub_ba[sub]
    growth = rng.integers(90, 116, world.n_apps)[world.res_app[res]]  # this month's demand, percent

    full_day = rng.random(n_usage) < 0.85  # float ok: a probability
    hours = np.where(full_day, 24, rng.integers(1, 24, n_usage)) * world.res_count[res] * 10**QTY_SCALE
    storage = world.res_size[res] * 10**QTY_SCALE * rng.integers(98, 103, n_usage) // (100 * days)
    volume = world.res_size[res] * rng.integers(20, 181, n_usage) // 100
    kind = world.product_kind[product]
    quantity = np.where(kind == 0, hours, np.where(kind == 1, storage, volume)) * growth // 100
    quantity = np.maximum(quantity, 1).astype(np.int64)

    spot_percent = world.res_spot_percent[res]
    commitment = world.ba_commitment[ba]
    covered = (
        (spot_percent == 0)
        & world.product_eligible[product]
        & (commitment >= 0)
        & active[commitment]
        & (rng.random(n_usage) < COMMITTED_SHARE)  # float ok: a probability
    )
    pricing = np.where(spot_percent > 0, DYNAMIC, np.where(covered, COMMITTED, STANDARD)).astype(np.int64)
    refund = (pricing == STANDARD) & (rng.random(n_usage) < REFUND_SHARE)  # float ok: a probability
    quantity = np.where(refund, -quantity, quantity)

    list_price = world.product_price[product, ba]
    contracted_price = np.where(
        spot_percent > 0,
        list_price * spot_percent // 100,
        list_price * (100 - world.ba_negotiated[ba]) // 100,
    )
    list_cost = list_price * quantity  # 1e-6 x 1e-4 = 1e-10: exact
    contracted_cost = contracted_price * quantity
    commitment_discount = world.commitment_discount[np.maximum(commitment, 0)] if n_commitments else 0
    effective = np.where(covered, contracted_cost * (100 - commitment_discount) // 100, contracted_cost)
    billed = np.where(covered, 0, contracted_cost)
    consumed = quantity * world.product_consumed_factor[product]

    # ---- tax and credits: per (sub-account, product, day) of the usage ------------------------
    keys = (sub * n_products + product) * days + day
    present, sums = _group_sums(keys, [list_cost, contracted_cost, billed, effective])

    def draw(count: int) -> I64:
        """`count` distinct groups (repeats only when there are fewer groups), as positions."""
        if count == 0 or len(present) == 0:
            return np.zeros(0, dtype=np.int64)
        return np.sort(rng.choice(len(present), size=count, replace=count > len(present)))

    tax_at = draw(n_tax)
    tax_at = tax_at[np.argsort(present[tax_at] % days, kind="stable")]  # by day, like the usage
    tax_keys = present[tax_at]
    tax_bases = [total[tax_at] for total in sums]
    credit_at = draw(n_credit)
    credit_at = credit_at[np.argsort(present[credit_at] % days, kind="stable")]
    credit_keys = present[credit_at]
    credit_base = sums[3][credit_at]
    tax_sub, tax_rest = np.divmod(tax_keys, n_products * days)
    tax_product, tax_day = np.divmod(tax_rest, days)
    tax_ba = world.sub_ba[tax_sub]
    tax_rate = world.ba_tax_bp[tax_ba]
    tax_costs = [_floor_cents(base, tax_rate, 10_000) for base in tax_bases]

    credit_sub, credit_rest = np.divmod(credit_keys, n_products * days)
    credit_product, credit_day = np.divmod(credit_rest, days)
    credit_ba = world.sub_ba[credit_sub]
    credit_percent = rng.integers(5, 51, len(credit_keys))
    credit = -np.maximum(_floor_cents(credit_base, credit_percent, 100), CENT)

    # ---- purchases: each active commitment's monthly fee = the usage it covered --------------
    purchase_k = np.arange(n_purchase, dtype=np.int64)
    purchase_fee = np.zeros(n_purchase, dtype=np.int64)
    for k in range(n_purchase):  # one per commitment (at most four), not per row
        purchase_fee[k] = effective[covered & (commitment == k)].sum()
    purchase_ba = world.commitment_ba[purchase_k]

    # ---- all rows: the four blocks, ordered by charge day (monthly purchases first) ----------
    sizes = (n_purchase, n_usage, len(tax_at), len(credit_at))
    order = np.argsort(
        np.concatenate([np.full(n_purchase, -1), day, tax_day, credit_day]).astype(np.int16), kind="stable"
    )

    def rows(purchase: I64 | int, usage: I64 | int, tax: I64 | int, credit: I64 | int) -> I64:
        """One value per row from per-block arrays or constants (-1: null)."""
        parts = [np.broadcast_to(np.asarray(part, dtype=np.int64), (size,)) for part, size in
                 zip((purchase, usage, tax, credit), sizes, strict=True)]  # fmt: skip
        return np.concatenate(parts)[order]

    category = rows(PURCHASE, USAGE, TAX, CREDIT)
    is_usage = category == USAGE
    priced = is_usage | (category == PURCHASE)
    row_ba = rows(purchase_ba, ba, tax_ba, credit_ba)
    row_sub = rows(world.commitment_sub[purchase_k], sub, tax_sub, credit_sub)
    row_provider = world.ba_provider[row_ba]
    service = rows(n_products + purchase_k, product, tax_product, credit_product)
    start_day = rows(0, day, tax_day, credit_day)
    end_day = rows(days - 1, day, tax_day, credit_day)
    n_resources = len(world.res_product)
    row_res = rows(n_resources + purchase_k, res, -1, -1)
    row_region = rows(-1, world.res_region[res], -1, -1)
    row_pricing = rows(STANDARD, pricing, -1, -1)
    row_commitment = rows(purchase_k, np.where(covered, commitment, -1), -1, -1)
    row_status = rows(-1, np.where(covered, 0, -1), -1, -1)
    row_tags = rows(-1, world.res_tag[res], -1, -1)
    tax_descriptions = 4 * n_products
    credit_descriptions = tax_descriptions + len(BILLING_ACCOUNTS) * n_products
    purchase_descriptions = credit_descriptions + len(PROVIDERS)
    description = rows(
        purchase_descriptions + purchase_k,
        product * 4 + np.where(refund, 3, pricing),
        tax_descriptions + tax_ba * n_products + tax_product,
        credit_descriptions + world.ba_provider[credit_ba],
    )
    unit = rows(n_products, product, -1, -1)
    sku = rows(n_products + purchase_k, product, -1, -1)
    sku_price = rows(3 * n_products + purchase_k, product * 3 + pricing, -1, -1)

    # Money in 1e-10 units. Purchases: one month (PricingQuantity 1) at the fee.
    tax_list, tax_contracted, tax_billed, tax_effective = tax_costs
    to_ten = 10 ** (SCALE - PRICE_SCALE)
    money = {
        "BilledCost": rows(purchase_fee, billed, tax_billed, credit),
        "ContractedCost": rows(purchase_fee, contracted_cost, tax_contracted, credit),
        "EffectiveCost": rows(0, effective, tax_effective, credit),
        "ListCost": rows(purchase_fee, list_cost, tax_list, credit),
        "x_Discounts": rows(0, list_cost - effective, 0, 0),
        "ListUnitPrice": rows(purchase_fee, list_price * to_ten, 0, 0),
        "ContractedUnitPrice": rows(purchase_fee, contracted_price * to_ten, 0, 0),
    }
    pricing_quantity = rows(10**QTY_SCALE, quantity, 0, 0)  # 1e-4 units
    consumed_quantity = rows(0, consumed, 0, 0)

    t = world.tables
    end = add_months(month, 1)
    day_starts = [f"{month + timedelta(days=d):%Y-%m-%d}T00:00:00Z" for d in range(days)]
    day_ends = [f"{month + timedelta(days=d + 1):%Y-%m-%d}T00:00:00Z" for d in range(days)]
    invoice_ids = [f"INV-{month:%Y%m}-{b + 1:04d}" for b in range(len(BILLING_ACCOUNTS))]
    n_rows = len(category)
    columns: dict[str, pl.Series] = {
        "BilledCost": decimal_series(money["BilledCost"], SCALE),
        "BillingAccountId": take(t["BillingAccountId"], row_ba),
        "BillingAccountName": take(t["BillingAccountName"], row_ba),
        "BillingCurrency": take(t["BillingCurrency"], row_ba),
        "BillingPeriodEnd": constant(f"{end:%Y-%m-%d}T00:00:00Z", n_rows),
        "BillingPeriodStart": constant(f"{month:%Y-%m-%d}T00:00:00Z", n_rows),
        "ChargeCategory": take(t["ChargeCategory"], category),
        "ChargeClass": pl.repeat(None, n_rows, dtype=pl.String, eager=True),
        "ChargeDescription": take(t["ChargeDescription"], description),
        "ChargeFrequency": take(t["ChargeFrequency"], category),
        "ChargePeriodEnd": take(lookup(day_ends), end_day),
        "ChargePeriodStart": take(lookup(day_starts), start_day),
        "CommitmentDiscountCategory": take(t["CommitmentDiscountCategory"], row_commitment),
        "CommitmentDiscountId": take(t["CommitmentDiscountId"], row_commitment),
        "CommitmentDiscountName": take(t["CommitmentDiscountName"], row_commitment),
        "CommitmentDiscountStatus": take(t["CommitmentDiscountStatus"], row_status),
        "CommitmentDiscountType": take(t["CommitmentDiscountType"], row_commitment),
        "ConsumedQuantity": decimal_series(consumed_quantity, QTY_SCALE, is_usage),
        "ConsumedUnit": take(t["ConsumedUnit"], np.where(is_usage, service, -1)),
        "ContractedCost": decimal_series(money["ContractedCost"], SCALE),
        "ContractedUnitPrice": decimal_series(money["ContractedUnitPrice"], SCALE, priced),
        "EffectiveCost": decimal_series(money["EffectiveCost"], SCALE),
        "InvoiceId": take(lookup(invoice_ids), row_ba),
        "InvoiceIssuerName": take(t["InvoiceIssuerName"], row_provider),
        "ListCost": decimal_series(money["ListCost"], SCALE),
        "ListUnitPrice": decimal_series(money["ListUnitPrice"], SCALE, priced),
        "PricingCategory": take(t["PricingCategory"], row_pricing),
        "PricingQuantity": decimal_series(pricing_quantity, QTY_SCALE, priced),
        "PricingUnit": take(t["PricingUnit"], unit),
        "ProviderName": take(t["ProviderName"], row_provider),
        "PublisherName": take(t["PublisherName"], row_provider),
        "RegionId": take(t["RegionId"], row_region),
        "RegionName": take(t["RegionName"], row_region),
        "ResourceId": take(t["ResourceId"], row_res),
        "ResourceName": take(t["ResourceName"], row_res),
        "ResourceType": take(t["ResourceType"], np.where(priced, service, -1)),
        "ServiceCategory": take(t["ServiceCategory"], service),
        "ServiceName": take(t["ServiceName"], service),
        "ServiceSubcategory": take(t["ServiceSubcategory"], service),
        "SkuId": take(t["SkuId"], sku),
        "SkuPriceId": take(t["SkuPriceId"], sku_price),
        "SubAccountId": take(t["SubAccountId"], row_sub),
        "SubAccountName": take(t["SubAccountName"], row_sub),
        "Tags": take(t["Tags"], row_tags),
        "x_Discounts": decimal_series(money["x_Discounts"], SCALE, is_usage),
    }
    return pl.DataFrame([series.rename(name) for name, series in columns.items()])
