"""The command implementations, with progress and a summary on the terminal.

Exit codes: 0 success (warnings allowed), 1 a step or an ERROR check failed (or a warning under
--strict), 2 a usage or configuration error."""

from __future__ import annotations

import copy
import ipaddress
import socket
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import psycopg

from finops_cli.report import Outcome, logged_warnings, run_report
from finops_core.config import ConfigError, PlatformConfig, load_config
from finops_core.database import database_url
from finops_core.decimals import TOTALS, exact_text
from finops_core.migrations import upgrade
from finops_core.months import add_months, format_month
from finops_core.settings import Settings

if TYPE_CHECKING:
    from dagster import DagsterInstance


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def db_upgrade() -> int:
    applied = upgrade(database_url())
    say(f"applied {len(applied)} migration(s): {', '.join(applied)}" if applied else "schema up to date")
    return 0


def month_summary(url: str, month: date, sources: Sequence[str], run_id: str) -> list[str]:
    """One line per source the run attempted to load (audited with its run id): rows read,
    loaded, rejected (and filtered, when the source's row filters kept some out) and cost per
    currency; or that nothing was loaded (held, failed: the step's error, printed after, says
    why). A source whose step failed before its load was audited has no line. An earlier
    load's figures, or another run's of the same month, are never shown as this run's."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (source) source, status, rows_read, rows_loaded, rows_rejected,"
            " rows_filtered, source_cost::text, rejected_cost::text, filtered_cost::text"
            "  FROM finops.load_audit WHERE run_id = %s AND month = %s AND source = ANY(%s)"
            " ORDER BY source, load_id DESC",
            [run_id, month, list(sources)],
        ).fetchall()
    lines = []
    for source, status, read, loaded, rejected, filtered, *costs in rows:
        if status != "loaded":
            kept = "the mart keeps what it held"
            lines.append(f"  {source}: {status}, nothing loaded (its error below); {kept}")
            continue
        kept_out = f", {filtered} filtered" if filtered else ""
        money = _money(*(TOTALS.decode(cost) for cost in costs))
        lines.append(f"  {source}: {read} rows read, {loaded} loaded, {rejected} rejected{kept_out}; {money}")
    return lines


def _money(files: dict[str, Decimal], rejected: dict[str, Decimal], filtered: dict[str, Decimal]) -> str:
    """The cost per currency the load put in the mart; with what its rejected (and filtered)
    rows carried beside it, when they carried any: the files' total alone read as loaded."""
    from finops_assets.sources.delivery import kept_cost
    from finops_assets.sources.monthly import NO_KEY

    def said(totals: dict[str, Decimal], what: str = "") -> str:
        named = (
            f"{'(no currency)' if c == NO_KEY else c} {exact_text(a)}{what}"
            for c, a in sorted(totals.items())
        )
        return ", ".join(named)

    if not any(amount != 0 for amount in (*rejected.values(), *filtered.values())):
        return said(files) or "no cost"
    loaded = {c: a for c, a in kept_cost(kept_cost(files, filtered), rejected).items() if c != NO_KEY}
    parts = [said(loaded, " loaded"), said(rejected, " rejected"), said(filtered, " filtered")]
    return ", ".join(part for part in parts if part)


def run_month(
    config: PlatformConfig,
    url: str,
    month: date,
    sources: Sequence[str] | None,
    strict: bool = False,
    accept_held: bool = False,
    instance: DagsterInstance | None = None,
    say: Callable[[str], None] = say,
) -> Outcome:
    """Materialize one month and print (`say`) its figures, warnings and failures."""
    from finops_assets.instance import recording_instance
    from finops_assets.materialize import materialize_month
    from finops_assets.resources import MartResource

    started = time.perf_counter()
    names = list(sources or [s.name for s in config.sources])
    say(f"{format_month(month)}: materializing {', '.join(names)} ...")
    instance = instance or recording_instance(url).instance
    result = materialize_month(
        config,
        month,
        MartResource(database_url=url),
        sources,
        instance=instance,
        log_level="CRITICAL",  # each failure is said below in one line; warnings are read back
        raise_on_error=False,
        accept_held=accept_held,
    )
    report = run_report(result)
    for line in month_summary(url, month, names, result.run_id):
        say(line)
    for line in logged_warnings(instance, result.run_id):
        say(f"  logged: {format_month(month)} {line}")
    for line in report.warnings:
        say(f"  warning: {format_month(month)} {line}")
    for line in report.failures:
        say(f"  error: {format_month(month)} {line}")
    outcome = report.outcome(strict)
    status = {
        Outcome.OK: "ok",
        Outcome.WARNINGS: f"ok with {len(report.warnings)} warning(s)",
        Outcome.FAILED: "FAILED" + (" (warnings count as failures under --strict)" if strict else ""),
    }[outcome]
    say(f"{format_month(month)}: {status} in {time.perf_counter() - started:.1f} s")
    return outcome


