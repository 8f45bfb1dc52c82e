"""FOCUS column names (v1.0 to v1.2) and how files misspell them."""

from __future__ import annotations

FOCUS_COLUMNS = (
    "AvailabilityZone", "BilledCost", "BillingAccountId", "BillingAccountName", "BillingAccountType",
    "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "CapacityReservationId",
    "CapacityReservationStatus", "ChargeCategory", "ChargeClass", "ChargeDescription", "ChargeFrequency",
    "ChargePeriodEnd", "ChargePeriodStart", "CommitmentDiscountCategory", "CommitmentDiscountId",
    "CommitmentDiscountName", "CommitmentDiscountQuantity", "CommitmentDiscountStatus",
    "CommitmentDiscountType", "CommitmentDiscountUnit", "ConsumedQuantity", "ConsumedUnit",
    "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceId", "InvoiceIssuerName", "ListCost",
    "ListUnitPrice", "PricingCategory", "PricingCurrency", "PricingCurrencyContractedUnitPrice",
    "PricingCurrencyEffectiveCost", "PricingCurrencyListUnitPrice", "PricingQuantity", "PricingUnit",
    "ProviderName", "PublisherName", "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType",
    "ServiceCategory", "ServiceName", "ServiceSubcategory", "SkuId", "SkuMeter", "SkuPriceDetails",
    "SkuPriceId", "SubAccountId", "SubAccountName", "SubAccountType", "Tags",
)  # fmt: skip

# Names older FOCUS versions used for the same column (FOCUS.md, "Renames").
_RENAMED = {
    "amortizedcost": "EffectiveCost",
    "chargetype": "ChargeCategory",
    "usagequantity": "ConsumedQuantity",
    "usageunit": "ConsumedUnit",
    "region": "RegionId",
}

_BY_LOWER = {name.lower(): name for name in FOCUS_COLUMNS} | _RENAMED


def canonical_name(name: str) -> str:
    """The FOCUS spelling of a header cell; other columns (x_ and extras) keep their name.
    Real files write `SkuPriceid`, pad with spaces, or carry a BOM."""
    cleaned = name.strip().lstrip("\ufeff")
    return _BY_LOWER.get(cleaned.lower(), cleaned)
