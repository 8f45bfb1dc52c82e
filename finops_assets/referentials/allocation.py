"""Allocation rules and allocation keys, declared in versioned files.

    allocation_rules:
      - code: observability-by-team
        scope: {product: log-ingestion}        # exactly one of product, family, domain
        method: driver                         # even | fixed | driver | proportional
        driver: team_size                      # keys of that driver (files), or backstage:team_size
        from: 2025-01                          # first month (default: always)
        to: 2025-12                            # last month included (default: open-ended)
        scale: 6                               # decimals of the allocated quantities
      - {code: licences, scope: {family: licences}, method: fixed,
         shares: {payments: "50", search: "30", billing: "20"}}      # percentages, summing to 100
      - {code: network, scope: {domain: shared-network}, method: even,
         applications: [payments, search, billing]}                 # default: every application
                                                                     # with direct consumption
      - {code: ci, scope: {product: ci-minutes}, method: proportional,
         proportional_to: {family: compute}, basis: quantity}       # or basis: cost

    keys/*.csv (any CSV of the folder):  driver,month,application,weight

The files are the whole truth: a rule no longer declared is soft-deleted, keys are replaced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Literal

import msgspec
from psycopg.types.json import Jsonb

from finops_assets.mart.connection import Mart, connection
from finops_assets.referentials.declared_months import declared_month, declared_range
from finops_assets.referentials.declared_values import (
    declared_decimal,
    declared_files,
    declared_number,
    declared_rows,
)
from finops_core.config import ConfigError
from finops_core.decimals import exact_sum
from finops_core.months import format_month
from finops_core.sql import sql_statements
from finops_core.yaml_files import decode_yaml

_CODE = re.compile(r"^[a-z0-9][a-z0-9._:-]{0,62}$")
BACKSTAGE_TEAM_SIZE = "backstage:team_size"
"""A driver computed from the Backstage sync: an application weighs its owner group's members."""
KEY_COLUMNS = ["driver", "month", "application", "weight"]
Level = Literal["product", "family", "domain"]


