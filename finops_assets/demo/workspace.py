"""The demo's whole workspace: its configuration, every source's files and every referential.

`write_workspace` writes, in one folder, what an organisation would have: FOCUS exports of four
clouds (generator/), a private cloud's VM inventory (a tabular source), two indirect pools (an
APM licence invoice spread by team size, CI minutes spread in proportion to private-cloud
vCPUs), a catalog of 40 applications with owners (Backstage group refs) and cost centres, a
`budget` and a `forecast` rate card and FX rates, and finops.yaml tying them together. The
months are fixed (2025-01 onwards), so the demo's figures and warnings never depend on the
calendar. Everything is deterministic: same arguments, same bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import polars as pl
import yaml

from finops_assets.demo.generator.catalogue import application_names
from finops_assets.demo.generator.month import generate_month
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.sources.focus.mapping import FocusOptions
from finops_assets.sources.focus.normalize import MONETARY_FAMILY, consumption_facts, normalize_focus
from finops_core.months import add_months, format_month

FIRST_MONTH = date(2025, 1, 1)
FOCUS_SOURCE = "cloud"
SIMULATION = "sim-compute-plus-10"
BUDGET_FACTOR = Decimal("0.95")  # finance planned 5% under last year's effective rates
FORECAST_FACTOR = Decimal("1.04")  # and now expects 4% over them
PRICE_QUANTUM = Decimal("0.000001")

PAYMENTS_APPLICATIONS = ("payments", "checkout", "billing", "invoicing", "ledger", "fraud-detection")
TEAMS = ("commerce", "platform", "data", "identity", "growth", "logistics", "customer-care")
PRIVATE_CLOUD_APPLICATIONS = (
    ("payments", "standard", 8), ("payments", "highmem", 16), ("search", "highmem", 24),
    ("crm", "standard", 6), ("data-lake", "highmem", 32), ("ledger", "standard", 4),
    ("identity", "standard", 8), ("analytics", "highmem", 16), ("orders", "standard", 12),
    ("billing", "standard", 4),
)  # fmt: skip
VCPU_PRICES = {"standard": Decimal("18.40"), "highmem": Decimal("26.10")}  # chargeback, EUR a month
LICENCE_SEATS, LICENCE_AMOUNT = 100, Decimal("10000.00")
CI_MINUTE_PRICE = Decimal("0.008")


@dataclass(frozen=True)
class DemoWorkspace:
    folder: Path
    months: tuple[date, ...]

    @property
    def config_path(self) -> Path:
        return self.folder / "finops.yaml"


def team_of(application: str, index: int) -> str:
    return "payments" if application in PAYMENTS_APPLICATIONS else TEAMS[index % len(TEAMS)]


def write_workspace(folder: Path, months: int = 12, rows_per_month: int = 20_000) -> DemoWorkspace:
    workspace = DemoWorkspace(folder, demo_months(months, until=add_months(FIRST_MONTH, months - 1)))
    spec = DemoSpec(months=workspace.months, rows_per_month=rows_per_month)
    applications = application_names(spec.applications)
    rates = _write_focus(spec, folder / "focus")
    _write_private_cloud(workspace, folder / "private-cloud")
    _write_pools(workspace, folder)
    _write_catalog(applications, folder / "catalog")
    _write_allocation(workspace, applications, folder / "allocation")
    _write_pricing(workspace, rates, folder / "pricing")
    _write_config(workspace)
    return workspace


def _keep_or_write(path: Path, content: bytes) -> None:
    """The file written, unless it already holds `content`: a demo started again left as it was
    (rewritten, every file looked new to the new-delivery sensor, which ran every month again)."""
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _write_yaml(path: Path, header: str, content: object) -> None:
    body = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=110)
    _keep_or_write(path, f"# {header}\n{body}".encode())


def _write_csv(path: Path, header: list[str], rows: Sequence[Sequence[object]]) -> None:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    _keep_or_write(path, text.getvalue().encode())


def _write_focus(spec: DemoSpec, folder: Path) -> dict[str, tuple[Decimal, str]]:
    """One Parquet file a month; returns each usage product's effective rate over the months
    and its currency (USD where the product has USD rows), from the same normalisation the
    connector runs, for the rate cards."""
    folder.mkdir(parents=True, exist_ok=True)
    options = FocusOptions(cost_column="EffectiveCost", application_tag="application")
    totals: list[pl.DataFrame] = []
    for month in spec.months:
        frame = generate_month(spec, month)
        parquet = io.BytesIO()
        frame.write_parquet(parquet)
        _keep_or_write(folder / f"focus_{format_month(month)}.parquet", parquet.getvalue())
        raw = frame.with_columns(
            pl.lit("demo").alias("_file"),
            pl.int_range(1, frame.height + 1).alias("_line"),
            pl.lit(month).alias("_month"),
        )
        lines, _ = normalize_focus(raw, options)
        facts, products = consumption_facts(lines, options)
        usage = products.filter(pl.col("family_code") != MONETARY_FAMILY).select("product_code")
        totals.append(
            facts.join(usage, on="product_code")
            .group_by("product_code", "currency")
            .agg(pl.col("quantity").sum(), pl.col("source_cost").sum())
        )
    year = (
        pl.concat(totals)
        .group_by("product_code", "currency")
        .agg(pl.col("quantity").sum(), pl.col("source_cost").sum())
        .filter(pl.col("quantity") != 0)
        .sort("product_code", pl.col("currency") != "USD")  # USD first: most rows are in USD
        .unique("product_code", keep="first", maintain_order=True)
    )
    rows = year.select("product_code", "currency", "quantity", "source_cost").iter_rows()
    return {code: (Decimal(cost) / Decimal(quantity), currency) for code, currency, quantity, cost in rows}


def _write_private_cloud(workspace: DemoWorkspace, folder: Path) -> None:
    """The VM inventory at each month's end; the payments team grows its standard tier."""
    for number, month in enumerate(workspace.months):
        rows: list[list[object]] = []
        for vm, (application, tier, vcpus) in enumerate(PRIVATE_CLOUD_APPLICATIONS):
            grown = vcpus + (number // 3) * (2 if application == "payments" and tier == "standard" else 0)
            rows.append([
                (add_months(month, 1) - timedelta(days=1)).isoformat(), f"{application}-{tier}-{vm:02d}",
                f"prj-{application}-prod", tier.capitalize(), ("par1", "par2")[vm % 2], grown,
                f"{grown * VCPU_PRICES[tier]:.2f}",
            ])  # fmt: skip
        header = ["snapshot_date", "vm_name", "project", "tier", "datacenter", "vcpus", "chargeback_eur"]
        _write_csv(folder / f"vm-inventory-{format_month(month)}.csv", header, rows)


def _write_pools(workspace: DemoWorkspace, folder: Path) -> None:
    """Two invoices with no team: indirect pools, for the allocation to spread."""
    licences = [
        [format_month(m), "apm-licence", LICENCE_SEATS, f"{LICENCE_AMOUNT}", ""] for m in workspace.months
    ]
    _write_csv(
        folder / "licences" / "invoices.csv", ["month", "product", "seats", "amount_eur", "team"], licences
    )
    ci = []
    for number, month in enumerate(workspace.months):
        minutes = 240_000 + 7_500 * number
        ci.append([format_month(month), "ci-minutes", minutes, f"{minutes * CI_MINUTE_PRICE:.2f}", ""])
    _write_csv(folder / "ci" / "usage.csv", ["month", "product", "minutes", "amount_eur", "team"], ci)


def _write_catalog(applications: tuple[str, ...], folder: Path) -> None:
    header = "Direct domains are attributed to their consumer; indirect ones are pools."
    _write_yaml(folder / "domains.yaml", header, {
        "domains": [
            {"code": "private-cloud", "name": "Private cloud", "kind": "direct"},
            {"code": "shared-tooling", "name": "Shared tooling", "kind": "indirect"},
        ],
        "families": [
            {"code": "private-compute", "name": "Private cloud compute", "domain": "private-cloud"},
            {"code": "licences", "name": "Licences", "domain": "shared-tooling"},
            {"code": "ci", "name": "Continuous integration", "domain": "shared-tooling"},
        ],
        "products": [
            {"code": "pc-vcpu-standard", "name": "vCPU (standard tier)", "family": "private-compute",
             "unit": "vCPU-month"},
            {"code": "pc-vcpu-highmem", "name": "vCPU (high-memory tier)", "family": "private-compute",
             "unit": "vCPU-month"},
            {"code": "apm-licence", "name": "APM licence", "family": "licences", "unit": "seat"},
            {"code": "ci-minutes", "name": "CI runner minutes", "family": "ci", "unit": "minute"},
        ],
    })  # fmt: skip
    entries = []
    for index, code in enumerate(applications):
        team = team_of(code, index)
        owner = f"group:default/{team}-team"
        team_number = 0 if team == "payments" else 1 + TEAMS.index(team)
        entries.append({
            "code": code, "name": code.replace("-", " ").title(), "owner": owner,
            "cost_center": f"CC-{1040 + team_number}", "entity_ref": f"component:default/{code}",
            "lifecycle": "production" if index % 5 else "experimental",
        })  # fmt: skip
    _write_yaml(folder / "applications.yaml", "Owners are Backstage group refs.", {"applications": entries})


def _write_allocation(workspace: DemoWorkspace, applications: tuple[str, ...], folder: Path) -> None:
    _write_yaml(folder / "rules.yaml", "How the indirect pools are spread, to the cent.", {
        "allocation_rules": [
            {"code": "apm-by-team-size", "scope": {"product": "apm-licence"}, "method": "driver",
             "driver": "team_size", "scale": 2},
            {"code": "ci-by-private-vcpus", "scope": {"product": "ci-minutes"}, "method": "proportional",
             "proportional_to": {"product": "pc-vcpu-standard"}, "basis": "quantity"},
        ]
    })  # fmt: skip
    rows: list[list[object]] = [
        ["team_size", format_month(month), code, 2 + (index * 7 + number) % 9]
        for number, month in enumerate(workspace.months)
        for index, code in enumerate(applications)
    ]
    _write_csv(folder / "keys" / "team_size.csv", ["driver", "month", "application", "weight"], rows)


def _price(value: Decimal) -> str:
    return str(value.quantize(PRICE_QUANTUM, rounding=ROUND_HALF_EVEN))


def _write_pricing(workspace: DemoWorkspace, rates: dict[str, tuple[Decimal, str]], folder: Path) -> None:
    first, last = format_month(workspace.months[0]), format_month(workspace.months[-1])
    own = {"pc-vcpu-standard": Decimal("20.00"), "pc-vcpu-highmem": Decimal("28.00"),
           "apm-licence": Decimal("95.00"), "ci-minutes": Decimal("0.0075")}  # fmt: skip
    for code, name, factor in (
        ("budget", "Budget", BUDGET_FACTOR),
        ("forecast", "Forecast", FORECAST_FACTOR),
    ):
        prices: list[list[object]] = [
            [product, _price(rate * factor), currency, first, last]
            for product, (rate, currency) in rates.items()
        ]
        prices += [
            [p, _price(price * factor / BUDGET_FACTOR), "EUR", first, last] for p, price in own.items()
        ]
        _write_csv(folder / f"{code}.csv", ["product", "unit_price", "currency", "from", "to"], prices)
        header = f"The {name.lower()} unit prices; USD prices use fx_rates.csv."
        _write_yaml(folder / f"{code}.yaml", header, {
            "pricing_views": [{"code": code, "name": f"{name} {workspace.months[0].year}", "currency": "EUR",
                               "description": f"{name}: unit prices in EUR", "prices_file": f"{code}.csv"}]
        })  # fmt: skip
    fx = [[format_month(m), "USD", "EUR", f"{Decimal('0.9000') + Decimal('0.0025') * n}"]
          for n, m in enumerate(workspace.months)]  # fmt: skip
    _write_csv(folder / "fx_rates.csv", ["month", "from_currency", "to_currency", "rate"], fx)


def _write_config(workspace: DemoWorkspace) -> None:
    # the invoices name no team: the whole cost is a pool for the allocation, not a mapping gap
    pool = {"coverage_threshold": 0.0, "kind": "tabular"}
    tabular = {"currency": "EUR", "application": {"column": "team"}}
    config = {
        "start_month": format_month(workspace.months[0]),
        "end_month": format_month(workspace.months[-1]),
        "catalog": "catalog/",
        "pricing": "pricing/",
        "allocation": "allocation/",
        # the demo runs on one machine for one person: no authentication, said at every answer
        "api": {"auth": {"mode": "none"}},
        "sources": [
            {"name": FOCUS_SOURCE, "kind": "focus", "path": "focus", "cost_column": "EffectiveCost",
             "application_tag": "application",
             # 5% of the generated usage is untagged on purpose: it stays visible as unallocated
             "coverage_threshold": 0.8},
            {"name": "private_cloud", "kind": "tabular", "path": "private-cloud", "mapping": {
                "month": {"column": "snapshot_date"},
                "application": {"column": "project", "transforms": [{"regex": "^prj-(.+)-prod$"}]},
                "product": {"column": "tier", "transforms": [{"lower": True}, {"rename": {
                    "standard": "pc-vcpu-standard", "highmem": "pc-vcpu-highmem"}}]},
                "quantity": {"column": "vcpus"}, "unit": "vCPU-month", "cost": {"column": "chargeback_eur"},
                "currency": "EUR", "region": {"column": "datacenter"}}},
            {"name": "licences", **pool, "path": "licences/invoices.csv", "mapping": {
                **tabular, "month": {"column": "month"}, "product": {"column": "product"},
                "quantity": {"column": "seats"}, "unit": "seat", "cost": {"column": "amount_eur"}}},
            {"name": "ci", **pool, "path": "ci/usage.csv", "mapping": {
                **tabular, "month": {"column": "month"}, "product": {"column": "product"},
                "quantity": {"column": "minutes"}, "unit": "minute", "cost": {"column": "amount_eur"}}},
        ],
    }  # fmt: skip
    _write_yaml(workspace.config_path, "The demo platform, written by `finops demo`.", config)
