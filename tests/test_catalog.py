"""The product catalog as a history-keeping referential."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from litestar.testing import TestClient

from finops_api.app import create_app
from finops_assets.referentials.catalog import apply_catalog, read_catalog
from finops_assets.referentials.history import HistoryOrderError
from finops_core.config import ConfigError
from tests.api.conftest import OPEN_API
from tests.pipeline import focus_source, query, run_month
from tests.test_month_loads import MONTHS, line, write_csv

EC2 = "aws:amazon-elastic-compute-cloud:hours"


def declare(folder: Path, products: str, families: str = "") -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "catalog.yaml").write_text(
        "domains:\n"
        "  - {code: public-cloud, name: Public cloud, kind: direct}\n"
        "  - {code: shared-tooling, name: Shared tooling, kind: indirect}\n"
        "families:\n"
        "  - {code: compute, name: Compute, domain: public-cloud}\n"
        "  - {code: observability, name: Observability, domain: shared-tooling}\n"
        f"{families}"
        f"products:\n{products}"
    )
    return folder


def versions(url: str, code: str) -> list[tuple[object, ...]]:
    return query(
        url,
        "SELECT valid_from, valid_to, name, family_code, active, deleted_at IS NOT NULL"
        " FROM finops.dim_product WHERE product_code = %s ORDER BY valid_from",
        code,
    )


def test_rename_removal_and_return_keep_history(mart_url: str, tmp_path: Path) -> None:
    logs = "  - {code: logs, name: Log ingestion, family: observability, unit: GB}\n"
    folder = declare(tmp_path / "catalog", logs)
    apply_catalog(mart_url, read_catalog(folder), date(2025, 1, 1))
    assert versions(mart_url, "logs") == [
        (date(1900, 1, 1), None, "Log ingestion", "observability", True, False)
    ]

    declare(folder, logs.replace("Log ingestion", "Logs"))
    apply_catalog(mart_url, read_catalog(folder), date(2025, 3, 1))
    assert versions(mart_url, "logs") == [
        (date(1900, 1, 1), date(2025, 3, 1), "Log ingestion", "observability", True, False),
        (date(2025, 3, 1), None, "Logs", "observability", True, False),
    ]

    declare(folder, "  - {code: other, name: Other, family: compute, unit: Hours}\n")
    apply_catalog(mart_url, read_catalog(folder), date(2025, 5, 1))
    assert versions(mart_url, "logs")[-1] == (
        date(2025, 3, 1),
        date(2025, 5, 1),
        "Logs",
        "observability",
        True,
        True,
    )

    declare(folder, logs.replace("Log ingestion", "Logs") + "  - {code: other, name: Other, family: compute,"
            " unit: Hours, active: false}\n")  # fmt: skip
    apply_catalog(mart_url, read_catalog(folder), date(2025, 7, 1))
    apply_catalog(mart_url, read_catalog(folder), date(2025, 7, 1))  # the same declaration again: no change
    assert versions(mart_url, "logs") == [
        (date(1900, 1, 1), date(2025, 3, 1), "Log ingestion", "observability", True, False),
        (date(2025, 3, 1), date(2025, 5, 1), "Logs", "observability", True, True),
        (date(2025, 7, 1), None, "Logs", "observability", True, False),
    ]
    # deactivated, not deleted: still the current version, still queryable
    assert versions(mart_url, "other")[-1] == (date(2025, 7, 1), None, "Other", "compute", False, False)

    with pytest.raises(HistoryOrderError, match="versions from 2025-07; a declaration for 2025-02"):
        apply_catalog(mart_url, read_catalog(folder), date(2025, 2, 1))


def test_each_month_is_valued_under_the_family_valid_then(mart_url: str, tmp_path: Path) -> None:
    bills = tmp_path / "bills"
    for month in MONTHS:
        write_csv(bills / f"{month:%Y-%m}.csv", [line(month, "1.10"), line(month, "0.40")])
    source = focus_source("cloud", bills, application_tag="application")
    ec2 = f'  - {{code: "{EC2}", name: EC2 hours, family: compute, unit: Hours}}\n'
    folder = declare(tmp_path / "catalog", ec2)

    run_month(mart_url, tmp_path / "landing", MONTHS[0], source)  # registers the product (is_auto)
    apply_catalog(mart_url, read_catalog(folder), MONTHS[0])  # the catalog takes it over in place
    run_month(mart_url, tmp_path / "landing", MONTHS[0], source)
    declare(
        folder,
        ec2.replace("family: compute", "family: vm"),
        "  - {code: vm, name: VMs, domain: public-cloud}\n",
    )
    apply_catalog(mart_url, read_catalog(folder), MONTHS[2])
    for month in MONTHS:
        run_month(mart_url, tmp_path / "landing", month, source)

    rows = query(
        mart_url,
        "SELECT month, family_code, cost FROM finops.cost_by_product WHERE product_code = %s"
        " AND pricing_view_code = 'actual' ORDER BY month",
        EC2,
    )
    assert rows == [
        (MONTHS[0], "compute", Decimal("1.50")),
        (MONTHS[1], "compute", Decimal("1.50")),
        (MONTHS[2], "vm", Decimal("1.50")),
    ]
    assert versions(mart_url, EC2)[0][:4] == (date(1900, 1, 1), MONTHS[2], "EC2 hours", "compute")


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a.yaml": "products: [{code: p, name: P, family: x, unit: GB}]"}, "'p' names unknown family 'x'"),
        ({"a.yaml": "families: [{code: f, name: F, domain: x}]\n"}, "family 'f' names unknown domain 'x'"),
        (
            {"a.yaml": "domains: [{code: d, name: D, kind: direct}]\n",
             "b.yaml": "domains: [{code: d, name: D2, kind: direct}]\n"},
            "b.yaml: domain 'd' is also declared in",
        ),
        ({"a.yaml": "domains: [{code: d, name: D, kind: shared}]\n"}, "$.domains[0].kind"),
    ],
)  # fmt: skip
def test_catalog_errors_name_the_file_and_entry(tmp_path: Path, files: dict[str, str], message: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as error:
        read_catalog(tmp_path)
    assert message in str(error.value)


def test_a_reowned_application_keeps_its_old_owner_for_past_months(mart_url: str, tmp_path: Path) -> None:
    bills = tmp_path / "bills"
    write_csv(bills / "jan.csv", [line(MONTHS[0], "1.10")])
    run_month(
        mart_url, tmp_path / "landing", MONTHS[0], focus_source("cloud", bills, application_tag="application")
    )
    assert query(mart_url, "SELECT name, is_auto FROM finops.dim_application") == [("payments", True)]

    folder = tmp_path / "catalog"
    folder.mkdir()
    payments = (
        "applications:\n  - {code: payments, name: Payments, owner: group:default/team-a, cost_center: CC-1,"
        " entity_ref: component:default/payments, lifecycle: production}\n"
    )
    (folder / "applications.yaml").write_text(payments)
    apply_catalog(mart_url, read_catalog(folder), MONTHS[0])  # takes the auto-registered row over
    (folder / "applications.yaml").write_text(payments.replace("team-a", "team-b"))
    apply_catalog(mart_url, read_catalog(folder), MONTHS[2])

    assert query(
        mart_url,
        "SELECT valid_from, valid_to, owner, entity_ref, is_auto FROM finops.dim_application"
        " ORDER BY valid_from",
    ) == [
        (date(1900, 1, 1), MONTHS[2], "group:default/team-a", "component:default/payments", False),
        (MONTHS[2], None, "group:default/team-b", "component:default/payments", False),
    ]


def test_declared_owners_and_refs_are_stored_as_backstage_compares_them(
    mart_url: str, tmp_path: Path
) -> None:
    """Lower-cased, as the Backstage sync stores them: the owner joins its group's team size and
    its team's tokens (finops_core/entity_refs.py), and writing it otherwise is no new version."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    payments = (
        "applications:\n  - {code: Payments, name: Payments, owner: OWNER,"
        " entity_ref: component:default/Pay}\n"
    )
    (folder / "applications.yaml").write_text(payments.replace("OWNER", "Group:Default/Team-A"))
    apply_catalog(mart_url, read_catalog(folder), MONTHS[0])
    (folder / "applications.yaml").write_text(payments.replace("OWNER", "group:default/team-a"))
    apply_catalog(mart_url, read_catalog(folder), MONTHS[2])

    assert query(
        mart_url, "SELECT application_code, valid_to, owner, entity_ref FROM finops.dim_application"
    ) == [("Payments", None, "group:default/team-a", "component:default/pay")]


