"""`finops demo`: the whole platform on the embedded default, with the demo's workspace.

It writes the workspace (finops_assets/demo/workspace.py) under $FINOPS_HOME/demo, materializes
every month through the Dagster instance the UI reads, saves a what-if simulation through the
API, then serves the Dagster UI and the API until Ctrl-C (or SIGTERM), which stops both and
everything they started within 10 s; a second Ctrl-C kills at once."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

from finops_cli.commands import run_months, say
from finops_cli.dagster_home import write_dagster_home
from finops_cli.processes import StopRequested, Supervisor
from finops_cli.report import Outcome
from finops_core.config import ConfigError, load_config
from finops_core.database import as_url, database_url
from finops_core.embedded import embedded_server, stop_embedded
from finops_core.migrations import upgrade
from finops_core.settings import Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
PLUGIN_DEV = REPO_ROOT / "backstage" / "plugins" / "finops" / "scripts" / "dev.sh"
READY_SECONDS = 120
PLUGIN_READY_SECONDS = 900  # the first start installs the plugin's npm packages


@dataclass(frozen=True)
class DemoOptions:
    months: int = 12
    rows_per_month: int = 20_000
    host: str = "127.0.0.1"
    api_port: int = 8000
    dagster_port: int = 3000
    plugin_port: int | None = 3001
    """The Backstage plugin's dev app; None: not served."""
    plugin_proxy_port: int = 7017
    """The stand-in for the Backstage backend's proxy, in front of the API."""
    serve: bool = True
    strict: bool = False


def _check_port_free(host: str, port: int, variable: str) -> None:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            raise ConfigError(
                f"port {port} on {host} is taken; choose another: make demo {variable}=<port>"
            ) from None


def _dagster_home(settings: Settings, storage_url: str) -> Path:
    """The demo's DAGSTER_HOME (finops_cli/dagster_home.py), its run storage in the mart's
    server, its run queue one run per core of the host."""
    home = write_dagster_home(settings.home / "dagster")
    os.environ["DAGSTER_HOME"] = str(home)
    os.environ.setdefault("FINOPS_DAGSTER_STORAGE_URL", as_url(storage_url))
    return home


def save_simulation(url: str) -> None:
    """The demo's what-if, saved through the API app itself: the budget with compute 10% dearer."""
    from litestar.testing import TestClient

    from finops_api.app import create_app
    from finops_assets.demo.workspace import SIMULATION

    body = {
        "code": SIMULATION,
        "name": "What if compute costs 10% more",
        "base_view": "budget",
        "description": "The budget, with every compute product 10% dearer",
        "adjustments": [{"scope": {"level": "family", "code": "compute"}, "kind": "percent", "value": "10"}],
    }
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one request: no log line for it
    with TestClient(create_app(url)) as client:
        answer = client.post("/api/v1/pricing-views/simulations", json=body)
    if answer.status_code not in (201, 409):  # 409: saved by an earlier run of the demo
        raise RuntimeError(f"saving the demo simulation failed: HTTP {answer.status_code} {answer.text}")
    say(
        f"simulation {SIMULATION!r} saved" if answer.status_code == 201 else f"simulation {SIMULATION!r} kept"
    )


def demo(options: DemoOptions) -> int:
    settings = Settings.from_env()
    if options.serve:
        _check_port_free(options.host, options.api_port, "API_PORT")
        _check_port_free(options.host, options.dagster_port, "DAGSTER_PORT")
        if options.plugin_port is not None:
            _check_port_free(options.host, options.plugin_port, "PLUGIN_PORT")
            _check_port_free(options.host, options.plugin_proxy_port, "PLUGIN_PROXY_PORT")
    ours = not settings.database_url and embedded_server(settings.home / "pgdata") is None
    url = database_url(settings)
    try:
        if not _load(options, settings, url):
            return 1
        if not options.serve:
            return 0  # the embedded server keeps running, for `finops serve` and the UI
        code = _serve(options)
    except KeyboardInterrupt:
        say("interrupted while loading; the months loaded so far stay loaded")
        code = 130
    finally:
        if ours and options.serve and stop_embedded(settings.home / "pgdata"):
            say("embedded PostgreSQL stopped")
    # Everything is stopped and nothing is left to write: skip the interpreter's teardown of the
    # Dagster object graph loaded above (2-3.5 s of garbage collection measured), which would
    # keep Ctrl-C waiting past its 10 s.
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _load(options: DemoOptions, settings: Settings, url: str) -> bool:
    """The demo's workspace, every month materialized, the simulation saved."""
    from finops_assets.demo.workspace import write_workspace

    upgrade(url)
    folder = settings.home / "demo"
    say(f"writing the demo in {folder}: {options.months} months, {options.rows_per_month} FOCUS rows each")
    workspace = write_workspace(folder, options.months, options.rows_per_month)
    config = load_config(workspace.config_path)
    os.environ["FINOPS_DATABASE_URL"] = url  # the UI and the API below use the same database
    os.environ["FINOPS_CONFIG"] = str(workspace.config_path)
    _dagster_home(settings, url)
    if run_months(config, url, workspace.months, None, options.strict) == Outcome.FAILED:
        say("the demo's data did not load; see the errors above")
        return False
    save_simulation(url)
    return True


