"""AWS Cost and Usage Reports to FOCUS columns.

Legacy CUR names its columns `lineItem/UnblendedCost`; CUR 2.0 (Data Exports) and the Athena
integration write `line_item_unblended_cost`. Both are read through one key, the snake_case
form, so one table of columns serves both.

Costs (AWS "Understanding your amortized costs"): BilledCost is the unblended cost, what the
invoice shows; EffectiveCost is the amortized cost: Savings Plan and reservation effective
costs for covered usage, the unused part of a commitment on its fee lines, and 0 on the
negations and upfront fees whose amounts the effective costs spread. The blended and net
unblended costs are kept as x_BlendedCost and x_NetUnblendedCost (`cost_column: blended`, `net`).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from finops_assets.sources.native.columns import Columns, line_problem, tags_object
from finops_assets.sources.native.reader import read_table

# lineItem/LineItemType -> FOCUS ChargeCategory. Negations, discounts, credits and refunds are
# amounts, not consumption: they become monetary products (unit price 1), never a usage line
# with a negative unit price.
CHARGE_CATEGORIES = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Credit",
    "SavingsPlanRecurringFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "RIFee": "Purchase",
    "Fee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "Refund": "Credit",
    "EdpDiscount": "Credit",
    "BundledDiscount": "Credit",
    "PrivateRateDiscount": "Credit",
    "SppDiscount": "Credit",
    "DistributorDiscount": "Credit",
    "Rounding": "Adjustment",
}
_LEGACY_TAG, _ATHENA_TAG = "resourceTags/", "resource_tags_"


def snake_key(name: str) -> str:
    """`lineItem/UnblendedCost` -> `line_item_unblended_cost`; CUR 2.0 names are unchanged."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).replace("/", "_").lower()


def _tag_columns(frame: pl.DataFrame) -> list[tuple[str, str]]:
    """(tag key, column) of the one-column-per-tag layouts: legacy `resourceTags/user:team`
    (key `user:team`), Athena `resource_tags_user_team` (key `user_team`), and the cost
    categories (`costCategory/name`, kept under that key)."""
    pairs = []
    for name in frame.columns:
        if name.startswith(_LEGACY_TAG):
            pairs.append((name[len(_LEGACY_TAG) :], name))
        elif name.startswith(_ATHENA_TAG):
            pairs.append((name[len(_ATHENA_TAG) :], name))
        elif name.startswith(("costCategory/", "cost_category_")) and frame.schema[name] == pl.String:
            pairs.append((name, name))
    return pairs


def _amortized(c: Columns) -> pl.Expr:
    kind = c.text("line_item_line_item_type")
    zero = pl.lit(0).cast(pl.Decimal(38, 18))
    return (
        pl.when(kind == "SavingsPlanCoveredUsage")
        .then(c.decimal("savings_plan_savings_plan_effective_cost"))
        .when(kind.is_in(["SavingsPlanNegation", "SavingsPlanUpfrontFee"]))
        .then(zero)
        .when(kind == "SavingsPlanRecurringFee")
        .then(c.decimal("savings_plan_total_commitment_to_date") - c.decimal("savings_plan_used_commitment"))
        .when(kind == "DiscountedUsage")
        .then(c.decimal("reservation_effective_cost"))
        .when(kind == "RIFee")
        .then(
            c.decimal("reservation_unused_amortized_upfront_fee_for_billing_period").fill_null(zero)
            + c.decimal("reservation_unused_recurring_fee").fill_null(zero)
        )
        .when((kind == "Fee") & c.text("reservation_reservation_arn").is_not_null())
        .then(zero)  # an upfront reservation fee: its amortized share is on the DiscountedUsage lines
        .otherwise(c.decimal("line_item_unblended_cost"))
    )


class AwsCur:
    """The converter of AWS Cost and Usage Reports (CSV, gzip or ZIP, Parquet)."""

    def read(self, path: Path) -> pl.DataFrame:
        return read_table(path)

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        c = Columns(raw, snake_key)
        month = c.date("bill_billing_period_start_date")
        tags = c.name("resource_tags")
        tag_text = pl.col(tags) if tags is not None else tags_object(_tag_columns(raw))
        kind = c.text("line_item_line_item_type")
        return raw.select(
            "_line",
            *c.provider_columns(),
            month.alias("BillingPeriodStart"),
            c.raw("line_item_usage_start_date").alias("ChargePeriodStart"),
            *c.optional("BillingCurrency", "line_item_currency_code"),
            c.number("line_item_unblended_cost").alias("BilledCost"),
            _amortized(c).alias("EffectiveCost"),
            c.number("line_item_blended_cost").alias("x_BlendedCost"),
            c.number("line_item_net_unblended_cost").alias("x_NetUnblendedCost"),
            c.number("line_item_usage_amount").alias("PricingQuantity"),
            c.raw("pricing_unit").alias("PricingUnit"),
            c.number("line_item_usage_amount").alias("ConsumedQuantity"),
            c.raw("pricing_unit").alias("ConsumedUnit"),
            kind.replace_strict(CHARGE_CATEGORIES, default="Usage", return_dtype=pl.String).alias(
                "ChargeCategory"
            ),
            pl.lit("AWS").alias("ProviderName"),
            pl.coalesce(c.raw("product_product_name"), c.raw("line_item_product_code")).alias("ServiceName"),
            c.raw("product_product_family").alias("ServiceCategory"),
            c.raw("line_item_usage_account_id").alias("SubAccountId"),
            pl.coalesce(c.raw("product_region_code"), c.raw("product_region")).alias("RegionId"),
            c.raw("line_item_resource_id").alias("ResourceId"),
            c.raw("product_sku").alias("SkuId"),
            c.raw("line_item_line_item_description").alias("ChargeDescription"),
            tag_text.alias("Tags"),
            line_problem(
                c,
                month=(month, c.label("bill_billing_period_start_date")),
                currency=("line_item_currency_code",),
                cost=("line_item_unblended_cost",),
                numbers=(
                    "line_item_usage_amount",
                    "line_item_blended_cost",
                    "savings_plan_savings_plan_effective_cost",
                    "reservation_effective_cost",
                ),
            ).alias("_problem"),
        )
