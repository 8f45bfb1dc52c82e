"""Process settings, read from the environment once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg.conninfo import conninfo_to_dict

RELAND = "FINOPS_RELAND"


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    """FINOPS_DATABASE_URL; when unset the platform starts its own embedded PostgreSQL."""
    config_path: Path
    """FINOPS_CONFIG, the sources file; default ./finops.yaml."""
    home: Path
    """FINOPS_HOME, where the embedded database and the landing layer live; default ./.finops."""
    read_database_urls: tuple[str, ...] = ()
    """FINOPS_READ_DATABASE_URL: streaming-replication standbys of the database, comma-separated
    postgresql:// URLs; the API's cost reads go to them in turn (docs/scaling.md)."""
    landing_source_files: str = "clone"
    """FINOPS_LANDING_SOURCE_FILES: how the landing keeps the provider's Parquet and CSV files:
    `clone` (the default: copy-on-write clones where the filesystem makes them, such as XFS or
    btrfs, on the provider's filesystem: no byte written and the provider's own rewrites leave
    them alone; byte copies elsewhere), `copy` (byte copies) or `link` (hard links when on the
    provider's filesystem: no byte written, but a provider rewriting a file in place rewrites
    the landed one too; the manifest's sha256 then tells, and `finops archive` refuses the
    month). README, "Disk"."""
    reland: bool = False
    """FINOPS_RELAND=1: a month's billing_lines reads and lands its files again even when they
    and the source's settings did not change (by default such a landing is kept as it is), and
    its valuation and roll-ups are rebuilt whole (by default only what changed)."""

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            database_url=(
                checked_database_url("FINOPS_DATABASE_URL", os.environ["FINOPS_DATABASE_URL"])
                if os.environ.get("FINOPS_DATABASE_URL")
                else None
            ),
            config_path=Path(os.environ.get("FINOPS_CONFIG") or "finops.yaml"),
            # empty, as unset: Path("") would put the landing in the working folder
            home=Path(os.environ.get("FINOPS_HOME") or ".finops").absolute(),
            # checked by the API, which alone reads them: a typo here stops no batch command
            read_database_urls=split_database_urls(os.environ.get("FINOPS_READ_DATABASE_URL", "")),
            landing_source_files=_choice("FINOPS_LANDING_SOURCE_FILES", ("clone", "copy", "link")),
            reland=_choice(RELAND, ("0", "1")) == "1",
        )


_DRIVER_SCHEME = re.compile(r"postgres(?:ql)?\+\w+://")
_USERINFO_PASSWORD = re.compile(r"://[^/@]*:[^@]*@")
_QUOTED = re.compile(r'"[^"]*"')


def _may_hold_a_password(url: str) -> bool:
    """A password= anywhere, a user:password@ in a URL's authority, or, in what is not a URL
    (a scheme's slash forgotten), a : before an @."""
    if "password" in url.lower():
        return True
    if "://" in url:
        return _USERINFO_PASSWORD.search(url) is not None
    return re.search(r":[^@]*@", url) is not None


def checked_database_url(name: str, url: str) -> str:
    """`url` as given, refused in one line when libpq cannot read it. libpq quotes what it
    could not read, which may be the password alone (`unexpected spaces found in "Hunter 2"`):
    when the URL may hold one, every quoted piece is masked."""
    if _DRIVER_SCHEME.match(url):
        raise ValueError(
            f"{name}: a SQLAlchemy URL ({url.split('://')[0]}://); libpq's is written postgresql://"
        )
    try:
        conninfo_to_dict(url)
    except psycopg.ProgrammingError as error:
        reason = str(error).strip()
        if _may_hold_a_password(url):
            reason = _QUOTED.sub('"***"', reason)
        raise ValueError(f"{name}: not a PostgreSQL URL or connection string: {reason}") from None
    return url


def _choice(name: str, choices: tuple[str, ...]) -> str:
    """The environment variable's value, one of choices (the first when unset)."""
    value = os.environ.get(name) or choices[0]
    if value not in choices:
        raise ValueError(f"{name}={value}: expected {', '.join(choices[:-1])} or {choices[-1]}")
    return value


# A comma starts a new URL only before a scheme: a libpq multi-host URL
# (postgresql://host1:5432,host2:5432/db) keeps its own commas.
_URL_SEPARATOR = re.compile(r"\s*,\s*(?=postgres(?:ql)?://)")


def split_database_urls(text: str) -> tuple[str, ...]:
    return tuple(url for url in (part.strip() for part in _URL_SEPARATOR.split(text)) if url)
