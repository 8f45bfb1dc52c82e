"""Demo FOCUS 1.2 billing data: realistic, exact, deterministic and fast.

`generate_month` builds one billing month of FOCUS cost-and-usage rows for four providers (AWS,
Microsoft, Google Cloud, Oracle), six billing accounts (five in USD, one in EUR), seventeen
sub-accounts, a catalogue of actual cloud services and a population of tagged resources owned by
applications. `write_dataset` writes one Parquet or CSV file per month.

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

Determinism: the "world" (accounts, catalogue, resources) comes from `seed`; each month's rows
from a numpy Generator seeded with (seed, year, month). Same spec and month, same bytes.
Speed: everything is vectorised (numpy draws, index gathers from small string tables, Arrow
buffers for decimals); no Python loop runs per row.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

from finops_core.months import add_months

__all__ = [
    "COLUMNS",
    "MONEY_COLUMNS",
    "QUANTITY_COLUMNS",
    "DemoSpec",
    "application_names",
    "demo_months",
    "generate_month",
    "product_catalogue",
    "write_dataset",
]

I64 = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]

SCALE = 10
DECIMAL = pl.Decimal(38, SCALE)
PRICE_SCALE = 6  # unit prices: integer micro-units
QTY_SCALE = 4  # quantities: integer 1e-4 units; PRICE_SCALE + QTY_SCALE == SCALE
CENT = 10**8  # one hundredth of a currency unit, in 1e-10 units
# Amounts are int64 counts of 1e-10, so a sum (a commitment's monthly fee) must stay below 9.2e8
# currency units; this bound on the month's size keeps it far below.
MAX_ROWS_PER_MONTH = 10_000_000

# Row kinds (ChargeCategory)
USAGE, TAX, CREDIT, PURCHASE = 0, 1, 2, 3
CHARGE_CATEGORIES = ("Usage", "Tax", "Credit", "Purchase")
CHARGE_FREQUENCIES = ("Usage-Based", "Usage-Based", "One-Time", "Recurring")
STANDARD, DYNAMIC, COMMITTED = 0, 1, 2
PRICING_CATEGORIES = ("Standard", "Dynamic", "Committed")
ENVIRONMENTS = ("prod", "staging", "dev")
KINDS = ("hours", "storage", "volume")

TAX_SHARE_PERCENT = 2
CREDIT_SHARE_PERCENT = 1
REFUND_SHARE = 0.003  # float ok: a probability
COMMITTED_SHARE = 0.45  # float ok: a probability (of an eligible usage row being covered)

MONEY_COLUMNS = (
    "BilledCost", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "ListCost", "ListUnitPrice",
    "x_Discounts",
)  # fmt: skip
QUANTITY_COLUMNS = ("ConsumedQuantity", "PricingQuantity")

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


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSpec:
    """What to generate. `months` are first days of months; the other fields shape every month."""

    months: tuple[date, ...]
    rows_per_month: int = 20_000
    applications: int = 40  # distinct application tag values
    products: int = 60  # distinct usage (provider, service, pricing unit) combos
    seed: int = 42
    untagged_share: float = 0.05  # float ok: a probability, not money

    def __post_init__(self) -> None:
        for month in self.months:
            _check_month(month)
        if not 0 <= self.rows_per_month <= MAX_ROWS_PER_MONTH:
            raise ValueError(
                f"rows_per_month must be within [0, {MAX_ROWS_PER_MONTH}], not {self.rows_per_month}"
            )
        if self.applications < 1 or self.products < 1:
            raise ValueError("applications and products must be >= 1")
        if self.seed < 0:
            raise ValueError(f"seed must be >= 0, not {self.seed}")
        if not 0 <= self.untagged_share <= 1:
            raise ValueError(f"untagged_share must be within [0, 1], not {self.untagged_share}")


def demo_months(count: int = 12, until: date | None = None) -> tuple[date, ...]:
    """The `count` consecutive months (first days, oldest first) ending with the month of `until`;
    by default the previous full month before date.today()."""
    if count < 0:
        raise ValueError(f"count must be >= 0, not {count}")
    if until is None:
        until = add_months(date.today().replace(day=1), -1)
    last = until.replace(day=1)
    return tuple(add_months(last, offset) for offset in range(1 - count, 1))


def generate_month(spec: DemoSpec, month: date) -> pl.DataFrame:
    """One billing month (`month` is its first day) of FOCUS rows: exactly `spec.rows_per_month`
    rows in the columns of COLUMNS, deterministic from (spec, month)."""
    _check_month(month)
    world = _world(spec.rows_per_month, spec.applications, spec.products, spec.seed)
    rng = np.random.default_rng([spec.seed, month.year, month.month])
    return _month_frame(world, spec, month, rng)


def write_dataset(spec: DemoSpec, out_dir: Path, fmt: Literal["parquet", "csv"] = "parquet") -> list[Path]:
    """Write one file per month of `spec.months` to `out_dir` (created if needed):
    focus_YYYY-MM.parquet or focus_YYYY-MM.csv. Returns the paths, in month order."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be 'parquet' or 'csv', not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for month in spec.months:
        frame = generate_month(spec, month)
        path = out_dir / f"focus_{month.year:04d}-{month.month:02d}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        else:
            frame.write_csv(path)
        paths.append(path)
    return paths


