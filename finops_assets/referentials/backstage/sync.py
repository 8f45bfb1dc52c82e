"""The sync: read the whole catalog first, then apply it in one transaction.

Every request and every check happens before the database is touched, so a catalog that is
unreachable, refuses the token, answers an unexpected shape or changes while it is read fails
the sync and leaves the referential as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import psycopg
from psycopg import sql

from finops_assets.mart.connection import Mart, connection
from finops_assets.referentials.backstage.client import BackstageError, CatalogClient
from finops_assets.referentials.backstage.mapping import (
    APPLICATION_FIELDS,
    GROUP_FIELDS,
    ApplicationRow,
    GroupRow,
    map_applications,
    map_groups,
)
from finops_assets.referentials.history import APPLICATION, GROUP, Dimension, apply_declaration
from finops_core.config import BackstageConfig, ConfigError


@dataclass(frozen=True)
class CatalogSnapshot:
    applications: list[ApplicationRow]
    groups: list[GroupRow]
    entities: int
    """Entities read, applications' kind and groups together (excluded ones included)."""
    pages: int
    kept_applications: list[str] = field(default_factory=list)
    """Codes of applications whose entity could not be mapped: left in the mart as they are."""
    kept_groups: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """One line per entity that could not be mapped, naming it and what is wrong."""


def backstage_token(config: BackstageConfig) -> str:
    token = os.environ.get(config.token_env, "").strip()
    if not token:
        raise ConfigError(
            f"backstage.token_env: the environment variable {config.token_env} is not set; "
            "it must hold the static token of the Backstage catalog"
        )
    if not (token.isascii() and token.isprintable()):
        # httpx would fail encoding the header with a UnicodeEncodeError, naming nothing
        raise ConfigError(
            f"backstage.token_env: the environment variable {config.token_env} holds characters a "
            "token cannot have (non-ASCII, blanks or controls); check what was pasted into it"
        )
    return token


def application_filter(config: BackstageConfig) -> str:
    kind = f"kind={config.application_kind.lower()}"
    return f"{kind},{config.filter}" if config.filter else kind


def read_backstage(
    config: BackstageConfig, token: str, log: Callable[[str], None] | None = None
) -> CatalogSnapshot:
    """The applications and groups of the catalog, read whole and mapped, or BackstageError."""
    client = CatalogClient(config.base_url, token, config.token_env, config.timeout_seconds)

    def progress(what: str) -> Callable[[int, int, int, int | None], None]:
        def on_page(page: int, count: int, so_far: int, total: int | None) -> None:
            if log is not None:
                of = f" of {total}" if total is not None else ""
                log(f"Backstage {what}: page {page}, {count} entities ({so_far}{of} read)")

        return on_page

    app_filter = application_filter(config)
    components, app_pages = client.query(
        config.application_kind,
        app_filter,
        APPLICATION_FIELDS,
        config.page_size,
        progress(config.application_kind),
    )
    if not components:
        raise BackstageError(
            f"Backstage at {client.base_url} has no entities for filter {app_filter}: refusing to "
            "soft-delete every application (check backstage.application_kind and backstage.filter)"
        )
    groups, group_pages = client.query(
        "Group", "kind=group", GROUP_FIELDS, config.page_size, progress("Group")
    )
    applications = map_applications(components)
    owned = sorted(row[0] for row in applications.rows if (row[2] or "").startswith("group:"))
    if owned and not groups:
        # as for applications: an empty answer would soft-delete every group, and with them the
        # team sizes allocations weigh
        raise BackstageError(
            f"Backstage at {client.base_url} has no entities for filter kind=group although "
            f"{len(owned)} applications are owned by groups ({', '.join(owned[:3])}"
            f"{', ...' if len(owned) > 3 else ''}): refusing to soft-delete every group"
        )
    mapped_groups = map_groups(groups)
    return CatalogSnapshot(
        applications=applications.rows,
        groups=mapped_groups.rows,
        entities=len(components) + len(groups),
        pages=app_pages + group_pages,
        kept_applications=applications.kept,
        kept_groups=mapped_groups.kept,
        problems=applications.problems + mapped_groups.problems,
    )


def _rows(cur: psycopg.Cursor[Any], dimension: Dimension) -> set[str]:
    table = sql.Identifier("finops", dimension.table)
    return {row[0] for row in cur.execute(sql.SQL("SELECT t::text FROM {} AS t").format(table))}


def _current(cur: psycopg.Cursor[Any], dimension: Dimension, codes: list[str]) -> list[tuple[Any, ...]]:
    """The current declared versions of `codes`, as declaration rows (code, *attributes)."""
    statement = sql.SQL(
        "SELECT {code}, {attributes} FROM {table} WHERE valid_to IS NULL AND NOT is_auto AND {code} = ANY(%s)"
    ).format(
        code=sql.Identifier(dimension.code),
        attributes=sql.SQL(", ").join(sql.Identifier(a) for a in dimension.attributes),
        table=sql.Identifier("finops", dimension.table),
    )
    return list(cur.execute(statement, (codes,)))


def apply_backstage(mart: Mart, snapshot: CatalogSnapshot, month: date) -> dict[str, int]:
    """Make dim_application and dim_group match the snapshot from `month` on, in one transaction;
    returns the versions added or changed (closed, soft-deleted, corrected) per table. The kept
    codes (entities that could not be mapped) are declared as they are now, so neither changed
    nor soft-deleted."""
    changed: dict[str, int] = {}
    with connection(mart) as conn, conn.transaction(), conn.cursor() as cur:
        cur.execute("SELECT pg_advisory_xact_lock(hashtext('referentials/backstage'))")
        for dimension, mapped, kept in (
            (APPLICATION, snapshot.applications, snapshot.kept_applications),
            (GROUP, snapshot.groups, snapshot.kept_groups),
        ):
            rows: list[tuple[Any, ...]] = [*mapped, *_current(cur, dimension, kept)]
            before = _rows(cur, dimension)
            apply_declaration(cur, dimension, rows, month)
            changed[dimension.table] = len(_rows(cur, dimension) - before)
    return changed
