"""The command implementations, with progress and a summary on the terminal."""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import date

import psycopg

from finops_core.config import PlatformConfig, load_config
from finops_core.database import database_url
from finops_core.migrations import upgrade
from finops_core.months import format_month, parse_month
from finops_core.settings import Settings


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def db_upgrade() -> int:
    applied = upgrade(database_url())
    say(f"applied {len(applied)} migration(s): {', '.join(applied)}" if applied else "schema up to date")
    return 0


def month_summary(url: str, month: date, sources: Sequence[str]) -> list[str]:
    """One line per source: rows read, loaded, rejected and cost per currency, from the audit."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT DISTINCT ON (source) source, rows_read, rows_loaded, rows_rejected, source_cost"
            "  FROM finops.load_audit WHERE month = %s AND source = ANY(%s)"
            " ORDER BY source, load_id DESC",
            [month, list(sources)],
        ).fetchall()
    lines = []
    for source, read, loaded, rejected, cost in rows:
        money = ", ".join(f"{currency} {amount}" for currency, amount in sorted(cost.items())) or "no cost"
        lines.append(f"  {source}: {read} rows read, {loaded} loaded, {rejected} rejected; {money}")
    return lines


def run_month(config: PlatformConfig, url: str, month: date, sources: Sequence[str] | None) -> bool:
    from finops_assets.materialize import materialize_month
    from finops_assets.resources import MartResource

    started = time.perf_counter()
    say(f"{format_month(month)}: materializing {', '.join(sources or [s.name for s in config.sources])} ...")
    result = materialize_month(config, month, MartResource(database_url=url), sources)
    failed_checks = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
    for line in month_summary(url, month, sources or [s.name for s in config.sources]):
        say(line)
    status = "ok" if result.success and not failed_checks else f"FAILED checks: {', '.join(failed_checks)}"
    say(f"{format_month(month)}: {status} in {time.perf_counter() - started:.1f} s")
    return result.success and not failed_checks


def materialize(month_text: str, sources: Sequence[str] | None) -> int:
    month = parse_month(month_text)
    config = load_config(Settings.from_env().config_path)
    url = database_url()
    upgrade(url)
    return 0 if run_month(config, url, month, sources) else 1


def serve(host: str, port: int) -> int:
    import uvicorn

    from finops_api.app import create_app

    url = database_url()
    upgrade(url)
    app = create_app(url)  # reads api.auth from finops.yaml; none there: a ConfigError, no server
    say(f"API on http://{host}:{port}/api/v1  (OpenAPI: http://{host}:{port}/schema)")
    uvicorn.run(app, host=host, port=port, log_level="info")
    return 0