def _check_month(month: date) -> None:
    if isinstance(month, datetime) or not isinstance(month, date) or month.day != 1:
        raise ValueError(f"a month is the first day of a month, e.g. date(2025, 3, 1); got {month!r}")


# --------------------------------------------------------------------------------------------
# Built-in catalogue: providers, billing accounts, sub-accounts, services, applications
# --------------------------------------------------------------------------------------------


class _Provider(NamedTuple):
    name: str
    publisher: str
    invoice_issuer: str
    weight: int  # share of resources, relative
    regions: tuple[tuple[str, str], ...]  # (RegionId, RegionName)
    credit: str  # ChargeDescription of credits


PROVIDERS = (
    _Provider("AWS", "Amazon Web Services, Inc.", "Amazon Web Services, Inc.", 45,
              (("us-east-1", "US East (N. Virginia)"), ("us-west-2", "US West (Oregon)"),
               ("eu-west-1", "Europe (Ireland)"), ("eu-central-1", "Europe (Frankfurt)"),
               ("ap-southeast-1", "Asia Pacific (Singapore)")),
              "AWS promotional credit"),
    _Provider("Microsoft", "Microsoft", "Microsoft", 30,
              (("eastus", "East US"), ("westus2", "West US 2"), ("westeurope", "West Europe"),
               ("northeurope", "North Europe"), ("germanywestcentral", "Germany West Central")),
              "Azure sponsorship credit"),
    _Provider("Google Cloud", "Google Cloud", "Google Cloud", 17,
              (("us-central1", "Iowa"), ("us-east4", "Northern Virginia"), ("europe-west1", "Belgium"),
               ("europe-west3", "Frankfurt"), ("asia-southeast1", "Singapore")),
              "Google Cloud promotional credit"),
    _Provider("Oracle", "Oracle", "Oracle", 8,
              (("us-ashburn-1", "US East (Ashburn)"), ("eu-frankfurt-1", "Germany Central (Frankfurt)"),
               ("uk-london-1", "UK South (London)")),
              "Oracle Cloud promotional credit"),
)  # fmt: skip


class _Commitment(NamedTuple):
    type: str  # CommitmentDiscountType
    category: str  # CommitmentDiscountCategory: Spend or Usage
    discount_percent: int  # off the contracted price of the covered usage
    name: str
    service: str  # ServiceName of the purchase row
    service_category: str
    service_subcategory: str
    description: str


class _BillingAccount(NamedTuple):
    provider: int
    name: str
    currency: str
    price_percent: int  # list prices in this currency, percent of the USD catalogue price
    negotiated_discount: int  # percent off list: ContractedUnitPrice
    tax_basis_points: int
    tax_label: str
    commitment: _Commitment | None
    regions: tuple[int, ...]  # preferred regions (indexes into the provider's regions)
    sub_accounts: tuple[tuple[str, int], ...]  # (SubAccountName, environment index)


_SAVINGS_PLAN = _Commitment(
    "Savings Plan", "Spend", 28, "Compute Savings Plan, 1 year, No Upfront",
    "Savings Plans for AWS Compute usage", "Compute", "Other (Compute)",
    "Compute Savings Plan recurring fee",
)  # fmt: skip
_AZURE_RESERVATION = _Commitment(
    "Reservation", "Usage", 36, "Reserved VM Instances, 1 year, monthly payment",
    "Virtual Machines", "Compute", "Virtual Machines", "Reservation monthly payment",
)  # fmt: skip
_AZURE_RESERVATION_EU = _AZURE_RESERVATION._replace(discount_percent=33)
_GOOGLE_CUD = _Commitment(
    "Committed Use Discount", "Spend", 25, "Compute flexible committed use discount, 1 year",
    "Compute Engine", "Compute", "Virtual Machines", "Committed use discount monthly fee",
)  # fmt: skip

BILLING_ACCOUNTS = (
    _BillingAccount(0, "Acme Corp", "USD", 100, 8, 625, "Sales tax", _SAVINGS_PLAN, (0, 1),
                    (("acme-prod", 0), ("acme-staging", 1), ("acme-dev", 2), ("acme-shared-services", 0),
                     ("acme-data-platform", 0))),
    _BillingAccount(0, "Acme Labs", "USD", 100, 0, 825, "Sales tax", None, (1,),
                    (("labs-sandbox", 2), ("labs-ml-research", 2))),
    _BillingAccount(1, "Acme Corp EA", "USD", 100, 5, 600, "Sales tax", _AZURE_RESERVATION, (0, 1),
                    (("Production", 0), ("Pre-Production", 1), ("Dev-Test", 2))),
    _BillingAccount(1, "Acme Europe GmbH", "EUR", 92, 12, 1900, "VAT 19%", _AZURE_RESERVATION_EU, (2, 4),
                    (("EU Production", 0), ("EU Analytics", 0))),
    _BillingAccount(2, "Acme Google Cloud", "USD", 100, 3, 700, "Sales tax", _GOOGLE_CUD, (0, 1),
                    (("acme-data-prod", 0), ("acme-ml-training", 2), ("acme-web-staging", 1))),
    _BillingAccount(3, "Acme Oracle Cloud", "USD", 100, 0, 500, "Sales tax", None, (0,),
                    (("finance-erp", 0), ("integration", 1))),
)  # fmt: skip