def test_costs_group_by_the_owner_of_the_month(mart_url: str, tmp_path: Path) -> None:
    bills = tmp_path / "bills"
    for month in (MONTHS[0], MONTHS[2]):
        write_csv(bills / f"{month:%Y-%m}.csv", [line(month, "1.10"), line(month, "0.40", app="search")])
    source = focus_source("cloud", bills, application_tag="application")
    folder = tmp_path / "catalog"
    folder.mkdir()
    apps = "applications:\n  - {code: payments, name: Payments, owner: group:default/team-a}\n"
    (folder / "apps.yaml").write_text(apps)
    apply_catalog(mart_url, read_catalog(folder), MONTHS[0])
    run_month(mart_url, tmp_path / "landing", MONTHS[0], source)
    (folder / "apps.yaml").write_text(apps.replace("team-a", "team-b"))
    apply_catalog(mart_url, read_catalog(folder), MONTHS[2])
    run_month(mart_url, tmp_path / "landing", MONTHS[2], source)

    with TestClient(app=create_app(mart_url, api=OPEN_API)) as client:
        response = client.get("/api/v1/costs", params={"group_by": "month,owner"})
        # an owner filter is a ref as Backstage compares it: whatever its case
        filtered = client.get("/api/v1/costs", params={"group_by": "month", "owner": "Group:default/Team-B"})
        current = {"owner_as_of": "current"}
        regrouped = client.get("/api/v1/costs", params={"group_by": "month,owner", **current})
        current_filter = {"group_by": "month", "owner": "group:default/team-b", **current}
        current_filtered = client.get("/api/v1/costs", params=current_filter)
        # a preview groups by the same owner: payments doubled, under team-a then team-b, or
        # under team-b throughout today
        doubled = [{"scope": {"level": "application", "code": "payments"}, "kind": "percent", "value": "100"}]
        previews = {
            as_of: client.post(
                "/api/v1/costs/preview",
                json={
                    "base_view": "actual",
                    "adjustments": doubled,
                    "group_by": ["month", "owner"],
                    "owner_as_of": as_of,
                },
            ).json()["rows"]
            for as_of in ("month", "current")
        }
    assert [(r["month"], r["owner"], r["cost"]) for r in response.json()["rows"]] == [
        ("2025-01", "", "0.4"),  # search has no owner
        ("2025-01", "group:default/team-a", "1.1"),
        ("2025-03", "", "0.4"),
        ("2025-03", "group:default/team-b", "1.1"),
    ]
    assert [(r["month"], r["cost"]) for r in filtered.json()["rows"]] == [("2025-03", "1.1")]
    # owner_as_of=current: January's payments cost regroups under today's owner
    assert [(r["month"], r["owner"], r["cost"]) for r in regrouped.json()["rows"]] == [
        ("2025-01", "", "0.4"),
        ("2025-01", "group:default/team-b", "1.1"),
        ("2025-03", "", "0.4"),
        ("2025-03", "group:default/team-b", "1.1"),
    ]
    assert [(r["month"], r["cost"]) for r in current_filtered.json()["rows"]] == [
        ("2025-01", "1.1"),
        ("2025-03", "1.1"),
    ]
    assert {
        as_of: [(r["month"], r["owner"], r["cost"], r["against_cost"]) for r in rows]
        for as_of, rows in previews.items()
    } == {
        "month": [
            ("2025-01", "", "0.4", "0.4"),
            ("2025-01", "group:default/team-a", "2.200", "1.1"),
            ("2025-03", "", "0.4", "0.4"),
            ("2025-03", "group:default/team-b", "2.200", "1.1"),
        ],
        "current": [
            ("2025-01", "", "0.4", "0.4"),
            ("2025-01", "group:default/team-b", "2.200", "1.1"),
            ("2025-03", "", "0.4", "0.4"),
            ("2025-03", "group:default/team-b", "2.200", "1.1"),
        ],
    }
