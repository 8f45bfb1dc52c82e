from __future__ import annotations

import msgspec


class Domain(msgspec.Struct, kw_only=True, frozen=True):
    code: str
    name: str
    kind: str
    """direct or indirect."""
    valid_from: str | None
    """First month of this version, YYYY-MM; null when it has held since the beginning."""
    valid_to: str | None
    """First month it no longer holds, YYYY-MM; null for the current version."""
    deleted: bool
    """The code had been deleted at the point asked (listed only with include_deleted)."""
    auto: bool
    """Registered by a load rather than declared in the catalog."""


class DomainList(msgspec.Struct, frozen=True, omit_defaults=True):
    as_of: str | None
    """The month asked, YYYY-MM; null for the current versions."""
    rows: list[Domain]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class Family(msgspec.Struct, kw_only=True, frozen=True):
    code: str
    name: str
    domain: str
    valid_from: str | None
    valid_to: str | None
    deleted: bool
    auto: bool


class FamilyList(msgspec.Struct, frozen=True, omit_defaults=True):
    as_of: str | None
    rows: list[Family]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class Product(msgspec.Struct, kw_only=True, frozen=True):
    code: str
    name: str
    family: str
    domain: str | None
    """The family's domain at the same point."""
    unit: str
    description: str | None
    active: bool
    monetary: bool
    """An amount that is not consumption (tax, credit, ...): unit is the currency."""
    valid_from: str | None
    valid_to: str | None
    deleted: bool
    auto: bool


class ProductList(msgspec.Struct, frozen=True, omit_defaults=True):
    as_of: str | None
    rows: list[Product]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class ProductVersion(msgspec.Struct, kw_only=True, frozen=True):
    name: str
    family: str
    unit: str
    description: str | None
    active: bool
    valid_from: str | None
    """First month of the version, YYYY-MM; null when it has held since the beginning."""
    valid_to: str | None
    """First month it no longer holds, YYYY-MM; null for the current version."""
    deleted: bool
    """The version was ended by the product's deletion."""


class ProductHistory(msgspec.Struct, frozen=True):
    code: str
    versions: list[ProductVersion]
    """Oldest first."""


class Application(msgspec.Struct, kw_only=True, frozen=True):
    code: str
    name: str
    owner: str | None
    """A Backstage group ref, e.g. group:default/payments-team."""
    cost_center: str | None
    entity_ref: str | None
    """A Backstage entity ref, e.g. component:default/payments."""
    lifecycle: str | None
    valid_from: str | None
    valid_to: str | None
    deleted: bool
    auto: bool


class ApplicationList(msgspec.Struct, frozen=True, omit_defaults=True):
    as_of: str | None
    rows: list[Application]
    next: str | None = None
    """The next page (path and query); absent on the last page."""


class ApplicationVersion(msgspec.Struct, kw_only=True, frozen=True):
    name: str
    owner: str | None
    cost_center: str | None
    entity_ref: str | None
    lifecycle: str | None
    valid_from: str | None
    """First month of the version, YYYY-MM; null when it has held since the beginning."""
    valid_to: str | None
    """First month it no longer holds, YYYY-MM; null for the current version."""
    deleted: bool
    """The version was ended by the application's deletion."""


class ApplicationHistory(msgspec.Struct, frozen=True):
    code: str
    versions: list[ApplicationVersion]
    """Oldest first."""
