"""`finops archive`: old months' landing folders to an archive folder, and back
(finops_assets/archive.py). Exit codes: 0 done, 1 a month was refused (held, stale, being
landed), 2 a usage error."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from finops_assets.archive import archive_months, restore_month
from finops_assets.resources import MartResource
from finops_cli.commands import say
from finops_core.config import load_config
from finops_core.database import database_url
from finops_core.migrations import upgrade
from finops_core.months import current_month, format_month
from finops_core.settings import Settings


def archive_root(to: Path | None) -> Path:
    """--to, else $FINOPS_HOME/archive."""
    return (to or Settings.from_env().home / "archive").absolute()


def known_sources(sources: Sequence[str] | None) -> None:
    """A --source the configuration does not declare is a usage error (a typo archived nothing)."""
    if sources:
        config = load_config(Settings.from_env().config_path)
        for name in sources:
            config.source(name)


def archive(before: date, to: Path | None, sources: Sequence[str] | None) -> int:
    current = current_month()
    if before > current:  # the current month is still delivered: its landing is needed
        raise ValueError(
            f"--before {format_month(before)} would archive the current month {format_month(current)}, "
            f"whose bill is still delivered: at most --before {format_month(current)}"
        )
    known_sources(sources)
    url = database_url()
    upgrade(url)
    landing, root = MartResource(database_url=url).landing_root(), archive_root(to)
    report = archive_months(landing, root, before, sources, url, say)
    for reason in report.refused:
        say(f"  error: {reason}")
    size = sum(moved[3] for moved in report.archived)
    say(
        f"archived {len(report.archived)} month folder(s) before {format_month(before)} to {root} "
        f"({size / 1e6:,.1f} MB out of the landing); {report.already} already archived; "  # float ok: a size
        f"{len(report.refused)} refused"
    )
    return 1 if report.refused else 0


def restore(month: date, to: Path | None, sources: Sequence[str] | None) -> int:
    # --source is not checked against finops.yaml: a source no longer configured is restored all
    # the same (restore_month says when the archive has none of them)
    landing = MartResource().landing_root()  # the landing alone: no database to start
    restored = restore_month(landing, archive_root(to), month, sources, say)
    say(f"restored {format_month(month)} of {', '.join(source for source, _, _ in restored)} to {landing}")
    return 0
