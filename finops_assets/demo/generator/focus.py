"""The FOCUS 1.2 vocabulary the generator writes: its columns, charge and pricing categories,
and the fixed-point scales that keep every amount an exact integer."""

from __future__ import annotations

import polars as pl

SCALE = 10
DECIMAL = pl.Decimal(38, SCALE)
PRICE_SCALE = 6  # unit prices: integer micro-units
QTY_SCALE = 4  # quantities: integer 1e-4 units; PRICE_SCALE + QTY_SCALE == SCALE
CENT = 10**8  # one hundredth of a currency unit, in 1e-10 units

# Row kinds (ChargeCategory): indexes into CHARGE_CATEGORIES and CHARGE_FREQUENCIES
USAGE, TAX, CREDIT, PURCHASE = 0, 1, 2, 3
CHARGE_CATEGORIES = ("Usage", "Tax", "Credit", "Purchase")
CHARGE_FREQUENCIES = ("Usage-Based", "Usage-Based", "One-Time", "Recurring")
STANDARD, DYNAMIC, COMMITTED = 0, 1, 2
PRICING_CATEGORIES = ("Standard", "Dynamic", "Committed")

MONEY_COLUMNS = (
    "BilledCost", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice",
    "x_Discounts",
)  # fmt: skip

COLUMNS = (
    "BilledCost", "BillingAccountId", "BillingAccountName", "BillingCurrency", "BillingPeriodEnd",
    "BillingPeriodStart", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
    "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId",
    "CommitmentDiscountName", "CommitmentDiscountStatus", "CommitmentDiscountType", "ConsumedQuantity",
    "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceId",
    "InvoiceIssuerName", "ListCost", "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit",
    "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
    "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuPriceId", "SubAccountId",
    "SubAccountName", "Tags", "x_Discounts",
)  # fmt: skip
