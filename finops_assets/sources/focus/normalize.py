"""From FOCUS billing lines to consumption lines: month, application, product, quantity, cost.

Every record ends in exactly one of the two frames returned: the normalised lines, or the
rejects with the column at fault and the reason. Nothing is dropped.

Quantity is the priced volume (PricingQuantity), so Cost = Quantity x Unit Price holds per line.
Amounts that are not consumption (tax, credits, lines with no priced quantity) become a
monetary product whose unit is the currency and whose quantity is the amount itself: its unit
price is 1 in every pricing view (docs/design.md section 6).
"""

from __future__ import annotations

import polars as pl

from finops_assets.landing import FACT_KEYS, PRODUCT_COLUMNS
from finops_assets.sources.decimals import DECIMAL, parse_decimal
from finops_assets.sources.files import READ_PROBLEM
from finops_assets.sources.focus.mapping import (
    MATCH_PREFIX,
    TAG_SET,
    FocusOptions,
    broken_tags,
    distinct_tags,
    match_keys,
    matched_product,
    tag_sets,
    text_column,
    with_applications,
)
from finops_assets.sources.focus.reader import month_expr
from finops_core.vocabulary import CURRENCY_PATTERN

# What normalisation adds to a line (besides `_file` and `_line`, where it was read).
NORMALISED_COLUMNS = (
    "month", "currency", "application_code", "application_rule", "is_monetary", "quantity", "cost",
)  # fmt: skip
LINE_COLUMNS = (
    "BillingPeriodStart", "ChargeCategory", "Tags", "PricingQuantity", "PricingUnit", "ProviderName",
    "RegionId", "ServiceCategory", "ServiceName", "SkuId", "SubAccountId",
)  # fmt: skip
"""The FOCUS columns normalisation reads, besides the cost, its currency and the rules' own."""
MONETARY_FAMILY = "monetary"
MONETARY_CATEGORIES = ("Tax", "Credit")
CONVERSION_PROBLEM = "_problem"
"""Set by a provider's converter on a line whose own columns are wrong: the reject reason."""


def _slug(expr: pl.Expr) -> pl.Expr:
    return expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-")


def read_columns(options: FocusOptions) -> frozenset[str]:
    """Every FOCUS column normalisation reads with these options (the others are only kept)."""
    rules = {rule.column for rule in options.all_application_rules if rule.column is not None}
    costs = {options.cost_column, options.currency_column}
    return frozenset({*LINE_COLUMNS, *costs, *rules, *options.product_rule_columns})


