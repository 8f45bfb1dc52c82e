"""Resources shared by every asset."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext

from finops_core.database import database_url
from finops_core.migrations import upgrade
from finops_core.settings import Settings


class MartResource(ConfigurableResource):
    """Where the mart and the landing layer are. Unset fields follow the environment:
    FINOPS_DATABASE_URL (else the embedded server) and $FINOPS_HOME/landing."""

    database_url: str | None = None
    landing_dir: str | None = None

    def setup_for_execution(self, context: InitResourceContext) -> None:
        """Every run starts on a migrated mart, whether it was launched from the UI, a schedule
        or the CLI: a fresh database gets its schema before the first step needs it (upgrade is
        idempotent and serialised by an advisory lock)."""
        applied = upgrade(self.url())
        if applied and context.log is not None:
            context.log.info(f"mart migrated: {', '.join(applied)}")

    def url(self) -> str:
        return self.database_url or database_url()

    def landing_root(self) -> Path:
        return Path(self.landing_dir) if self.landing_dir else Settings.from_env().home / "landing"
