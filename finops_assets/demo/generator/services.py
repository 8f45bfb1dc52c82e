"""The product catalogue: actual cloud services with their units, USD list prices and the shape
of their daily quantities, and how a spec's `products` count is drawn from them."""

from __future__ import annotations

from typing import NamedTuple

from finops_assets.demo.generator.catalogue import PROVIDERS

KINDS = ("hours", "storage", "volume")


class Service(NamedTuple):
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
    Service(0, "Amazon Elastic Compute Cloud", "Compute", "Virtual Machines", "Hours", "Hours", 1, 96_000,
             "hours", _H, "Instance", "vm", "ec2", "instance/i-0", "On Demand Linux m5.large Instance Hour"),
    Service(0, "Amazon Simple Storage Service", "Storage", "Object Storage", "GB-Months", "GB-Months", 1,
             23_000, "storage", _H, "Bucket", "bucket", "s3", "", "Standard storage"),
    Service(0, "Amazon Relational Database Service", "Databases", "Relational", "Hours", "Hours", 1,
             171_000, "hours", _H, "DB Instance", "db", "rds", "db:", "db.m5.large PostgreSQL instance hour"),
    Service(0, "Amazon Elastic Block Store", "Storage", "Disk", "GB-Months", "GB-Months", 1, 80_000,
             "storage", _H, "Volume", "vol", "ec2", "volume/vol-0", "gp3 provisioned storage"),
    Service(0, "AWS Lambda", "Compute", "Serverless Compute", "1000000 Requests", "Requests", 1_000_000,
             200_000, "volume", (2, 6), "Function", "fn", "lambda", "function:", "Lambda requests"),
    Service(0, "Amazon DynamoDB", "Databases", "NoSQL", "GB-Months", "GB-Months", 1, 250_000, "storage",
             _H, "Table", "table", "dynamodb", "table/", "Table storage"),
    Service(0, "Amazon CloudFront", "Networking", "Content Delivery", "GB", "GB", 1, 85_000, "volume",
             (3, 7), "Distribution", "cdn", "cloudfront", "distribution/", "Data transfer out to internet"),
    Service(0, "Amazon Elastic Kubernetes Service", "Compute", "Containers", "Hours", "Hours", 1, 100_000,
             "hours", _H, "Cluster", "eks", "eks", "cluster/", "EKS cluster hour"),
    Service(0, "Amazon CloudWatch", "Management and Governance", "Observability", "GB", "GB", 1, 500_000,
             "volume", (3, 7), "Log Group", "logs", "logs", "log-group:/app/", "Logs data ingested"),
    Service(0, "Amazon Virtual Private Cloud", "Networking", "Network Management", "Hours", "Hours", 1,
             45_000, "hours", _H, "NAT Gateway", "nat", "ec2", "natgateway/nat-0", "NAT gateway hour"),
    Service(0, "Elastic Load Balancing", "Networking", "Load Balancing", "LCU-Hours", "LCU-Hours", 1,
             8_000, "volume", (4, 7), "Load Balancer", "alb", "elasticloadbalancing", "loadbalancer/app/",
             "Application load balancer capacity unit-hour"),
    Service(0, "AWS Key Management Service", "Security", "Credentials", "10000 Requests", "Requests",
             10_000, 30_000, "volume", (3, 6), "Key", "key", "kms", "key/", "KMS API requests"),
    Service(0, "Amazon Simple Storage Service", "Storage", "Object Storage", "1000 Requests", "Requests",
             1_000, 5_000, "volume", (4, 8), "Bucket", "bucket", "s3", "", "PUT, COPY, POST, LIST requests"),
    Service(0, "Amazon Relational Database Service", "Databases", "Relational", "GB-Months", "GB-Months",
             1, 115_000, "storage", _H, "DB Instance", "db", "rds", "db:", "General Purpose storage"),
    Service(0, "Amazon DynamoDB", "Databases", "NoSQL", "1000000 Requests", "Requests", 1_000_000,
             1_250_000, "volume", (2, 6), "Table", "table", "dynamodb", "table/", "On-demand write requests"),
    Service(0, "Amazon Virtual Private Cloud", "Networking", "Network Management", "GB", "GB", 1, 45_000,
             "volume", (3, 7), "NAT Gateway", "nat", "ec2", "natgateway/nat-0", "NAT gateway data processed"),
    # Microsoft
    Service(1, "Virtual Machines", "Compute", "Virtual Machines", "Hours", "Hours", 1, 192_000, "hours",
             _H, "Virtual machine", "vm", "Microsoft.Compute/virtualMachines", "", "D4s v5 Linux"),
    Service(1, "Storage", "Storage", "Object Storage", "GB-Months", "GB-Months", 1, 18_400, "storage", _H,
             "Storage account", "st", "Microsoft.Storage/storageAccounts", "", "Hot LRS data stored"),
    Service(1, "Azure SQL Database", "Databases", "Relational", "Hours", "Hours", 1, 505_000, "hours", _H,
             "SQL database", "sqldb", "Microsoft.Sql/servers", "", "General Purpose Gen5 2 vCore"),
    Service(1, "Azure Kubernetes Service", "Compute", "Containers", "Hours", "Hours", 1, 100_000, "hours",
             _H, "Kubernetes service", "aks", "Microsoft.ContainerService/managedClusters", "",
             "Standard tier cluster hour"),
    Service(1, "Azure Cosmos DB", "Databases", "NoSQL", "GB-Months", "GB-Months", 1, 250_000, "storage", _H,
             "Azure Cosmos DB account", "cosmos", "Microsoft.DocumentDB/databaseAccounts", "", "Data stored"),
    Service(1, "Azure Monitor", "Management and Governance", "Observability", "GB", "GB", 1, 2_300_000,
             "volume", (3, 6), "Log Analytics workspace", "log", "Microsoft.OperationalInsights/workspaces",
             "", "Analytics logs data ingestion"),
    Service(1, "Bandwidth", "Networking", "Data Transfer", "GB", "GB", 1, 87_000, "volume", (3, 7),
             "Public IP address", "pip", "Microsoft.Network/publicIPAddresses", "",
             "Internet data transfer out"),
    Service(1, "Azure App Service", "Web", "Other (Web)", "Hours", "Hours", 1, 169_000, "hours", _H,
             "App Service plan", "plan", "Microsoft.Web/serverfarms", "", "Premium v3 P1v3 Linux instance"),
    Service(1, "Azure Machine Learning", "AI and Machine Learning", "Machine Learning", "Hours", "Hours", 1,
             900_000, "hours", _H, "Machine learning compute", "mlw",
             "Microsoft.MachineLearningServices/workspaces", "", "NC6s v3 compute instance"),
    Service(1, "Storage", "Storage", "Object Storage", "10000 Transactions", "Transactions", 10_000, 65_000,
             "volume", (4, 8), "Storage account", "st", "Microsoft.Storage/storageAccounts", "",
             "Hot LRS write operations"),
    # Google Cloud
    Service(2, "Compute Engine", "Compute", "Virtual Machines", "Hours", "Hours", 1, 134_000, "hours", _H,
             "Instance", "vm", "compute.googleapis.com", "instances", "E2 standard-4 instance core and RAM"),
    Service(2, "Cloud Storage", "Storage", "Object Storage", "GB-Months", "GB-Months", 1, 20_000, "storage",
             _H, "Bucket", "bucket", "storage.googleapis.com", "buckets", "Standard storage"),
    Service(2, "BigQuery", "Databases", "Data Warehouse", "TB", "TB", 1, 6_250_000, "volume", (1, 5),
             "Dataset", "ds", "bigquery.googleapis.com", "datasets", "Analysis (on-demand)"),
    Service(2, "Google Kubernetes Engine", "Compute", "Containers", "Hours", "Hours", 1, 100_000, "hours",
             _H, "Cluster", "gke", "container.googleapis.com", "clusters", "Cluster management fee"),
    Service(2, "Cloud SQL", "Databases", "Relational", "Hours", "Hours", 1, 143_000, "hours", _H,
             "Cloud SQL instance", "sql", "sqladmin.googleapis.com", "instances",
             "Cloud SQL for PostgreSQL: 2 vCPU + 8 GB RAM"),
    Service(2, "Vertex AI", "AI and Machine Learning", "Machine Learning", "Hours", "Hours", 1, 1_000_000,
             "hours", _H, "Endpoint", "endpoint", "aiplatform.googleapis.com", "endpoints",
             "Online prediction n1-standard-4 with T4 GPU"),
    Service(2, "Cloud Run", "Compute", "Serverless Compute", "1000000 Requests", "Requests", 1_000_000,
             400_000, "volume", (2, 6), "Service", "run", "run.googleapis.com", "services", "Requests"),
    Service(2, "Cloud Logging", "Management and Governance", "Observability", "GB", "GB", 1, 500_000,
             "volume", (3, 6), "Log bucket", "logs", "logging.googleapis.com", "buckets", "Log storage"),
    Service(2, "Compute Engine", "Compute", "Virtual Machines", "GB-Months", "GB-Months", 1, 100_000,
             "storage", _H, "Disk", "disk", "compute.googleapis.com", "disks", "Balanced PD capacity"),
    Service(2, "Cloud Storage", "Storage", "Object Storage", "GB", "GB", 1, 120_000, "volume", (3, 7),
             "Bucket", "bucket", "storage.googleapis.com", "buckets", "Network internet egress"),
    Service(2, "BigQuery", "Databases", "Data Warehouse", "GB-Months", "GB-Months", 1, 20_000, "storage", _H,
             "Dataset", "ds", "bigquery.googleapis.com", "datasets", "Active logical storage"),
    # Oracle
    Service(3, "COMPUTE", "Compute", "Virtual Machines", "OCPU-Hours", "OCPU-Hours", 1, 25_000, "hours", _H,
             "Instance", "vm", "instance", "", "Compute - Standard - E4 - OCPU"),
    Service(3, "BLOCK_STORAGE", "Storage", "Disk", "GB-Months", "GB-Months", 1, 25_500, "storage", _H,
             "Volume", "vol", "volume", "", "Block Volume - Storage"),
    Service(3, "OBJECT_STORAGE", "Storage", "Object Storage", "GB-Months", "GB-Months", 1, 25_500, "storage",
             _H, "Bucket", "bucket", "bucket", "", "Object Storage - Storage"),
    Service(3, "DATABASE", "Databases", "Relational", "ECPU-Hours", "ECPU-Hours", 1, 336_000, "hours", _H,
             "Autonomous Database", "adb", "autonomousdatabase", "", "Autonomous Data Warehouse - ECPU"),
    Service(3, "NETWORK", "Networking", "Load Balancing", "Hours", "Hours", 1, 11_300, "hours", _H,
             "Load Balancer", "lb", "loadbalancer", "", "Load Balancer Base"),
)  # fmt: skip


def product_catalogue(count: int) -> tuple[Service, ...]:
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
