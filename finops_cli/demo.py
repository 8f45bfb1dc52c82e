"""`finops demo`: the whole platform on the embedded default, with generated FOCUS data."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from finops_cli.commands import run_month, say
from finops_core.config import load_config
from finops_core.database import as_url, database_url
from finops_core.migrations import upgrade
from finops_core.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_SOURCE = "demo"


def _dagster_home(settings: Settings, storage_url: str) -> Path:
    """A DAGSTER_HOME with the repo's dagster.yaml, whose run storage is the mart's server."""
    home = settings.home / "dagster"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(REPO_ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("FINOPS_DAGSTER_STORAGE_URL", as_url(storage_url))
    return home


def demo(months: int, rows_per_month: int, api_port: int, dagster_port: int, serve: bool = True) -> int:
    from finops_assets.demo.generator import DemoSpec, demo_months, write_dataset

    settings = Settings.from_env()
    config = load_config(settings.config_path)
    source = config.source(DEMO_SOURCE)
    url = database_url(settings)
    os.environ["FINOPS_DATABASE_URL"] = url  # the UI and the API below use the same database
    os.environ["FINOPS_CONFIG"] = str(settings.config_path.resolve())
    upgrade(url)
    _dagster_home(settings, url)

    spec = DemoSpec(months=demo_months(months), rows_per_month=rows_per_month)
    target = config.source_path(source)
    say(f"generating {months} months x {rows_per_month} FOCUS rows in {target} ...")
    write_dataset(spec, target, "parquet")
    failures = sum(not run_month(config, url, month, [DEMO_SOURCE]) for month in spec.months)
    if failures:
        say(f"{failures} month(s) failed; see the messages above")
        return 1
    if not serve:
        return 0

    dagster = subprocess.Popen(
        [sys.executable, "-m", "dagster", "dev", "-w", str(REPO_ROOT / "workspace.yaml"),
         "-h", "127.0.0.1", "-p", str(dagster_port)],
        cwd=REPO_ROOT,
    )  # fmt: skip
    say(f"Dagster UI: http://127.0.0.1:{dagster_port}  (asset graph, month partitions, backfills)")
    say(f"API:        http://127.0.0.1:{api_port}/api/v1/costs?group_by=month,application")
    say(f"OpenAPI:    http://127.0.0.1:{api_port}/schema")
    say("Ctrl-C stops both.")
    try:
        import uvicorn

        from finops_api.app import create_app

        uvicorn.run(create_app(url), host="127.0.0.1", port=api_port, log_level="warning")
    finally:
        dagster.terminate()
        dagster.wait(timeout=30)
    return 0
