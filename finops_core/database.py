"""Which database the platform talks to."""

from __future__ import annotations

from finops_core.embedded import start_embedded
from finops_core.settings import Settings


def database_url(settings: Settings | None = None) -> str:
    """FINOPS_DATABASE_URL when set, else the embedded server under FINOPS_HOME (started here)."""
    settings = settings or Settings.from_env()
    if settings.database_url:
        return settings.database_url
    return start_embedded(settings.home / "pgdata")