def _start_plugin(
    supervisor: Supervisor, options: DemoOptions, api_url: str, env: dict[str, str]
) -> str | None:
    """The plugin's dev app against the demo API, when asked for and Node.js is there."""
    if options.plugin_port is None:
        return None
    if shutil.which("npm") is None:
        say("Backstage plugin: not served (no Node.js/npm on this machine; see docs/backstage-plugin.md)")
        return None
    if not (PLUGIN_DEV.parent.parent / "node_modules").exists():
        say("Backstage plugin: installing its npm packages (the first time only; a few minutes) ...")
    plugin_env = {
        **env,
        "FINOPS_PLUGIN_PORT": str(options.plugin_port),
        "FINOPS_PLUGIN_PROXY_PORT": str(options.plugin_proxy_port),
    }
    supervisor.start(
        "Backstage plugin", ["bash", str(PLUGIN_DEV), api_url], plugin_env, REPO_ROOT, stop_group=True
    )
    return f"http://127.0.0.1:{options.plugin_port}/finops"


def _serve(options: DemoOptions) -> int:
    supervisor = Supervisor()
    supervisor.install_signal_handlers()
    host, env = options.host, dict(os.environ)
    dagster_url, api_url = f"http://{host}:{options.dagster_port}", f"http://{host}:{options.api_port}"
    try:
        supervisor.start(
            "Dagster UI",
            [sys.executable, "-m", "dagster", "dev", "-w", str(REPO_ROOT / "workspace.yaml"),
             "-h", host, "-p", str(options.dagster_port)],
            env, REPO_ROOT,
        )  # fmt: skip
        supervisor.start(
            "API",
            [sys.executable, "-m", "finops_cli.main", "serve",
             "--host", host, "--port", str(options.api_port)],
            env, REPO_ROOT,
        )  # fmt: skip
        plugin_url = _start_plugin(supervisor, options, api_url, env)
        supervisor.wait_until_ready("API", f"{api_url}/api/v1/health", READY_SECONDS)
        supervisor.wait_until_ready("Dagster UI", f"{dagster_url}/server_info", READY_SECONDS)
        if plugin_url is not None:
            supervisor.wait_until_ready("Backstage plugin", plugin_url, PLUGIN_READY_SECONDS)
        say(f"Dagster UI: {dagster_url}  (asset graph, month partitions, backfills)")
        say(f"API:        {api_url}/api/v1/costs?group_by=month,owner")
        say(f"OpenAPI:    {api_url}/schema")
        if plugin_url is not None:
            entity_page = plugin_url.removesuffix("/finops") + "/dev-entity?entity=component:default/payments"
            say(f"Backstage:  {plugin_url}  (the plugin's pages; a Costs tab: {entity_page})")
        say("ready; Ctrl-C stops everything")
        exited = supervisor.wait()
        if exited is not None:
            say(f"{exited} exited unexpectedly; stopping the rest")
            return 1
        return 0
    except StopRequested:
        return 0
    except RuntimeError as error:
        say(f"finops demo: {error}")
        return 1
    finally:
        say("stopping ...")
        killed = supervisor.stop()
        say("stopped" + (f" ({len(killed)} process(es) had to be killed)" if killed else ""))