def normalize_focus(raw: pl.DataFrame, options: FocusOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(lines, rejects). `raw` holds FOCUS columns plus `_file`, `_line` and `_month` (the
    partition month the rows were read for). Rejects carry `_file`, `_line`, `column`,
    `reason` and the raw columns."""
    cost_column, currency_column = options.cost_column, options.currency_column
    cost_value, cost_problem = (
        parse_decimal(cost_column, raw.schema[cost_column])
        if cost_column in raw.columns
        else (pl.lit(None, DECIMAL), pl.lit(None, pl.String))
    )
    quantity_value, quantity_problem = (
        parse_decimal("PricingQuantity", raw.schema["PricingQuantity"])
        if "PricingQuantity" in raw.columns
        else (pl.lit(None, DECIMAL), pl.lit(None, pl.String))
    )
    if currency_column in raw.columns:
        # a batch has a few currencies: each distinct text is trimmed and upper-cased once
        texts = raw.select(pl.col(currency_column).cast(pl.String).unique().drop_nulls()).to_series()
        upper = texts.str.strip_chars().str.to_uppercase()
        currency = pl.col(currency_column).cast(pl.String).replace_strict(texts, upper, default=None)
    else:
        currency = pl.lit(options.default_currency, pl.String)
    tags = distinct_tags(raw)
    checked = raw.with_columns(
        cost_value.alias("cost"),
        quantity_value.alias("_quantity"),
        currency.alias("currency"),
        *([] if tags is None else [tag_sets(tags).alias(TAG_SET)]),
    )
    month = month_expr(raw)
    tags_broken = broken_tags(raw, tags)
    iso_code = pl.col("currency").str.contains(CURRENCY_PATTERN)
    month_text = text_column(raw, "BillingPeriodStart")
    checks = pl.coalesce(
        # what reading found (a month outside the partitions, a NUL character) comes first, then
        # what a converted provider file says is wrong in its own columns
        pl.col(READ_PROBLEM) if READ_PROBLEM in raw.columns else pl.lit(None, pl.String),
        pl.col(CONVERSION_PROBLEM) if CONVERSION_PROBLEM in raw.columns else pl.lit(None, pl.String),
        pl.when(month.is_null()).then(
            pl.when(month_text.is_null())
            .then(pl.lit("BillingPeriodStart: missing"))
            .otherwise(pl.format("BillingPeriodStart: not a timestamp: '{}'", month_text))
        ),
        pl.when(pl.col("currency").is_null()).then(
            pl.lit(
                f"{currency_column}: missing"
                if currency_column in raw.columns
                else f"{currency_column}: column missing and no default_currency configured"
            )
        ),
        pl.when(~iso_code).then(
            pl.format(f"{currency_column}: not an ISO 4217 code: '{{}}'", pl.col("currency"))
        ),
        pl.when(pl.col("cost").is_null() & cost_problem.is_null()).then(
            pl.lit(f"{cost_column}: missing" + ("" if cost_column in raw.columns else " (no such column)"))
        ),
        cost_problem,
        quantity_problem,
        pl.when(tags_broken).then(pl.format("Tags: not a JSON object: '{}'", pl.col("Tags")))
        if tags is not None
        else pl.lit(None, pl.String),
    )
    # The reasons are texts formatted for every row they are evaluated on (polars computes
    # both sides of a `when`): they are evaluated only on the rows that some check could
    # reject, found with booleans alone (a quantity that is not null in the file but null
    # parsed; a cost null parsed), none in the usual batch.
    suspect = pl.any_horizontal(
        pl.col(READ_PROBLEM).is_not_null() if READ_PROBLEM in raw.columns else False,
        pl.col(CONVERSION_PROBLEM).is_not_null() if CONVERSION_PROBLEM in raw.columns else False,
        month.is_null(),
        ~iso_code.fill_null(False),
        pl.col("cost").is_null(),
        pl.col("_quantity").is_null() & pl.col("PricingQuantity").is_not_null()
        if "PricingQuantity" in raw.columns
        else False,
        tags_broken,
    )
    suspects = checked.select(suspect).to_series().arg_true()
    reason = pl.repeat(None, checked.height, dtype=pl.String, eager=True)
    if suspects.len():
        reason = reason.scatter(suspects, checked[suspects].select(checks).to_series())
    checked = checked.with_columns(reason.alias("reason"))
    rejected = checked["reason"].is_not_null()
    rejects = (
        checked.filter(rejected)
        .with_columns(pl.col("reason").str.extract(r"^(.+?): ").alias("column"))
        .drop("cost", "_quantity", "currency", TAG_SET, CONVERSION_PROBLEM, READ_PROBLEM, strict=False)
    )
    # a filter copies every column: skip it in the usual case of a month without rejects
    valid = checked.filter(~rejected) if rejects.height else checked
    valid = valid.drop("reason", CONVERSION_PROBLEM, READ_PROBLEM, strict=False)
    return _consumption_lines(valid, options, tags), rejects


def _consumption_lines(valid: pl.DataFrame, options: FocusOptions, tags: pl.Series | None) -> pl.DataFrame:
    quantity = pl.col("_quantity")
    cost = pl.col("cost")
    is_monetary = (
        text_column(valid, "ChargeCategory").is_in(MONETARY_CATEGORIES).fill_null(False)
        | quantity.is_null()
        | ((quantity == 0) & (cost != 0))
    )
    return (
        with_applications(valid, options, tags)
        .with_columns(
            pl.col("_month").alias("month"),
            is_monetary.alias("is_monetary"),
            pl.when(is_monetary).then(cost).otherwise(quantity).alias("quantity"),
        )
        .drop("_quantity", "_month", TAG_SET, strict=False)
    )


def _combination_keys(lines: pl.DataFrame, options: FocusOptions) -> list[pl.Expr]:
    """What a fact row and its product are derived from, as the lines hold them (untrimmed:
    trimming runs later, on the distinct combinations)."""

    def raw(column: str) -> pl.Expr:
        if column not in lines.columns:
            return pl.lit(None, pl.String)
        return pl.col(column).cast(pl.String)

    return [
        pl.col("application_code"),
        pl.col("currency"),
        pl.col("is_monetary"),
        raw("SubAccountId").alias("_SubAccountId"),
        raw("RegionId").alias("_RegionId"),
        raw("ProviderName").alias("_ProviderName"),
        pl.coalesce(raw("ServiceName"), raw("SkuId")).alias("_Service"),
        raw("PricingUnit").alias("_PricingUnit"),
        raw("ServiceCategory").alias("_ServiceCategory"),
        raw("ChargeCategory").alias("_ChargeCategory"),
        *match_keys(lines, options),
    ]


def _text(column: str) -> pl.Expr:
    trimmed = pl.col(column).str.strip_chars()
    return pl.when(trimmed == "").then(None).otherwise(trimmed)


PRODUCT_INPUTS = (
    "currency", "is_monetary", "_ProviderName", "_Service", "_PricingUnit", "_ServiceCategory",
    "_ChargeCategory",
)  # fmt: skip
"""The combination keys a product is named from (besides the product rules' match keys)."""


def _product_attributes(options: FocusOptions) -> list[pl.Expr]:
    """Product code, name, family and unit, from the combination keys (PRODUCT_INPUTS)."""
    is_monetary = pl.col("is_monetary")
    provider = _text("_ProviderName")
    service = _text("_Service")
    pricing_unit = pl.coalesce(_text("_PricingUnit"), pl.lit("Units"))
    service_category = pl.coalesce(_text("_ServiceCategory"), pl.lit("Other"))
    provider_slug = pl.coalesce(_slug(provider), pl.lit("unknown-provider"))
    monetary_kind = pl.coalesce(_text("_ChargeCategory"), pl.lit("Amount"))
    currency = pl.col("currency")
    rule_code, rule_name = matched_product(options, ~is_monetary)
    return [
        pl.when(rule_code.is_not_null())
        .then(rule_code)
        .when(is_monetary)
        .then(pl.format("{}:{}:{}", provider_slug, _slug(monetary_kind), currency.str.to_lowercase()))
        .otherwise(
            pl.format(
                "{}:{}:{}",
                provider_slug,
                pl.coalesce(_slug(service), pl.lit("unknown-service")),
                _slug(pricing_unit),
            )
        )
        .alias("product_code"),
        pl.when(rule_code.is_not_null())
        .then(rule_name)
        .when(is_monetary)
        .then(pl.format("{} {} ({})", pl.coalesce(provider, pl.lit("Unknown")), monetary_kind, currency))
        .otherwise(pl.format("{} ({})", pl.coalesce(service, pl.lit("Unknown service")), pricing_unit))
        .alias("product_name"),
        pl.when(is_monetary)
        .then(pl.lit(MONETARY_FAMILY))
        .otherwise(_slug(service_category))
        .alias("family_code"),
        pl.when(is_monetary)
        .then(pl.lit("Monetary amounts"))
        .otherwise(service_category)
        .alias("family_name"),
        pl.when(is_monetary).then(currency).otherwise(pricing_unit).alias("unit"),
    ]


def line_combinations(lines: pl.DataFrame, options: FocusOptions) -> pl.DataFrame:
    """The lines grouped by everything a fact row and its product are derived from, with their
    quantity, cost and line count summed: combinations of several batches merge exactly
    (month_landing.merge_partials) before `combination_facts` names their products once."""
    return (
        lines.lazy()
        .group_by(_combination_keys(lines, options))
        .agg(pl.col("quantity").sum(), pl.col("cost").sum(), pl.len().cast(pl.Int64).alias("line_count"))
        .collect()
    )


def combination_facts(combinations: pl.DataFrame, options: FocusOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(facts, products) of the month's line combinations."""
    # products are named once per distinct product inputs (1,656 for 43,000 combinations of a
    # demo month): the slugs' regexes were half of this step
    inputs = [*PRODUCT_INPUTS, *(c for c in combinations.columns if c.startswith(MATCH_PREFIX))]
    products_named = combinations.select(inputs).unique().with_columns(_product_attributes(options))
    named = combinations.join(products_named, on=inputs, how="left", nulls_equal=True).with_columns(
        pl.coalesce(_text("_SubAccountId"), pl.lit("")).alias("sub_account_id"),
        pl.coalesce(_text("_RegionId"), pl.lit("")).alias("region_id"),
    )
    facts = (
        named.group_by(FACT_KEYS)
        .agg(pl.col("quantity").sum(), pl.col("cost").sum().alias("source_cost"), pl.col("line_count").sum())
        .sort(FACT_KEYS)
    )
    # A product's lines may state several service categories (a CUR's S3 storage billed under
    # "Storage" and "Fee"): its family is the one of its largest cost, so that the choice does
    # not depend on the order in which batches or files were read.
    products = (
        named.group_by(PRODUCT_COLUMNS)
        .agg(pl.col("cost").abs().sum().alias("_weight"))
        .sort(
            ["product_code", "unit", "_weight", "family_code", "product_name"],
            descending=[False, False, True, False, False],
            nulls_last=True,
        )
        .unique(subset=["product_code"], keep="first", maintain_order=True)
        .select(PRODUCT_COLUMNS)
    )
    return facts, products


def consumption_facts(lines: pl.DataFrame, options: FocusOptions) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(facts, products): the lines aggregated to the fact grain, and the products they use.

    The lines are first grouped by everything a product is derived from, so the string work of
    naming products runs on the distinct combinations (a few thousand), not on every line."""
    return combination_facts(line_combinations(lines, options), options)
