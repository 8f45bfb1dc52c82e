"""Azure Cost Management cost details (usage details) exports to FOCUS columns.

The same column has many spellings across agreements and years: `Cost` (EA),
`CostInBillingCurrency` (EA, newer), `costInBillingCurrency` (MCA), `PreTaxCost` (older),
and localised headers carry the name in brackets (`Maßeinheit (UnitOfMeasure)`). They are
read through one key: the bracketed name when there is one, lower-cased.

Whether costs are actual or amortized is the export's own choice (ActualCost or
AmortizedCost): both FOCUS cost columns hold the file's cost. The cost in the pricing currency
is kept as PricingCurrencyEffectiveCost (`cost_column: pricing_currency`).
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from finops_assets.sources.native.columns import Columns, line_problem
from finops_assets.sources.native.reader import read_table

CHARGE_CATEGORIES = {
    "usage": "Usage",
    "unusedreservation": "Usage",
    "unusedsavingsplan": "Usage",
    "purchase": "Purchase",
    "refund": "Credit",
    "tax": "Tax",
    "roundingadjustment": "Adjustment",
}
COST = ("costinbillingcurrency", "cost", "pretaxcost")
CURRENCY = ("billingcurrency", "billingcurrencycode", "currency")


def azure_key(name: str) -> str:
    """`Abonnement-GUID (SubscriptionGuid)` -> `subscriptionguid`; `Cost` -> `cost`."""
    bracketed = re.search(r"\((\w+)\)$", name)
    return (bracketed.group(1) if bracketed else name).lower()


class AzureCostDetails:
    """The converter of Azure cost details exports (CSV, gzip or ZIP, Parquet)."""

    def read(self, path: Path) -> pl.DataFrame:
        return read_table(path)

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        c = Columns(raw, azure_key)
        # MCA exports may leave the billing period empty: the month is then the usage date's
        day = c.date("date", "usagedatetime")
        month = pl.coalesce(c.date("billingperiodstartdate"), day)
        month_label = "/".join(c.label(k) for k in ("billingperiodstartdate", "date"))
        charge_type = c.text("chargetype").str.to_lowercase()
        return raw.select(
            "_line",
            *c.provider_columns(),
            month.alias("BillingPeriodStart"),
            day.alias("ChargePeriodStart"),
            *c.optional("BillingCurrency", *CURRENCY),
            c.number(*COST).alias("BilledCost"),
            c.number(*COST).alias("EffectiveCost"),
            *c.optional("PricingCurrency", "pricingcurrency"),
            c.number("costinpricingcurrency").alias("PricingCurrencyEffectiveCost"),
            c.number("quantity", "usagequantity").alias("PricingQuantity"),
            c.raw("unitofmeasure").alias("PricingUnit"),
            c.number("quantity", "usagequantity").alias("ConsumedQuantity"),
            c.raw("unitofmeasure").alias("ConsumedUnit"),
            charge_type.replace_strict(CHARGE_CATEGORIES, default="Usage", return_dtype=pl.String).alias(
                "ChargeCategory"
            ),
            pl.lit("Microsoft").alias("ProviderName"),
            c.raw("metercategory").alias("ServiceName"),
            c.raw("servicefamily").alias("ServiceCategory"),
            c.raw("subscriptionid", "subscriptionguid").alias("SubAccountId"),
            c.text("resourcelocation").str.to_lowercase().alias("RegionId"),
            c.raw("resourceid", "instanceid").alias("ResourceId"),
            c.raw("meterid").alias("SkuId"),
            c.raw("tags").alias("Tags"),
            line_problem(
                c,
                month=(month, month_label),
                currency=CURRENCY,
                cost=COST,
                numbers=("quantity", "usagequantity", "costinpricingcurrency"),
            ).alias("_problem"),
        )
