"""The world's string tables: every text a month's rows can hold (names, ids, SKUs,
descriptions, resource ids in each provider's style), gathered later by index arrays."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

from finops_assets.demo.generator.catalogue import BILLING_ACCOUNTS, ENVIRONMENTS, PROVIDERS, Commitment
from finops_assets.demo.generator.focus import CHARGE_CATEGORIES, CHARGE_FREQUENCIES, PRICING_CATEGORIES
from finops_assets.demo.generator.series import I64, ascii_series, hex_series
from finops_assets.demo.generator.services import Service


def string_tables(
    products: tuple[Service, ...],
    apps: tuple[str, ...],
    ba_ids: list[str],
    subs: list[tuple[int, str, int]],
    sub_ids: list[str],
    regions: list[tuple[str, str]],
    commitments: list[tuple[int, Commitment]],
    commitment_ids: list[str],
    res_product: I64,
    res_sub: I64,
    res_app: I64,
    res_env: I64,
    res_region: I64,
    res_hex: npt.NDArray[np.uint64],
    n_tagged: int,
    rng: np.random.Generator,
) -> dict[str, pl.Series]:
    """The small lookup tables the month's index arrays gather from. Service-level tables hold
    the P products, then one entry per commitment (its purchase rows)."""

    def table(name: str, values: list[str]) -> pl.Series:
        return pl.Series(name, values, dtype=pl.String)

    tables = {
        "BillingAccountId": table("BillingAccountId", ba_ids),
        "BillingAccountName": table("BillingAccountName", [ba.name for ba in BILLING_ACCOUNTS]),
        "BillingCurrency": table("BillingCurrency", [ba.currency for ba in BILLING_ACCOUNTS]),
        "SubAccountId": table("SubAccountId", sub_ids),
        "SubAccountName": table("SubAccountName", [name for _, name, _ in subs]),
        "ProviderName": table("ProviderName", [p.name for p in PROVIDERS]),
        "PublisherName": table("PublisherName", [p.publisher for p in PROVIDERS]),
        "InvoiceIssuerName": table("InvoiceIssuerName", [p.invoice_issuer for p in PROVIDERS]),
        "RegionId": table("RegionId", [r[0] for r in regions]),
        "RegionName": table("RegionName", [r[1] for r in regions]),
        "ServiceName": table("ServiceName", [p.name for p in products] + [c.service for _, c in commitments]),
        "ServiceCategory": table(
            "ServiceCategory", [p.category for p in products] + [c.service_category for _, c in commitments]
        ),
        "ServiceSubcategory": table(
            "ServiceSubcategory",
            [p.subcategory for p in products] + [c.service_subcategory for _, c in commitments],
        ),
        "PricingUnit": table("PricingUnit", [p.unit for p in products] + ["Months"]),
        "ConsumedUnit": table("ConsumedUnit", [p.consumed_unit for p in products]),
        "ResourceType": table(
            "ResourceType", [p.resource_type for p in products] + [c.type for _, c in commitments]
        ),
        "ChargeCategory": table("ChargeCategory", list(CHARGE_CATEGORIES)),
        "ChargeFrequency": table("ChargeFrequency", list(CHARGE_FREQUENCIES)),
        "PricingCategory": table("PricingCategory", list(PRICING_CATEGORIES)),
        "CommitmentDiscountId": table("CommitmentDiscountId", commitment_ids),
        "CommitmentDiscountName": table("CommitmentDiscountName", [c.name for _, c in commitments]),
        "CommitmentDiscountType": table("CommitmentDiscountType", [c.type for _, c in commitments]),
        "CommitmentDiscountCategory": table(
            "CommitmentDiscountCategory", [c.category for _, c in commitments]
        ),
        "CommitmentDiscountStatus": table("CommitmentDiscountStatus", ["Used"]),
    }

    # SKUs: one SkuId per product (then per commitment), one SkuPriceId per product and pricing
    # category (then per commitment).
    alphabet = np.frombuffer(b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789", dtype=np.uint8)
    n_sku = len(products) + len(commitments)
    sku_ids = ascii_series(alphabet[rng.integers(0, len(alphabet), (n_sku, 16))]).to_list()
    price_ids = ascii_series(alphabet[rng.integers(0, len(alphabet), (n_sku * 3, 10))]).to_list()
    tables["SkuId"] = table("SkuId", [str(s) for s in sku_ids])
    n_products = len(products)
    usage_price_ids = [f"{sku_ids[i // 3]}.{price_ids[i]}" for i in range(3 * n_products)]
    purchase_price_ids = [
        f"{sku_ids[n_products + k]}.{price_ids[3 * n_products + k]}" for k in range(len(commitments))
    ]
    tables["SkuPriceId"] = table("SkuPriceId", usage_price_ids + purchase_price_ids)

    # ChargeDescription: per product x (Standard, Dynamic, Committed, refund), then tax per
    # (account, product), credit per provider, purchase per commitment.
    descriptions = [
        text
        for p in products
        for text in (
            f"{p.meter} ({p.unit})",
            f"Spot: {p.meter} ({p.unit})",
            f"{p.meter} ({p.unit}), covered by commitment",
            f"Refund: {p.meter} ({p.unit})",
        )
    ]
    descriptions += [f"{ba.tax_label} on {p.name}" for ba in BILLING_ACCOUNTS for p in products]
    descriptions += [p.credit for p in PROVIDERS]
    descriptions += [c.description for _, c in commitments]
    tables["ChargeDescription"] = table("ChargeDescription", descriptions)

    # Resources, vectorised: names and fully qualified ids per provider style.
    app_names = pl.Series(apps, dtype=pl.String)
    n_res = len(res_product)
    tagged = np.arange(n_res) < n_tagged
    world = pl.DataFrame(
        {
            "provider": np.array([p.provider for p in products], dtype=np.int64)[res_product],
            "app": app_names.gather(res_app),
            "env": pl.Series(ENVIRONMENTS, dtype=pl.String).gather(res_env),
            "short": pl.Series([p.short for p in products], dtype=pl.String).gather(res_product),
            "id_a": pl.Series([p.id_a for p in products], dtype=pl.String).gather(res_product),
            "id_b": pl.Series([p.id_b for p in products], dtype=pl.String).gather(res_product),
            "region": tables["RegionId"].gather(res_region),
            "sub": tables["SubAccountId"].gather(res_sub),
            "tagged": tagged,
            "hex_a": hex_series(res_hex[:, 0], 16),
            "hex_b": hex_series(res_hex[:, 1], 16),
        }
    )
    c = pl.col
    name = (
        pl.when(c("tagged"))
        .then(pl.concat_str(c("app"), c("env"), c("short"), c("hex_a").str.slice(0, 5), separator="-"))
        .otherwise(pl.concat_str(c("short"), c("hex_a").str.slice(0, 8), separator="-"))
    )
    aws_tail = pl.when(c("id_b").str.ends_with("-0")).then(c("hex_a").str.slice(0, 16)).otherwise(c("name"))
    aws_plain = c("id_a").is_in(["s3", "cloudfront"])
    aws = pl.concat_str(
        pl.lit("arn:aws:"), c("id_a"), pl.lit(":"),
        pl.when(aws_plain).then(pl.lit("")).otherwise(c("region")), pl.lit(":"),
        pl.when(c("id_a") == "s3").then(pl.lit("")).otherwise(c("sub")), pl.lit(":"),
        c("id_b"), aws_tail,
    )  # fmt: skip
    group = pl.when(c("tagged")).then(c("app")).otherwise(pl.lit("shared"))
    azure = pl.concat_str(
        c("sub"), pl.lit("/resourceGroups/rg-"), group, pl.lit("-"), c("env"), pl.lit("/providers/"),
        c("id_a"), pl.lit("/"), c("name"),
    )  # fmt: skip
    google = pl.concat_str(
        pl.lit("//"), c("id_a"), pl.lit("/projects/"), c("sub"), pl.lit("/locations/"), c("region"),
        pl.lit("/"), c("id_b"), pl.lit("/"), c("name"),
    )  # fmt: skip
    oracle = pl.concat_str(
        pl.lit("ocid1."), c("id_a"), pl.lit(".oc1."), c("region"), pl.lit(".a"), c("hex_a"), c("hex_b")
    )
    resources = world.with_columns(name.alias("name")).select(
        pl.when(c("provider") == 0)
        .then(aws)
        .when(c("provider") == 1)
        .then(azure)
        .when(c("provider") == 2)
        .then(google)
        .otherwise(oracle)
        .alias("id"),
        c("name"),
    )
    tables["ResourceId"] = pl.concat([resources["id"], table("ResourceId", commitment_ids)]).rename(
        "ResourceId"
    )
    tables["ResourceName"] = pl.concat(
        [resources["name"], table("ResourceName", [c.name for _, c in commitments])]
    ).rename("ResourceName")
    return tables