class _Service(NamedTuple):
    provider: int
    name: str
    category: str
    subcategory: str
    unit: str  # PricingUnit
    consumed_unit: str
    consumed_per_unit: int  # ConsumedQuantity = PricingQuantity x this
    price: int  # USD list price per PricingUnit, in 1e-6
    kind: str  # hours | storage | volume: how daily quantities are drawn
    exponents: tuple[int, int]  # volume: daily PricingQuantity in 1e-4 units spans 10**lo..10**hi
    resource_type: str
    short: str  # in resource names
    id_a: str  # resource id parts, by provider: ARN service / namespace / API host / OCID kind
    id_b: str
    meter: str  # ChargeDescription


_H = (0, 0)
SERVICES = (
    # AWS
    _Service(0, "Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Hours", "Hours", 1, 96_000,
             "hours", _H, "Instance", "vm", "ec2", "instance/i-0", "On Demand Linux m5.large Instance Hour"),
    _Service(0, "Amazon Simple Storage Service", "Storage", "Object Storage", "GB-Months", "GB-Months", 1,
             23_000, "storage", _H, "Bucket", "bucket", "s3", "", "Standard storage"),
    _Service(0, "Amazon Relational Database Service", "Databases", "Relational", "Hours", "Hours", 1,
             171_000, "hours", _H, "DB Instance", "db", "rds", "db:", "db.m5.large PostgreSQL instance hour"),
    _Service(0, "Amazon Elastic Block Store", "Storage", "Disk", "GB-Months", "GB-Months", 1, 80_000,
             "storage", _H, "Volume", "vol", "ec2", "volume/vol-0", "gp3 provisioned storage"),
    _Service(0, "AWS Lambda", "Compute", "Serverless Compute", "1000000 Requests", "Requests", 1_000_000,
             200_000, "volume", (2, 6), "Function", "fn", "lambda", "function:", "Lambda requests"),
    _Service(0, "Amazon DynamoDB", "Databases", "NoSQL", "GB-Months", "GB-Months", 1, 250_000, "storage",
             _H, "Table", "table", "dynamodb", "table/", "Table storage"),
    _Service(0, "Amazon CloudFront", "Networking", "Content Delivery", "GB", "GB", 1, 85_000, "volume",
             (3, 7), "Distribution", "cdn", "cloudfront", "distribution/", "Data transfer out to internet"),
    _Service(0, "Amazon Elastic Kubernetes Service", "Compute", "Containers", "Hours", "Hours", 1, 100_000,
             "hours", _H, "Cluster", "eks", "eks", "cluster/", "EKS cluster hour"),
    _Service(0, "Amazon CloudWatch", "Management and Governance", "Observability", "GB", "GB", 1, 500_000,
             "volume", (3, 7), "Log Group", "logs", "logs", "log-group:/app/", "Logs data ingested"),
    _Service(0, "Amazon Virtual Private Cloud", "Networking", "Network Management", "Hours", "Hours", 1,
             45_000, "hours", _H, "NAT Gateway", "nat", "ec2", "natgateway/nat-0", "NAT gateway hour"),
    _Service(0, "Elastic Load Balancing", "Networking", "Load Balancing", "LCU-Hours", "LCU-Hours", 1,
             8_000, "volume", (4, 7), "Load Balancer", "alb", "elasticloadbalancing", "loadbalancer/app/",
             "Application load balancer capacity unit-hour"),
    _Service(0, "AWS Key Management Service", "Security", "Credentials", "10000 Requests", "Requests",
             10_000, 30_000, "volume", (3, 6), "Key", "key", "kms", "key/", "KMS API requests"),
    _Service(0, "Amazon Simple Storage Service", "Storage", "Object Storage", "1000 Requests", "Requests",
             1_000, 5_000, "volume", (4, 8), "Bucket", "bucket", "s3", "", "PUT, COPY, POST, LIST requests"),
    _Service(0, "Amazon Relational Database Service", "Databases", "Relational", "GB-Months", "GB-Months",
             1, 115_000, "storage", _H, "DB Instance", "db", "rds", "db:", "General Purpose storage"),
    _Service(0, "Amazon DynamoDB", "Databases", "NoSQL", "1000000 Requests", "Requests", 1_000_000,
             1_250_000, "volume", (2, 6), "Table", "table", "dynamodb", "table/", "On-demand write requests"),
    _Service(0, "Amazon Virtual Private Cloud", "Networking", "Network Management", "GB", "GB", 1, 45_000,
             "volume", (3, 7), "NAT Gateway", "nat", "ec2", "natgateway/nat-0", "NAT gateway data processed"),
    # Microsoft
    _Service(1, "Virtual Machines", "Compute", "Virtual Machines", "Hours", "Hours", 1, 192_000, "hours",
             _H, "Virtual machine", "vm", "Microsoft.Compute/virtualMachines", "", "D4s v5 Linux"),
    _Service(1, "Storage", "Storage", "Object Storage", "GB-Months", "GB-Months", 1, 18_400, "storage", _H,
             "Storage account", "st", "Microsoft.Storage/storageAccounts", "", "Hot LRS data stored"),
    _Service(1, "Azure SQL Database", "Databases", "Relational", "Hours", "Hours", 1, 505_000, "hours", _H,
             "SQL database", "sqldb", "Microsoft.Sql/servers", "", "General Purpose Gen5 2 vCore"),
    _Service(1, "Azure Kubernetes Service", "Compute", "Containers", "Hours", "Hours", 1, 100_000, "hours",
             _H, "Kubernetes service", "aks", "Microsoft.ContainerService/managedClusters", "",
             "Standard tier cluster hour"),
    _Service(1, "Azure Cosmos DB", "Databases", "NoSQL", "GB-Months", "GB-Months", 1, 250_000, "storage", _H,
             "Azure Cosmos DB account", "cosmos", "Microsoft.DocumentDB/databaseAccounts", "", "Data stored"),
    _Service(1, "Azure Monitor", "Management and Governance", "Observability", "GB", "GB", 1, 2_300_000,
             "volume", (3, 6), "Log Analytics workspace", "log", "Microsoft.OperationalInsights/workspaces",
             "", "Analytics logs data ingestion"),
    _Service(1, "Bandwidth", "Networking", "Data Transfer", "GB", "GB", 1, 87_000, "volume", (3, 7),
             "Public IP address", "pip", "Microsoft.Network/publicIPAddresses", "",
             "Internet data transfer out"),
    _Service(1, "Azure App Service", "Web", "Other (Web)", "Hours", "Hours", 1, 169_000, "hours", _H,
             "App Service plan", "plan", "Microsoft.Web/serverfarms", "", "Premium v3 P1v3 Linux instance"),
    _Service(1, "Azure Machine Learning", "AI and Machine Learning", "Machine Learning", "Hours", "Hours", 1,
             900_000, "hours", _H, "Machine learning compute", "mlw",
             "Microsoft.MachineLearningServices/workspaces", "", "NC6s v3 compute instance"),
    _Service(1, "Storage", "Storage", "Object Storage", "10000 Transactions", "Transactions", 10_000, 65_000,
             "volume", (4, 8), "Storage account", "st", "Microsoft.Storage/storageAccounts", "",
             "Hot LRS write operations"),
    # Google Cloud
    _Service(2, "Compute Engine", "Compute", "Virtual Machines", "Hours", "Hours", 1, 134_000, "hours", _H,
             "Instance", "vm", "compute.googleapis.com", "instances", "E2 standard-4 instance core and RAM"),
    _Service(2, "Cloud Storage", "Storage", "Object Storage", "GB-Months", "GB-Months", 1, 20_000, "storage",
             _H, "Bucket", "bucket", "storage.googleapis.com", "buckets", "Standard storage"),
    _Service(2, "BigQuery", "Databases", "Data Warehouse", "TB", "TB", 1, 6_250_000, "volume", (1, 5),
             "Dataset", "ds", "bigquery.googleapis.com", "datasets", "Analysis (on-demand)"),
    _Service(2, "Google Kubernetes Engine", "Compute", "Containers", "Hours", "Hours", 1, 100_000, "hours",
             _H, "Cluster", "gke", "container.googleapis.com", "clusters", "Cluster management fee"),
    _Service(2, "Cloud SQL", "Databases", "Relational", "Hours", "Hours", 1, 143_000, "hours", _H,
             "Cloud SQL instance", "sql", "sqladmin.googleapis.com", "instances",
             "Cloud SQL for PostgreSQL: 2 vCPU + 8 GB RAM"),
    _Service(2, "Vertex AI", "AI and Machine Learning", "Machine Learning", "Hours", "Hours", 1, 1_000_000,
             "hours", _H, "Endpoint", "endpoint", "aiplatform.googleapis.com", "endpoints",
             "Online prediction n1-standard-4 with T4 GPU"),
    _Service(2, "Cloud Run", "Compute", "Serverless Compute", "1000000 Requests", "Requests", 1_000_000,
             400_000, "volume", (2, 6), "Service", "run", "run.googleapis.com", "services", "Requests"),
    _Service(2, "Cloud Logging", "Management and Governance", "Observability", "GB", "GB", 1, 500_000,
             "volume", (3, 6), "Log bucket", "logs", "logging.googleapis.com", "buckets", "Log storage"),
    _Service(2, "Compute Engine", "Compute", "Virtual Machines", "GB-Months", "GB-Months", 1, 100_000,
             "storage", _H, "Disk", "disk", "compute.googleapis.com", "disks", "Balanced PD capacity"),
    _Service(2, "Cloud Storage", "Storage", "Object Storage", "GB", "GB", 1, 120_000, "volume", (3, 7),
             "Bucket", "bucket", "storage.googleapis.com", "buckets", "Network internet egress"),
    _Service(2, "BigQuery", "Databases", "Data Warehouse", "GB-Months", "GB-Months", 1, 20_000, "storage", _H,
             "Dataset", "ds", "bigquery.googleapis.com", "datasets", "Active logical storage"),
    # Oracle
    _Service(3, "COMPUTE", "Compute", "Virtual Machines", "OCPU-Hours", "OCPU-Hours", 1, 25_000, "hours", _H,
             "Instance", "vm", "instance", "", "Compute - Standard - E4 - OCPU"),
    _Service(3, "BLOCK_STORAGE", "Storage", "Disk", "GB-Months", "GB-Months", 1, 25_500, "storage", _H,
             "Volume", "vol", "volume", "", "Block Volume - Storage"),
    _Service(3, "OBJECT_STORAGE", "Storage", "Object Storage", "GB-Months", "GB-Months", 1, 25_500, "storage",
             _H, "Bucket", "bucket", "bucket", "", "Object Storage - Storage"),
    _Service(3, "DATABASE", "Databases", "Relational", "ECPU-Hours", "ECPU-Hours", 1, 336_000, "hours", _H,
             "Autonomous Database", "adb", "autonomousdatabase", "", "Autonomous Data Warehouse - ECPU"),
    _Service(3, "NETWORK", "Networking", "Load Balancing", "Hours", "Hours", 1, 11_300, "hours", _H,
             "Load Balancer", "lb", "loadbalancer", "", "Load Balancer Base"),
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


def product_catalogue(count: int) -> tuple[_Service, ...]:
    """`count` usage products, distinct by (provider, service, pricing unit): the built-in services
    taken round-robin across providers, then again with a " - Variant k" service-name suffix and
    a slightly higher price."""
    by_provider = [[s for s in SERVICES if s.provider == p] for p in range(len(PROVIDERS))]
    ordered = [queue[i] for i in range(max(map(len, by_provider))) for queue in by_provider if i < len(queue)]
    products = []
    for i in range(count):
        variant, base = divmod(i, len(ordered))
        service = ordered[base]
        if variant:
            service = service._replace(
                name=f"{service.name} - Variant {variant + 1}",
                price=service.price * (100 + 15 * variant) // 100,
                meter=f"{service.meter} (variant {variant + 1})",
            )
        products.append(service)
    return tuple(products)


# --------------------------------------------------------------------------------------------
# The world: everything that does not change from month to month
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _World:
    n_products: int
    n_apps: int
    # billing accounts (B), sub-accounts (S), commitments (K, one per account that has one)
    ba_provider: I64
    ba_negotiated: I64
    ba_tax_bp: I64
    ba_commitment: I64  # commitment index or -1
    commitment_ba: I64
    commitment_sub: I64  # the sub-account that bought it
    commitment_discount: I64
    sub_ba: I64
    # products (P)
    product_provider: I64
    product_price: npt.NDArray[np.int64]  # (P, B): list price in the account's currency, 1e-6
    product_consumed_factor: I64
    product_eligible: Mask  # coverable by a commitment
    product_kind: I64  # 0 hours, 1 storage, 2 volume
    # resources (R): tagged pool first, then the untagged pool
    n_tagged: int
    res_product: I64
    res_sub: I64
    res_app: I64
    res_region: I64  # global region index
    res_tag: I64  # index into tables["Tags"] or -1
    res_spot_percent: I64  # spot price, percent of list; 0 when not spot
    res_count: I64  # instances (hours) ...
    res_size: I64  # ... GB (storage) or base daily quantity in 1e-4 (volume)
    # string tables, gathered by index arrays
    tables: dict[str, pl.Series]


def _region_tables() -> tuple[list[tuple[str, str]], I64, npt.NDArray[np.int64]]:
    """All regions, the first global index of each provider's regions, and their counts."""
    regions = [region for provider in PROVIDERS for region in provider.regions]
    counts = np.array([len(p.regions) for p in PROVIDERS], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    return regions, starts, counts


@lru_cache(maxsize=8)
def _world(rows_per_month: int, n_apps: int, n_products: int, seed: int) -> _World:
    rng = np.random.default_rng([seed, 0, 0])  # months never have year 0: a separate stream
    regions, region_start, region_count = _region_tables()
    products = product_catalogue(n_products)
    apps = application_names(n_apps)

    # Accounts and sub-accounts: fixed names, ids drawn from the seed.
    ba_ids = [_account_id(rng, ba.provider) for ba in BILLING_ACCOUNTS]
    subs = [(b, name, env) for b, ba in enumerate(BILLING_ACCOUNTS) for name, env in ba.sub_accounts]
    sub_ids = [_sub_account_id(rng, BILLING_ACCOUNTS[b].provider, name) for b, name, _ in subs]
    sub_ba = np.array([b for b, _, _ in subs], dtype=np.int64)
    sub_env = np.array([env for _, _, env in subs], dtype=np.int64)
    sub_region = np.array(
        [
            region_start[BILLING_ACCOUNTS[b].provider] + rng.choice(BILLING_ACCOUNTS[b].regions)
            for b, _, _ in subs
        ],
        dtype=np.int64,
    )
    ba_provider = np.array([ba.provider for ba in BILLING_ACCOUNTS], dtype=np.int64)
    sub_provider = ba_provider[sub_ba]

    # Products
    product_provider = np.array([p.provider for p in products], dtype=np.int64)
    base_price = np.array([p.price for p in products], dtype=np.int64)
    price_percent = np.array([ba.price_percent for ba in BILLING_ACCOUNTS], dtype=np.int64)
    product_price = base_price[:, None] * price_percent[None, :] // 100
    providers_used = np.unique(product_provider)

    product_eligible = np.array(
        [p.category in ("Compute", "Databases") and p.kind == "hours" for p in products]
    )

    # A commitment exists where its provider has products it can cover.
    coverable = set(product_provider[product_eligible].tolist())
    commitments = [
        (b, ba.commitment)
        for b, ba in enumerate(BILLING_ACCOUNTS)
        if ba.commitment is not None and ba.provider in coverable
    ]
    ba_commitment = np.full(len(BILLING_ACCOUNTS), -1, dtype=np.int64)
    for k, (b, _) in enumerate(commitments):
        ba_commitment[b] = k
    commitment_ba = np.array([b for b, _ in commitments], dtype=np.int64)
    commitment_sub = np.array([int(np.flatnonzero(sub_ba == b)[0]) for b in commitment_ba], dtype=np.int64)
    commitment_ids = [
        _commitment_id(rng, BILLING_ACCOUNTS[b].provider, sub_ids[int(commitment_sub[k])])
        for k, (b, _) in enumerate(commitments)
    ]

    # Resources: the tagged pool holds every application and every product at least once, the
    # untagged pool every product at least once; the rest is drawn with skewed weights.
    n_tagged = max(n_apps + n_products, rows_per_month // 25)
    n_untagged = max(n_products, n_tagged // 10)
    n_res = n_tagged + n_untagged
    provider_weight = np.array([p.weight for p in PROVIDERS], dtype=np.float64)  # float ok: weights
    per_provider = np.bincount(product_provider, minlength=len(PROVIDERS))
    product_weight = provider_weight[product_provider] / per_provider[product_provider]  # float ok
    product_weight /= product_weight.sum()  # float ok
    res_product = rng.choice(n_products, size=n_res, p=product_weight).astype(np.int64)
    res_product[:n_products] = np.arange(n_products)
    res_product[n_tagged : n_tagged + n_products] = np.arange(n_products)

    app_weight = 1.0 / (rng.permutation(n_apps) + 1.0) ** 0.8  # float ok: Zipf-like popularity
    res_app = rng.choice(n_apps, size=n_res, p=app_weight / app_weight.sum()).astype(np.int64)
    res_app[:n_apps] = np.arange(n_apps)
    app_team = rng.integers(0, len(TEAMS), size=n_apps)

    # Sub-account: the application's home sub-account at the product's provider, mostly.
    provider_subs = [np.flatnonzero(sub_provider == p) for p in range(len(PROVIDERS))]
    app_home = np.zeros((n_apps, len(PROVIDERS)), dtype=np.int64)
    for p in providers_used:
        app_home[:, p] = rng.choice(provider_subs[p], size=n_apps)
    sub_table = np.zeros((len(PROVIDERS), max(map(len, provider_subs))), dtype=np.int64)
    for p, members in enumerate(provider_subs):
        sub_table[p, : len(members)] = members
    res_provider = product_provider[res_product]
    sub_count = np.array([len(members) for members in provider_subs], dtype=np.int64)
    other_sub = sub_table[res_provider, rng.integers(0, np.maximum(sub_count[res_provider], 1))]
    res_sub = np.where(rng.random(n_res) < 0.8, app_home[res_app, res_provider], other_sub)  # float ok

    other_region = region_start[res_provider] + rng.integers(0, region_count[res_provider])
    res_region = np.where(rng.random(n_res) < 0.8, sub_region[res_sub], other_region)  # float ok
    res_env = np.where(rng.random(n_res) < 0.85, sub_env[res_sub], rng.integers(0, 3, n_res))  # float ok

    # Tags: app x env for the tagged pool; the untagged pool has null Tags or team/env only.
    tag_texts: list[str] = [
        json.dumps({"application": app, "environment": env, "team": TEAMS[int(app_team[a])]},
                   separators=(",", ":"))
        for a, app in enumerate(apps) for env in ENVIRONMENTS
    ]  # fmt: skip
    tag_texts += [
        json.dumps({"environment": env, "team": team}, separators=(",", ":"))
        for team in TEAMS for env in ENVIRONMENTS
    ]  # fmt: skip
    untagged_team = rng.integers(0, len(TEAMS), n_res)
    res_tag = np.where(
        np.arange(n_res) < n_tagged,
        res_app * 3 + res_env,
        np.where(rng.random(n_res) < 0.5, -1, 3 * n_apps + untagged_team * 3 + res_env),  # float ok
    ).astype(np.int64)

    # Quantities: instance counts, storage sizes, typical daily volumes.
    kinds = np.array([p.kind for p in products])
    lo = np.array([p.exponents[0] for p in products], dtype=np.int64)
    hi = np.array([p.exponents[1] for p in products], dtype=np.int64)
    res_kind = kinds[res_product]
    res_count = np.minimum(rng.geometric(0.55, n_res), 8).astype(np.int64)  # float ok: a probability
    gigabytes = rng.integers(1, 10, n_res) * 10 ** rng.integers(1, 5, n_res)
    volume = rng.integers(1, 10, n_res) * 10 ** rng.integers(lo[res_product], hi[res_product] + 1)
    res_size = np.where(res_kind == "storage", gigabytes, volume).astype(np.int64)
    is_vm = np.array([p.subcategory == "Virtual Machines" and p.kind == "hours" for p in products])
    spot = is_vm[res_product] & (rng.random(n_res) < 0.15)  # float ok: a probability
    res_spot_percent = np.where(spot, rng.integers(25, 46, n_res), 0).astype(np.int64)
    res_hex = rng.integers(0, 2**63, size=(n_res, 2), dtype=np.int64).view(np.uint64)
    tables = _string_tables(
        products, apps, ba_ids, subs, sub_ids, regions, commitments, commitment_ids,
        res_product, res_sub, res_app, res_env, res_region, res_hex, n_tagged, rng,
    )  # fmt: skip
    tables["Tags"] = pl.Series("Tags", tag_texts, dtype=pl.String)
    tables = {name: _lookup(table) for name, table in tables.items()}

    return _World(
        n_products=n_products,
        n_apps=n_apps,
        ba_provider=ba_provider,
        ba_negotiated=np.array([ba.negotiated_discount for ba in BILLING_ACCOUNTS], dtype=np.int64),
        ba_tax_bp=np.array([ba.tax_basis_points for ba in BILLING_ACCOUNTS], dtype=np.int64),
        ba_commitment=ba_commitment,
        commitment_ba=commitment_ba,
        commitment_sub=commitment_sub,
        commitment_discount=np.array([c.discount_percent for _, c in commitments], dtype=np.int64),
        sub_ba=sub_ba,
        product_provider=product_provider,
        product_price=product_price,
        product_consumed_factor=np.array([p.consumed_per_unit for p in products], dtype=np.int64),
        product_eligible=product_eligible,
        product_kind=np.array([KINDS.index(p.kind) for p in products], dtype=np.int64),
        n_tagged=n_tagged,
        res_product=res_product,
        res_sub=res_sub.astype(np.int64),
        res_app=res_app,
        res_region=res_region.astype(np.int64),
        res_tag=res_tag,
        res_spot_percent=res_spot_percent,
        res_count=res_count,
        res_size=res_size,
        tables=tables,
    )


def _hex(rng: np.random.Generator, digits: int, upper: bool = False) -> str:
    text = "".join(f"{int(v):x}" for v in rng.integers(0, 16, digits))
    return text.upper() if upper else text


def _account_id(rng: np.random.Generator, provider: int) -> str:
    if provider == 0:
        return str(rng.integers(10**11, 10**12))
    if provider == 1:
        return f"/providers/Microsoft.Billing/billingAccounts/{rng.integers(10**7, 10**8)}"
    if provider == 2:
        return "-".join(_hex(rng, 6, upper=True) for _ in range(3))
    return f"ocid1.tenancy.oc1..aaaaaaaa{_hex(rng, 52)}"


def _sub_account_id(rng: np.random.Generator, provider: int, name: str) -> str:
    if provider == 0:
        return str(rng.integers(10**11, 10**12))
    if provider == 1:
        return f"/subscriptions/{uuid.UUID(bytes=rng.bytes(16), version=4)}"
    if provider == 2:
        return f"{name}-{rng.integers(100_000, 1_000_000)}"
    return f"ocid1.compartment.oc1..aaaaaaaa{_hex(rng, 52)}"


def _commitment_id(rng: np.random.Generator, provider: int, sub_account: str) -> str:
    if provider == 0:
        return f"arn:aws:savingsplans::{sub_account}:savingsplan/{uuid.UUID(bytes=rng.bytes(16), version=4)}"
    if provider == 1:
        order, reservation = (uuid.UUID(bytes=rng.bytes(16), version=4) for _ in range(2))
        return f"/providers/Microsoft.Capacity/reservationOrders/{order}/reservations/{reservation}"
    return f"projects/{sub_account}/regions/us-central1/commitments/cud-{_hex(rng, 8)}"


def _ascii(chars: npt.NDArray[np.uint8]) -> pl.Series:
    """One string per row of a (n, width) array of ASCII codes, through Arrow buffers."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(chars, dtype=np.uint8)
    array = pa.Array.from_buffers(pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return _series(pl.from_arrow(array))


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _hex_series(values: npt.NDArray[np.uint64], digits: int) -> pl.Series:
    """Lower-case hex of each value's low `digits` nibbles (at most 16), zero-padded."""
    shifts = np.arange(digits - 1, -1, -1, dtype=np.uint64) * np.uint64(4)
    nibbles = (values[:, None] >> shifts[None, :]) & np.uint64(15)
    return _ascii(_HEX_DIGITS[nibbles.astype(np.intp)])


def _series(value: pl.DataFrame | pl.Series) -> pl.Series:
    if isinstance(value, pl.DataFrame):
        return value.to_series()
    return value


def _string_tables(
    products: tuple[_Service, ...],
    apps: tuple[str, ...],
    ba_ids: list[str],
    subs: list[tuple[int, str, int]],
    sub_ids: list[str],
    regions: list[tuple[str, str]],
    commitments: list[tuple[int, _Commitment]],
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
    sku_ids = _ascii(alphabet[rng.integers(0, len(alphabet), (n_sku, 16))]).to_list()
    price_ids = _ascii(alphabet[rng.integers(0, len(alphabet), (n_sku * 3, 10))]).to_list()
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
            "hex_a": _hex_series(res_hex[:, 0], 16),
            "hex_b": _hex_series(res_hex[:, 1], 16),
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


# --------------------------------------------------------------------------------------------
# One month
# --------------------------------------------------------------------------------------------


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


def _month_frame(world: _World, spec: DemoSpec, month: date, rng: np.random.Generator) -> pl.DataFrame:
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
        "BilledCost": _decimal(money["BilledCost"], SCALE),
        "BillingAccountId": _take(t["BillingAccountId"], row_ba),
        "BillingAccountName": _take(t["BillingAccountName"], row_ba),
        "BillingCurrency": _take(t["BillingCurrency"], row_ba),
        "BillingPeriodEnd": _constant(f"{end:%Y-%m-%d}T00:00:00Z", n_rows),
        "BillingPeriodStart": _constant(f"{month:%Y-%m-%d}T00:00:00Z", n_rows),
        "ChargeCategory": _take(t["ChargeCategory"], category),
        "ChargeClass": pl.repeat(None, n_rows, dtype=pl.String, eager=True),
        "ChargeDescription": _take(t["ChargeDescription"], description),
        "ChargeFrequency": _take(t["ChargeFrequency"], category),
        "ChargePeriodEnd": _take(_lookup(day_ends), end_day),
        "ChargePeriodStart": _take(_lookup(day_starts), start_day),
        "CommitmentDiscountCategory": _take(t["CommitmentDiscountCategory"], row_commitment),
        "CommitmentDiscountId": _take(t["CommitmentDiscountId"], row_commitment),
        "CommitmentDiscountName": _take(t["CommitmentDiscountName"], row_commitment),
        "CommitmentDiscountStatus": _take(t["CommitmentDiscountStatus"], row_status),
        "CommitmentDiscountType": _take(t["CommitmentDiscountType"], row_commitment),
        "ConsumedQuantity": _decimal(consumed_quantity, QTY_SCALE, is_usage),
        "ConsumedUnit": _take(t["ConsumedUnit"], np.where(is_usage, service, -1)),
        "ContractedCost": _decimal(money["ContractedCost"], SCALE),
        "ContractedUnitPrice": _decimal(money["ContractedUnitPrice"], SCALE, priced),
        "EffectiveCost": _decimal(money["EffectiveCost"], SCALE),
        "InvoiceId": _take(_lookup(invoice_ids), row_ba),
        "InvoiceIssuerName": _take(t["InvoiceIssuerName"], row_provider),
        "ListCost": _decimal(money["ListCost"], SCALE),
        "ListUnitPrice": _decimal(money["ListUnitPrice"], SCALE, priced),
        "PricingCategory": _take(t["PricingCategory"], row_pricing),
        "PricingQuantity": _decimal(pricing_quantity, QTY_SCALE, priced),
        "PricingUnit": _take(t["PricingUnit"], unit),
        "ProviderName": _take(t["ProviderName"], row_provider),
        "PublisherName": _take(t["PublisherName"], row_provider),
        "RegionId": _take(t["RegionId"], row_region),
        "RegionName": _take(t["RegionName"], row_region),
        "ResourceId": _take(t["ResourceId"], row_res),
        "ResourceName": _take(t["ResourceName"], row_res),
        "ResourceType": _take(t["ResourceType"], np.where(priced, service, -1)),
        "ServiceCategory": _take(t["ServiceCategory"], service),
        "ServiceName": _take(t["ServiceName"], service),
        "ServiceSubcategory": _take(t["ServiceSubcategory"], service),
        "SkuId": _take(t["SkuId"], sku),
        "SkuPriceId": _take(t["SkuPriceId"], sku_price),
        "SubAccountId": _take(t["SubAccountId"], row_sub),
        "SubAccountName": _take(t["SubAccountName"], row_sub),
        "Tags": _take(t["Tags"], row_tags),
        "x_Discounts": _decimal(money["x_Discounts"], SCALE, is_usage),
    }
    return pl.DataFrame([series.rename(name) for name, series in columns.items()])


def _lookup(values: list[str] | pl.Series, name: str = "") -> pl.Series:
    """A gather table: the values plus a trailing null, in one chunk (gathers from a multi-chunk
    Series are an order of magnitude slower)."""
    series = values if isinstance(values, pl.Series) else pl.Series(name, values, dtype=pl.String)
    return series.extend_constant(None, 1).rechunk()


def _take(table: pl.Series, index: npt.NDArray[np.int64]) -> pl.Series:
    """table[index] for a `_lookup` table; null where index is -1."""
    null = len(table) - 1
    return table.gather(pl.Series(np.where(index < 0, null, index).astype(np.uint32)))


def _constant(value: str, n: int) -> pl.Series:
    return (
        pl.Series([value], dtype=pl.String).extend_constant(value, n - 1)
        if n
        else pl.Series([], dtype=pl.String)
    )


def _decimal(units: npt.NDArray[np.int64], scale: int, valid: Mask | None = None) -> pl.Series:
    """Decimal(38, 10) from integer units of 10**-scale, built as Arrow decimal128 buffers (two
    little-endian int64 words per value, the high word the sign extension): no float involved."""
    units = np.ascontiguousarray(units, dtype=np.int64)
    words = np.empty((len(units), 2), dtype=np.int64)
    words[:, 0] = units
    words[:, 1] = units >> 63
    validity = None if valid is None else pa.py_buffer(np.packbits(valid, bitorder="little"))
    array = pa.Array.from_buffers(pa.decimal128(38, scale), len(units), [validity, pa.py_buffer(words)])
    series = _series(pl.from_arrow(array))
    return series if scale == SCALE else series.cast(DECIMAL)
