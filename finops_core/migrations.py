"""Versioned migrations: sql/migrations/NNNN_name.sql, applied once each, in order.

`finops db upgrade` calls upgrade(); a second run applies nothing. An applied migration whose
file has changed since is an error: history is fixed by adding a migration, not by editing one.
sql/migrations/CHECKSUMS records every landed migration's checksum, so the test suite fails on
an edit before any database meets it (`manifest_problems`).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import psycopg

from finops_core.sql import SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "migrations"
MANIFEST = "CHECKSUMS"
_LOCK_KEY = 7_246_113_001  # serialises concurrent upgrades of one database


class MigrationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def available_migrations() -> list[Migration]:
    migrations = []
    for path in sorted(
        (p for p in MIGRATIONS_DIR.iterdir() if p.name.endswith(".sql")), key=lambda p: p.name
    ):
        version, _, name = path.name.removesuffix(".sql").partition("_")
        migrations.append(Migration(version, name, path.read_text(encoding="utf-8")))
    if not migrations:
        raise MigrationError(f"no migration found in {MIGRATIONS_DIR}: the installation is incomplete")
    return migrations


@functools.cache
def latest_migration() -> str:
    """The version of this release's last migration: the schema its code reads and writes."""
    return available_migrations()[-1].version


def recorded_checksums() -> dict[str, str]:
    """sql/migrations/CHECKSUMS: `<version>_<name> <sha256>` per landed migration."""
    text = MIGRATIONS_DIR.joinpath(MANIFEST).read_text(encoding="utf-8")
    pairs = (line.split() for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return {name: checksum for name, checksum in pairs}


def manifest_problems() -> list[str]:
    """Every migration whose file differs from its recorded checksum, is not recorded, or is
    recorded but missing; empty when the files and the manifest agree."""
    recorded = recorded_checksums()
    problems = []
    for migration in available_migrations():
        key = f"{migration.version}_{migration.name}"
        checksum = recorded.pop(key, None)
        if checksum is None:
            problems.append(f"{key}.sql is not in {MANIFEST}: add the line `{key} {migration.checksum}`")
        elif checksum != migration.checksum:
            problems.append(
                f"{key}.sql was edited after it landed: a landed migration is never edited; restore it "
                "and add a new migration with the change"
            )
    problems.extend(f"{key} is in {MANIFEST} but its file is missing" for key in recorded)
    return problems


def applied_versions(database_url: str) -> list[str]:
    """`<version>_<name>` of every migration applied to the database, in order."""
    with psycopg.connect(database_url) as conn:
        exists = conn.execute("SELECT to_regclass('finops.schema_migration')").fetchone()
        if exists is None or exists[0] is None:
            return []
        rows = conn.execute("SELECT version || '_' || name FROM finops.schema_migration ORDER BY version")
        return [row[0] for row in rows.fetchall()]


def upgrade(database_url: str, target: str | None = None) -> list[str]:
    """Apply the migrations not yet applied, up to the target version included (all when None);
    return the names of those applied now."""
    applied_now: list[str] = []
    migrations = available_migrations()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [_LOCK_KEY])
        try:
            conn.execute("CREATE SCHEMA IF NOT EXISTS finops")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS finops.schema_migration ("
                " version text PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"
            )
            applied = conn.execute("SELECT version, checksum FROM finops.schema_migration").fetchall()
            done: dict[str, str] = dict(applied)
            newer = sorted(set(done) - {migration.version for migration in migrations})
            if newer:  # written by a later release: this code would read and write it wrongly
                raise MigrationError(
                    f"the database's schema has migration(s) {', '.join(newer)}, which this release "
                    f"(up to {migrations[-1].version}) does not know: a newer finops upgraded it; run "
                    "that release (a schema is never downgraded)"
                )
            for migration in migrations:
                if target is not None and migration.version > target:
                    break
                if migration.version in done:
                    if done[migration.version] != migration.checksum:
                        raise MigrationError(
                            f"migration {migration.version}_{migration.name} was changed after it was "
                            "applied; add a new migration instead of editing an applied one"
                        )
                    continue
                with conn.transaction():
                    conn.execute(migration.text.encode())
                    conn.execute("RESET search_path")
                    conn.execute(
                        "INSERT INTO finops.schema_migration (version, name, checksum) VALUES (%s, %s, %s)",
                        [migration.version, migration.name, migration.checksum],
                    )
                applied_now.append(f"{migration.version}_{migration.name}")
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_KEY])
    return applied_now
