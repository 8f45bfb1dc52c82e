"""The demo organisation: its providers, billing accounts and sub-accounts, their negotiated
prices, taxes and commitments, and the names of its applications and teams."""

from __future__ import annotations

from typing import NamedTuple

ENVIRONMENTS = ("prod", "staging", "dev")


class Provider(NamedTuple):
    name: str
    publisher: str
    invoice_issuer: str
    weight: int  # share of resources, relative
    regions: tuple[tuple[str, str], ...]  # (RegionId, RegionName)
    credit: str  # ChargeDescription of credits


PROVIDERS = (
    Provider("AWS", "Amazon Web Services, Inc.", "Amazon Web Services, Inc.", 45,
              (("us-east-1", "US East (N. Virginia)"), ("us-west-2", "US West (Oregon)"),
               ("eu-west-1", "Europe (Ireland)"), ("eu-central-1", "Europe (Frankfurt)"),
               ("ap-southeast-1", "Asia Pacific (Singapore)")),
              "AWS promotional credit"),
    Provider("Microsoft", "Microsoft", "Microsoft", 30,
              (("eastus", "East US"), ("westus2", "West US 2"), ("westeurope", "West Europe"),
               ("northeurope", "North Europe"), ("germanywestcentral", "Germany West Central")),
              "Azure sponsorship credit"),
    Provider("Google Cloud", "Google Cloud", "Google Cloud", 17,
              (("us-central1", "Iowa"), ("us-east4", "Northern Virginia"), ("europe-west1", "Belgium"),
               ("europe-west3", "Frankfurt"), ("asia-southeast1", "Singapore")),
              "Google Cloud promotional credit"),
    Provider("Oracle", "Oracle", "Oracle", 8,
              (("us-ashburn-1", "US East (Ashburn)"), ("eu-frankfurt-1", "Germany Central (Frankfurt)"),
               ("uk-london-1", "UK South (London)")),
              "Oracle Cloud promotional credit"),
)  # fmt: skip


class Commitment(NamedTuple):
    type: str  # CommitmentDiscountType
    category: str  # CommitmentDiscountCategory: Spend or Usage
    discount_percent: int  # off the contracted price of the covered usage
    name: str
    service: str  # ServiceName of the purchase row
    service_category: str
    service_subcategory: str
    description: str


class BillingAccount(NamedTuple):
    provider: int
    name: str
    currency: str
    price_percent: int  # list prices in this currency, percent of the USD catalogue price
    negotiated_discount: int  # percent off list: ContractedUnitPrice
    tax_basis_points: int
    tax_label: str
    commitment: Commitment | None
    regions: tuple[int, ...]  # preferred regions (indexes into the provider's regions)
    sub_accounts: tuple[tuple[str, int], ...]  # (SubAccountName, environment index)


_SAVINGS_PLAN = Commitment(
    "Savings Plan", "Spend", 28, "Compute Savings Plan, 1 year, No Upfront",
    "Savings Plans for AWS Compute usage", "Compute", "Other (Compute)",
    "Compute Savings Plan recurring fee",
)  # fmt: skip
_AZURE_RESERVATION = Commitment(
    "Reservation", "Usage", 36, "Reserved VM Instances, 1 year, monthly payment",
    "Virtual Machines", "Compute", "Virtual Machines", "Reservation monthly payment",
)  # fmt: skip
_AZURE_RESERVATION_EU = _AZURE_RESERVATION._replace(discount_percent=33)
_GOOGLE_CUD = Commitment(
    "Committed Use Discount", "Spend", 25, "Compute flexible committed use discount, 1 year",
    "Compute Engine", "Compute", "Virtual Machines", "Committed use discount monthly fee",
)  # fmt: skip

BILLING_ACCOUNTS = (
    BillingAccount(0, "Acme Corp", "USD", 100, 8, 625, "Sales tax", _SAVINGS_PLAN, (0, 1),
                    (("acme-prod", 0), ("acme-staging", 1), ("acme-dev", 2), ("acme-shared-services", 0),
                     ("acme-data-platform", 0))),
    BillingAccount(0, "Acme Labs", "USD", 100, 0, 825, "Sales tax", None, (1,),
                    (("labs-sandbox", 2), ("labs-ml-research", 2))),
    BillingAccount(1, "Acme Corp EA", "USD", 100, 5, 600, "Sales tax", _AZURE_RESERVATION, (0, 1),
                    (("Production", 0), ("Pre-Production", 1), ("Dev-Test", 2))),
    BillingAccount(1, "Acme Europe GmbH", "EUR", 92, 12, 1900, "VAT 19%", _AZURE_RESERVATION_EU, (2, 4),
                    (("EU Production", 0), ("EU Analytics", 0))),
    BillingAccount(2, "Acme Google Cloud", "USD", 100, 3, 700, "Sales tax", _GOOGLE_CUD, (0, 1),
                    (("acme-data-prod", 0), ("acme-ml-training", 2), ("acme-web-staging", 1))),
    BillingAccount(3, "Acme Oracle Cloud", "USD", 100, 0, 500, "Sales tax", None, (0,),
                    (("finance-erp", 0), ("integration", 1))),
)  # fmt: skip


APP_WORDS = (
    "payments", "checkout", "catalog", "search", "inventory", "billing", "identity", "notifications",
    "analytics", "recommendations", "shipping", "pricing", "orders", "loyalty", "reporting", "ledger",
    "fraud-detection", "onboarding", "messaging", "media", "customer-portal", "partner-hub", "data-lake",
    "ml-platform", "observability", "cms", "booking", "invoicing", "procurement", "hr-portal", "crm",
    "erp", "mobile-backend", "web-frontend", "auth", "gateway", "scheduler", "document-store", "chat",
    "support-desk",
)  # fmt: skip
APP_SUFFIXES = ("", "-api", "-worker", "-service", "-web", "-etl", "-jobs", "-admin")
TEAMS = ("commerce", "platform", "data", "identity", "growth", "logistics", "finance-tech", "customer-care")


def application_names(count: int) -> tuple[str, ...]:
    """`count` unique lower-case kebab application names: the words first, then word+suffix."""
    words, suffixes = len(APP_WORDS), len(APP_SUFFIXES)
    names = []
    for i in range(count):
        rounds, pair = divmod(i, words * suffixes)
        name = APP_WORDS[pair % words] + APP_SUFFIXES[pair // words]
        names.append(name if rounds == 0 else f"{name}-{rounds + 1}")
    return tuple(names)
