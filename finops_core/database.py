"""Which database the platform talks to."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from psycopg.conninfo import conninfo_to_dict

from finops_core.embedded import start_embedded
from finops_core.settings import Settings


def database_url(settings: Settings | None = None) -> str:
    """FINOPS_DATABASE_URL when set, else the embedded server under FINOPS_HOME (started here)."""
    settings = settings or Settings.from_env()
    if settings.database_url:
        return settings.database_url
    return start_embedded(settings.home / "pgdata")


def as_url(database: str) -> str:
    """The same database as a postgresql:// URL. libpq also takes `host=... dbname=...`
    strings, which SQLAlchemy (hence Dagster's run storage) does not."""
    if database.startswith(("postgresql://", "postgres://")):
        return database
    params = conninfo_to_dict(database)
    user = quote(str(params.get("user", "")), safe="")
    password = params.get("password")
    credentials = f"{user}:{quote(str(password), safe='')}@" if password else (f"{user}@" if user else "")
    host = str(params.get("host", ""))
    query = {
        key: str(value)
        for key, value in params.items()
        if key not in {"user", "password", "host", "port", "dbname"}
    }
    netloc = host
    if host.startswith("/"):  # a Unix socket folder goes in the query
        query["host"] = host
        netloc = ""
    if params.get("port") and netloc:
        netloc += f":{params['port']}"
    suffix = f"?{urlencode(query)}" if query else ""
    return f"postgresql://{credentials}{netloc}/{quote(str(params.get('dbname', '')), safe='')}{suffix}"


def database_identity(database: str) -> str:
    """Which database a URL names, without its credentials: host:port/dbname (a Unix socket's
    folder as the host). Two URLs to one database with other users or options are one mart."""
    params = conninfo_to_dict(database)
    host = str(params.get("host") or "localhost")
    return f"{host}:{params.get('port') or 5432}/{params.get('dbname') or params.get('user') or ''}"
