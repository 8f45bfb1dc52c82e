"""Versioned migrations: sql/migrations/NNNN_name.sql, applied once each, in order.

`finops db upgrade` calls upgrade(); a second run applies nothing. An applied migration whose
file has changed since is an error: history is fixed by adding a migration, not by editing one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import psycopg

from finops_core.sql import SQL_DIR

MIGRATIONS_DIR = SQL_DIR / "migrations"
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
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        version, _, name = path.stem.partition("_")
        migrations.append(Migration(version, name, path.read_text(encoding="utf-8")))
    return migrations


def upgrade(database_url: str, target: str | None = None) -> list[str]:
    """Apply the migrations not yet applied, up to the target version included (all when None);
    return the names of those applied now."""
    applied_now: list[str] = []
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
            for migration in available_migrations():
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
