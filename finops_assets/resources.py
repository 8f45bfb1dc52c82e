"""Resources shared by every asset."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from finops_core.database import database_url
from finops_core.settings import Settings


class MartResource(ConfigurableResource):
    """Where the mart and the landing layer are. Unset fields follow the environment:
    FINOPS_DATABASE_URL (else the embedded server) and $FINOPS_HOME/landing."""

    database_url: str | None = None
    landing_dir: str | None = None

    def url(self) -> str:
        return self.database_url or database_url()

    def landing_root(self) -> Path:
        return Path(self.landing_dir) if self.landing_dir else Settings.from_env().home / "landing"
