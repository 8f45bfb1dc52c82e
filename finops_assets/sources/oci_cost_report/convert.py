"""Oracle Cloud Infrastructure cost reports (`lineItem/...`, `cost/...`, `product/...`,
`usage/...`, `tags/...`) to FOCUS columns. A report covers hourly intervals; a line's billing
month is the month its interval starts in (written with or without seconds)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finops_assets.sources.native.columns import Columns, line_problem, tags_object
from finops_assets.sources.native.reader import read_table

_TAG = "tags/"


class OciCostReport:
    """The converter of OCI cost reports (CSV, gzip or ZIP)."""

    def read(self, path: Path) -> pl.DataFrame:
        return read_table(path)

    def convert(self, raw: pl.DataFrame) -> pl.DataFrame:
        c = Columns(raw, str.lower)
        start = c.date("lineitem/intervalusagestart")
        tags = [(name[len(_TAG) :], name) for name in raw.columns if name.startswith(_TAG)]
        correction = c.text("lineitem/iscorrection").str.to_lowercase() == "true"
        return raw.select(
            "_line",
            *c.provider_columns(),
            start.alias("BillingPeriodStart"),
            start.alias("ChargePeriodStart"),
            *c.optional("BillingCurrency", "cost/currencycode"),
            c.number("cost/mycost").alias("BilledCost"),
            c.number("cost/mycost").alias("EffectiveCost"),
            c.number("usage/billedquantity").alias("PricingQuantity"),
            c.text("cost/skuunitdescription").alias("PricingUnit"),
            c.number("usage/billedquantity").alias("ConsumedQuantity"),
            c.text("cost/skuunitdescription").alias("ConsumedUnit"),
            pl.when(correction).then(pl.lit("Adjustment")).otherwise(pl.lit("Usage")).alias("ChargeCategory"),
            pl.lit("Oracle").alias("ProviderName"),
            c.text("product/service").alias("ServiceName"),
            c.text("product/service").alias("ServiceCategory"),
            c.text("product/compartmentid").alias("SubAccountId"),
            c.text("product/region").alias("RegionId"),
            c.text("product/resourceid").alias("ResourceId"),
            c.text("cost/productsku").alias("SkuId"),
            c.text("product/description").alias("ChargeDescription"),
            tags_object(tags).alias("Tags"),
            line_problem(
                c,
                month=(start, c.label("lineitem/intervalusagestart")),
                currency=("cost/currencycode",),
                cost=("cost/mycost",),
                numbers=("usage/billedquantity",),
            ).alias("_problem"),
        )