class Scope(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    product: str | None = None
    family: str | None = None
    domain: str | None = None

    def level_and_code(self, where: str) -> tuple[Level, str]:
        levels: tuple[tuple[Level, str | None], ...] = (
            ("product", self.product),
            ("family", self.family),
            ("domain", self.domain),
        )
        given = [(level, code) for level, code in levels if code is not None]
        if len(given) != 1:
            raise ConfigError(f"{where}: give exactly one of product, family, domain")
        if not given[0][1].strip():  # it would match no pool: the rule would allocate nothing
            raise ConfigError(f"{where}.{given[0][0]}: empty; name a {given[0][0]} code")
        return given[0]


class RuleEntry(
    msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True, rename={"from_": "from"}
):
    code: str
    scope: Scope
    method: Literal["even", "fixed", "driver", "proportional"]
    driver: str | None = None
    shares: dict[str, Decimal] | None = None
    applications: list[str] | None = None
    proportional_to: Scope | None = None
    basis: Literal["quantity", "cost"] | None = None
    """Proportional rules only; quantity when absent."""
    from_: str | None = None
    to: str | None = None
    scale: int = 6


class AllocationFile(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, frozen=True):
    allocation_rules: list[RuleEntry] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class AllocationRule:
    code: str
    scope_level: Level
    scope_code: str
    method: str
    driver: str | None
    parameters: dict[str, object]
    valid_from: date
    valid_to: date | None
    """Exclusive, as in finops.allocation_rule."""
    scale: int


@dataclass(frozen=True)
class AllocationKey:
    driver: str
    month: date
    application_code: str
    weight: Decimal


@dataclass(frozen=True)
class Allocation:
    rules: list[AllocationRule]
    keys: list[AllocationKey]


def _rule(entry: RuleEntry, where: str) -> AllocationRule:
    if not _CODE.match(entry.code):
        raise ConfigError(f"{where}.code: {entry.code!r} must be a lower-case code")
    level, code = entry.scope.level_and_code(f"{where}.scope")
    weights_scope = entry.proportional_to
    if not 0 <= entry.scale <= 18:
        raise ConfigError(f"{where}.scale: {entry.scale} must be between 0 and 18")
    parameters: dict[str, object] = {}
    if entry.method == "driver":
        if not entry.driver:
            raise ConfigError(f"{where}.driver: a driver rule names its driver (allocation key)")
    elif entry.driver is not None:
        raise ConfigError(f"{where}.driver: only a driver rule takes a driver")
    if entry.method == "fixed":
        if not entry.shares:
            raise ConfigError(f"{where}.shares: a fixed rule gives its percentages per application")
        for application, share in entry.shares.items():
            if not application.strip():
                raise ConfigError(f"{where}.shares: an empty application code")
            declared_number(share, f"{where}.shares.{application}")  # NaN: sum() raised
        # summed exactly: the default context rounds at 28 digits, where 50 + 50.000...001
        # (30 digits) summed to 100 and the rule over-allocated the pool
        total = exact_sum(*entry.shares.values())
        if any(share < 0 for share in entry.shares.values()) or total != 100:
            raise ConfigError(
                f"{where}.shares: percentages must be >= 0 and sum to 100 (they sum to {total})"
            )
        parameters["shares"] = {app: str(share) for app, share in entry.shares.items()}
    elif entry.shares is not None:
        raise ConfigError(f"{where}.shares: only a fixed rule takes shares")
    if entry.method == "even" and entry.applications is not None:
        if not entry.applications:
            raise ConfigError(f"{where}.applications: an empty list allocates to nobody")
        if not all(application.strip() for application in entry.applications):
            raise ConfigError(f"{where}.applications: an empty application code")
        parameters["applications"] = sorted(set(entry.applications))
    elif entry.applications is not None:
        raise ConfigError(f"{where}.applications: only an even rule takes applications")
    if entry.method == "proportional":
        if weights_scope is None:
            raise ConfigError(
                f"{where}.proportional_to: name a product, family or domain, e.g. {{family: compute}}"
            )
        to_level, to_code = weights_scope.level_and_code(f"{where}.proportional_to")
        parameters.update({"to_level": to_level, "to_code": to_code, "basis": entry.basis or "quantity"})
    elif weights_scope is not None:
        raise ConfigError(f"{where}.proportional_to: only a proportional rule takes proportional_to")
    elif entry.basis is not None:  # ignored, it let a reader believe the pool followed costs
        raise ConfigError(f"{where}.basis: only a proportional rule takes basis")
    first, end = declared_range(entry.from_, entry.to, where)
    return AllocationRule(
        entry.code,
        level,
        code,
        entry.method,
        entry.driver,
        parameters,
        first,
        end,
        entry.scale,
    )


def _keys(path: Path) -> list[AllocationKey]:
    keys = []
    for number, row in declared_rows(path, KEY_COLUMNS):
        where = f"{path}:{number}"
        if not row["driver"] or not row["application"]:
            raise ConfigError(f"{where}: driver and application are required")
        if row["driver"].startswith("backstage:"):  # computed from the sync, never declared
            raise ConfigError(
                f"{where}: driver: {row['driver']!r}: backstage:... drivers come from Backstage"
            )
        weight = declared_decimal(row["weight"], f"{where}: weight")
        if weight < 0:
            raise ConfigError(f"{where}: weight: {row['weight']} must be a number >= 0")
        keys.append(
            AllocationKey(
                row["driver"], declared_month(row["month"], f"{where}: month"), row["application"], weight
            )
        )
    return keys


def _overlapping_versions(rules: list[AllocationRule], origin: dict[tuple[str, date], str]) -> None:
    """Two versions of a rule valid in one month are refused: the pools' query takes one rule
    per pool ordered by scope and code, so which version allocated the month was arbitrary."""
    ordered = sorted(rules, key=lambda rule: (rule.code, rule.valid_from))
    for before, after in pairwise(ordered):
        if before.code == after.code and (before.valid_to is None or before.valid_to > after.valid_from):
            raise ConfigError(
                f"{origin[after.code, after.valid_from]}.from: {after.code!r} is also declared valid in "
                f"{format_month(after.valid_from)} ({origin[before.code, before.valid_from]}); "
                "close that version with `to`"
            )


def read_allocation(folder: Path) -> Allocation:
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such allocation folder")
    files = declared_files(folder, "*.yaml", "*.yml")
    key_files = declared_files(folder, "*.csv", recursive=True)
    if not files and not key_files:
        # read as it is, it would withdraw every rule and key (pricing.read_pricing says why not)
        raise ConfigError(
            f"{folder}: no allocation files (*.yaml, *.csv); to withdraw every rule, "
            "keep a file declaring `allocation_rules: []`"
        )
    rules: dict[tuple[str, date], AllocationRule] = {}
    origin: dict[tuple[str, date], str] = {}
    for path in files:
        content = decode_yaml(path, AllocationFile)
        for index, entry in enumerate(content.allocation_rules):
            rule = _rule(entry, f"{path}: allocation_rules[{index}]")
            if (rule.code, rule.valid_from) in rules:
                raise ConfigError(f"{path}: allocation_rules[{index}].code: {rule.code!r} is declared twice")
            rules[rule.code, rule.valid_from] = rule
            origin[rule.code, rule.valid_from] = f"{path}: allocation_rules[{index}]"
    _overlapping_versions(list(rules.values()), origin)
    keys: dict[tuple[str, date, str], AllocationKey] = {}
    for path in key_files:
        for key in _keys(path):
            identity = (key.driver, key.month, key.application_code)
            if identity in keys:
                raise ConfigError(
                    f"{path}: a second weight for {key.application_code} in {key.driver} {key.month:%Y-%m}"
                )
            keys[identity] = key
    return Allocation(list(rules.values()), list(keys.values()))


def apply_allocation(mart: Mart, allocation: Allocation) -> None:
    with connection(mart) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('allocation'))")
        cur.execute(
            "CREATE TEMP TABLE staged_rule (rule_code text, scope_level text, scope_code text, method text,"
            " driver text, parameters jsonb, valid_from date, valid_to date, scale integer) ON COMMIT DROP"
        )
        cur.execute(
            "CREATE TEMP TABLE staged_key (driver text, month date, application_code text, weight numeric)"
            " ON COMMIT DROP"
        )
        cur.executemany(
            "INSERT INTO staged_rule VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (r.code, r.scope_level, r.scope_code, r.method, r.driver, Jsonb(r.parameters), r.valid_from,
                 r.valid_to, r.scale)
                for r in allocation.rules
            ],
        )  # fmt: skip
        with cur.copy("COPY staged_key FROM STDIN") as copy:
            for key in allocation.keys:
                copy.write_row((key.driver, key.month, key.application_code, key.weight))
        for statement in sql_statements("batch/referentials/apply_allocation.sql"):
            cur.execute(statement)
