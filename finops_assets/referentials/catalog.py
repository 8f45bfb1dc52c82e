"""The catalog: domains, families, products and applications declared in versioned YAML files.

    domains:
      - {code: shared-tooling, name: Shared tooling, kind: indirect}
    families:
      - {code: observability, name: Observability, domain: shared-tooling}
    products:
      - {code: log-ingestion, name: Log ingestion, family: observability, unit: GB}
    applications:
      - {code: payments, name: Payments, owner: group:default/payments-team,
         cost_center: CC-1042, entity_ref: component:default/payments, lifecycle: production}

Every *.yaml file of the catalog folder may hold any of the four lists; together they are the
whole catalog, and an entry missing from them is soft-deleted from the month they are applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

import msgspec

from finops_assets.mart.connection import Mart, connection
from finops_assets.referentials.declared_values import declared_files
from finops_assets.referentials.history import APPLICATION, DOMAIN, FAMILY, PRODUCT, apply_declaration
from finops_core.config import ConfigError
from finops_core.entity_refs import canonical_ref
from finops_core.yaml_files import decode_yaml


class DomainEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    code: str
    name: str
    kind: Literal["direct", "indirect"]


class FamilyEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    code: str
    name: str
    domain: str


class ProductEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    code: str
    name: str
    family: str
    unit: str
    description: str | None = None
    active: bool = True


class ApplicationEntry(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    code: str
    name: str
    owner: str | None = None
    """A Backstage group ref, e.g. group:default/payments-team."""
    cost_center: str | None = None
    entity_ref: str | None = None
    """A Backstage entity ref, e.g. component:default/payments."""
    lifecycle: str | None = None


class CatalogFile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    applications: list[ApplicationEntry] = msgspec.field(default_factory=list)
    domains: list[DomainEntry] = msgspec.field(default_factory=list)
    families: list[FamilyEntry] = msgspec.field(default_factory=list)
    products: list[ProductEntry] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class Catalog:
    applications: list[ApplicationEntry]
    domains: list[DomainEntry]
    families: list[FamilyEntry]
    products: list[ProductEntry]


_REQUIRED_TEXTS = ("code", "name", "unit")


def _check_texts(entry: ApplicationEntry | DomainEntry | FamilyEntry | ProductEntry, where: str) -> None:
    """An empty code, name or unit was applied as is: a dimension row no code could reach, a
    product named '' in every report, quantities in no unit."""
    for field in _REQUIRED_TEXTS:
        value = getattr(entry, field, None)
        if value is not None and not value.strip():
            raise ConfigError(f"{where}.{field}: empty")


def read_catalog(folder: Path, *, backstage_owns_applications: bool = False) -> Catalog:
    """The catalog declared in folder's *.yaml files, checked whole: unique codes, and every
    family's domain and product's family declared. Errors name the file and the entry.
    With backstage_owns_applications (finops.yaml has a backstage: block), declaring applications
    is an error: the Backstage sync owns them, and two declarers would soft-delete each other's."""
    files = declared_files(folder, "*.yaml", "*.yml")
    if not folder.is_dir() or not files:
        raise ConfigError(f"{folder}: no catalog files (*.yaml) found")
    applications: dict[str, ApplicationEntry] = {}
    domains: dict[str, DomainEntry] = {}
    families: dict[str, FamilyEntry] = {}
    products: dict[str, ProductEntry] = {}
    origin: dict[tuple[str, str], Path] = {}
    for path in files:
        content = decode_yaml(path, CatalogFile)
        if backstage_owns_applications and content.applications:
            raise ConfigError(
                f"{path}: declares applications, but finops.yaml has a backstage: block, so applications "
                "come from the Backstage catalog: remove them from the catalog files (or the backstage block)"
            )
        for name in ("applications", "domains", "families", "products"):
            for index, declared in enumerate(getattr(content, name)):
                _check_texts(declared, f"{path}: {name}[{index}]")
        for kind, entries, seen in (
            ("application", content.applications, applications),
            ("domain", content.domains, domains),
            ("family", content.families, families),
            ("product", content.products, products),
        ):
            for entry in entries:
                if entry.code in seen:
                    raise ConfigError(
                        f"{path}: {kind} {entry.code!r} is also declared in {origin[kind, entry.code]}"
                    )
                seen[entry.code] = entry  # type: ignore[assignment]
                origin[kind, entry.code] = path
    for family in families.values():
        if family.domain not in domains:
            where = origin["family", family.code]
            raise ConfigError(f"{where}: family {family.code!r} names unknown domain {family.domain!r}")
    for product in products.values():
        if product.family not in families:
            where = origin["product", product.code]
            raise ConfigError(f"{where}: product {product.code!r} names unknown family {product.family!r}")
    return Catalog(
        list(applications.values()), list(domains.values()), list(families.values()), list(products.values())
    )


def _ref(ref: str | None) -> str | None:
    """An owner or entity ref as every ref is stored and compared (a viewer's token, an owner
    filter, the plugin's entity page): lower-cased, as the Backstage sync writes them."""
    return canonical_ref(ref) if ref else ref


def apply_catalog(mart: Mart, catalog: Catalog, month: date, *, applications: bool = True) -> None:
    """Make the catalog dimensions match the declaration from `month` on, in one transaction.
    applications=False leaves dim_application alone (the Backstage sync owns it)."""
    with connection(mart) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('catalog'))")
        apply_declaration(cur, DOMAIN, [(d.code, d.name, d.kind) for d in catalog.domains], month)
        apply_declaration(cur, FAMILY, [(f.code, f.domain, f.name) for f in catalog.families], month)
        apply_declaration(
            cur,
            PRODUCT,
            [(p.code, p.family, p.name, p.unit, p.description, p.active) for p in catalog.products],
            month,
        )
        if not applications:
            return
        apply_declaration(
            cur,
            APPLICATION,
            [
                (a.code, a.name, _ref(a.owner), a.cost_center, _ref(a.entity_ref), a.lifecycle)
                for a in catalog.applications
            ],
            month,
        )
