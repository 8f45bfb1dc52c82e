"""Process settings, read from the environment once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    """FINOPS_DATABASE_URL; when unset the platform starts its own embedded PostgreSQL."""
    config_path: Path
    """FINOPS_CONFIG, the sources file; default ./finops.yaml."""
    home: Path
    """FINOPS_HOME, where the embedded database and the landing layer live; default ./.finops."""

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=os.environ.get("FINOPS_DATABASE_URL") or None,
            config_path=Path(os.environ.get("FINOPS_CONFIG", "finops.yaml")),
            home=Path(os.environ.get("FINOPS_HOME", ".finops")).absolute(),
        )
