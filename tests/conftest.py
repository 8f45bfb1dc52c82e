"""Test databases: a real PostgreSQL, a fresh database per test, dropped afterwards.

FINOPS_TEST_DATABASE_URL names a server where the tests may create databases (CI points it at
the local server); when unset, the tests start the embedded server in a temporary folder, so
the suite passes on a laptop with no PostgreSQL installed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from finops_core.embedded import start_embedded
from finops_core.migrations import upgrade

# public sample files copied into the repository, with their provenance (README.md there)
SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


def with_database(url: str, dbname: str) -> str:
    params = conninfo_to_dict(url)
    params["dbname"] = dbname
    return make_conninfo("", **params)


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    configured = os.environ.get("FINOPS_TEST_DATABASE_URL")
    if configured:
        return configured
    return start_embedded(tmp_path_factory.mktemp("pg") / "pgdata", database="postgres", keep_running=False)


def _create(admin: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(statement)
    return with_database(admin, name)


def _drop(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture(scope="session")
def migrated_template(admin_url: str) -> Iterator[str]:
    """A database with the schema applied, cloned by each test (CREATE DATABASE ... TEMPLATE)."""
    name = f"finops_test_tmpl_{uuid.uuid4().hex[:10]}"
    url = _create(admin_url, name)
    upgrade(url)
    yield name
    _drop(admin_url, name)


@pytest.fixture
def mart_url(admin_url: str, migrated_template: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, migrated mart database for one test; FINOPS_DATABASE_URL points at it."""
    name = f"finops_test_{uuid.uuid4().hex[:12]}"
    url = _create(admin_url, name, template=migrated_template)
    monkeypatch.setenv("FINOPS_DATABASE_URL", url)
    yield url
    _drop(admin_url, name)


@pytest.fixture
def empty_database_url(admin_url: str) -> Iterator[str]:
    """A fresh database with no schema, for migration tests."""
    name = f"finops_test_{uuid.uuid4().hex[:12]}"
    yield _create(admin_url, name)
    _drop(admin_url, name)