def months_between(first: date, last: date) -> list[date]:
    if last < first:
        raise ConfigError(f"--to {format_month(last)} is before --from {format_month(first)}")
    months = [first]
    while months[-1] < last:
        months.append(add_months(months[-1], 1))
    return months


def check_partitions(config: PlatformConfig, months: Sequence[date]) -> None:
    """Months outside the configured partitions are a usage error naming the valid range."""
    from finops_assets.partitions import partition_range

    first, last = partition_range(config)
    outside = [m for m in months if not first <= m <= last]
    if outside:
        raise ConfigError(
            f"{format_month(outside[0])} is not a month partition; the partitions run from "
            f"{format_month(first)} (start_month) to {format_month(last)}"
        )


def run_months(
    config: PlatformConfig,
    url: str,
    months: Sequence[date],
    sources: Sequence[str] | None,
    strict: bool,
    accept_held: bool = False,
    parallel: int = 1,
) -> Outcome:
    """Each month in turn, or `parallel` at once (finops_cli/parallel.py), with a final summary
    when there are several."""
    from finops_assets.instance import recording_instance

    started = time.perf_counter()
    recording = recording_instance(url)
    if recording.note:
        say(f"note: {recording.note}")
    if parallel > 1 and len(months) > 1:
        from finops_cli.parallel import run_months_in_parallel

        outcomes = run_months_in_parallel(
            config, url, months, sources, strict, accept_held, parallel, recording.instance
        )
    else:
        outcomes = [
            run_month(config, url, month, sources, strict, accept_held, recording.instance)
            for month in months
        ]
    if len(months) > 1:
        counts = {outcome: outcomes.count(outcome) for outcome in Outcome}
        say(
            f"{len(months)} months: {counts[Outcome.OK]} ok, {counts[Outcome.WARNINGS]} with warnings, "
            f"{counts[Outcome.FAILED]} failed in {time.perf_counter() - started:.1f} s"
        )
    return max(outcomes, default=Outcome.OK)


def materialize(
    first: date,
    last: date,
    sources: Sequence[str] | None,
    strict: bool,
    accept_held: bool = False,
    parallel: int = 1,
) -> int:
    from finops_assets.sources.batches import batch_rows

    config = load_config(Settings.from_env().config_path)
    batch_rows()  # FINOPS_INGEST_BATCH_ROWS: a usage error before any month, not in every step
    months = months_between(first, last)
    for name in sources or []:
        config.source(name)  # an unknown source is a usage error before anything runs
    check_partitions(config, months)
    url = database_url()
    upgrade(url)
    outcome = run_months(config, url, months, sources, strict, accept_held, parallel)
    return 1 if outcome == Outcome.FAILED else 0


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine alone (localhost, 127.0.0.0/8, ::1)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a name: whatever it resolves to may be reached from elsewhere
        return False


def check_listen(host: str, port: int) -> None:
    """A port taken or a host that is not this machine's, said before anything starts (uvicorn
    says it after the server's address is printed, and exits 3)."""
    try:
        socket.create_server((host, port)).close()
    except OSError as error:
        reason = (error.strerror or str(error)).split(" (while attempting")[0]  # create_server's words
        raise ValueError(f"cannot listen on {host}:{port}: {reason}") from None


def serve(host: str, port: int) -> int:
    import uvicorn
    from uvicorn.config import LOGGING_CONFIG

    from finops_api.app import configured_api, create_app

    url = database_url()
    api = configured_api()
    # api.auth from finops.yaml; none there: a ConfigError, no server and no migration
    app = create_app(url, api=api)
    if api.auth is not None and api.auth.mode == "none" and not is_loopback(host):
        say(
            f"WARNING: api.auth.mode is none and the API listens on {host}: whoever reaches this "
            "machine reads and writes everything as admin (development only)"
        )
    check_listen(host, port)
    upgrade(url)
    say(f"API on http://{host}:{port}/api/v1  (OpenAPI: http://{host}:{port}/schema)")
    # the app leaves logging to its process (finops_api/app.py): its warnings and errors beside
    # uvicorn's own lines, in their format
    log_config = copy.deepcopy(LOGGING_CONFIG)
    log_config["loggers"]["finops_api"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    uvicorn.run(app, host=host, port=port, log_level="info", log_config=log_config)
    return 0
