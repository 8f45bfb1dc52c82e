"""`finops`: db, materialize, archive, serve, demo."""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from importlib.metadata import version
from pathlib import Path

import psycopg

from finops_core.config import ConfigError
from finops_core.migrations import MigrationError
from finops_core.months import parse_month
from finops_core.settings import RELAND

ENVIRONMENT = """environment:
  FINOPS_CONFIG         the platform configuration file (default ./finops.yaml)
  FINOPS_DATABASE_URL   the mart's PostgreSQL (default: the embedded server under FINOPS_HOME)
  FINOPS_HOME           the embedded database, the landing layer, the demo (default ./.finops)
  FINOPS_LANDING_SOURCE_FILES  clone (default), copy or link: how the landing keeps Parquet and CSV inputs"""


def _month(text: str) -> date:
    try:
        return parse_month(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _whole(text: str) -> int:
    """The whole number written, 0 when it is none (every caller refuses 0)."""
    try:
        return int(text)
    except ValueError:
        return 0


def _positive(text: str) -> int:
    if (value := _whole(text)) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _port(text: str) -> int:
    if not 1 <= (value := _whole(text)) <= 65535:  # uvicorn would take 70000 as 4464, and say 70000
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1 to 65535)")
    return value


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], name: str, text: str, reads: str
) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=text,
        description=f"{text}.",
        epilog=f"reads {reads}\n\n{ENVIRONMENT}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="finops",
        description="FinOps data platform: every cost source in one mart, valued under pricing views.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version('finops-platform')}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = _command(
        commands, "db", "the mart's schema and the embedded server", "FINOPS_DATABASE_URL, FINOPS_HOME"
    )
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply the migrations not yet applied (idempotent)")
    db_commands.add_parser("status", help="the embedded server's state, and the schema's version")
    db_commands.add_parser("stop", help="stop the embedded server under FINOPS_HOME")

    materialize = _command(
        commands,
        "materialize",
        "run month partitions of the asset graph: sources, allocation, valuation, read models",
        "FINOPS_CONFIG, FINOPS_DATABASE_URL, FINOPS_HOME, FINOPS_LANDING_SOURCE_FILES, "
        "FINOPS_INGEST_BATCH_ROWS, FINOPS_RELAND, DAGSTER_HOME (the Dagster instance that records the runs)",
    )
    months = materialize.add_mutually_exclusive_group(required=True)
    months.add_argument("--month", type=_month, metavar="YYYY-MM", help="one billing month")
    months.add_argument("--from", dest="first", type=_month, metavar="YYYY-MM", help="first month of a range")
    materialize.add_argument(
        "--to", dest="last", type=_month, metavar="YYYY-MM", help="last month (with --from)"
    )
    materialize.add_argument("--source", action="append", help="only this source (repeatable); default all")
    materialize.add_argument(
        "--strict", action="store_true", help="warnings (e.g. mapping coverage) fail the run: exit 1"
    )
    materialize.add_argument(
        "--accept-held",
        action="store_true",
        help="replace months with deliveries that validation holds (empty, a mandatory column "
        "missing, too many rejects, a total far from the loaded one)",
    )
    materialize.add_argument(
        "--reland",
        action="store_true",
        help="read and land the months' files again even when they and the sources' settings did "
        "not change (by default their landing is kept as it is), and value and roll up the months "
        "whole (by default only what changed); FINOPS_RELAND=1",
    )

    materialize.add_argument(
        "--parallel",
        type=_positive,
        default=1,
        metavar="N",
        help="months of a range at once, each in a process of its own (default 1: in turn); "
        "the Dagster instance's pools bound how many ingest one source at once",
    )

    archive = _command(
        commands,
        "archive",
        "move old months' landing folders to an archive folder (their totals stay in the mart), "
        "or restore one",
        "FINOPS_DATABASE_URL, FINOPS_HOME",
    )
    cut = archive.add_mutually_exclusive_group(required=True)
    cut.add_argument("--before", type=_month, metavar="YYYY-MM", help="archive every month before this one")
    cut.add_argument("--restore", type=_month, metavar="YYYY-MM", help="bring this month's landing back")
    archive.add_argument(
        "--to", type=Path, metavar="FOLDER", help="the archive folder (default $FINOPS_HOME/archive)"
    )
    archive.add_argument("--source", action="append", help="only this source (repeatable); default all")

    serve = _command(
        commands,
        "serve",
        "run the REST API",
        "FINOPS_CONFIG, FINOPS_DATABASE_URL, FINOPS_HOME, "
        "FINOPS_READ_DATABASE_URL (standbys for the cost reads)",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000)")

    demo = _command(
        commands,
        "demo",
        "the whole platform on the embedded default, with demo data: the Dagster UI and the API",
        "FINOPS_HOME, FINOPS_DATABASE_URL (default: the embedded server)",
    )
    demo.add_argument(
        "--months", type=_positive, default=12, help="months of demo data from 2025-01 (default 12)"
    )
    demo.add_argument(
        "--rows-per-month", type=_positive, default=20_000, help="FOCUS rows a month (default 20000)"
    )
    demo.add_argument("--host", default="127.0.0.1", help="address the servers listen on (default 127.0.0.1)")
    demo.add_argument("--api-port", type=_port, default=8000, help="the API's port (default 8000)")
    demo.add_argument("--dagster-port", type=_port, default=3000, help="the Dagster UI's port (default 3000)")
    demo.add_argument(
        "--plugin-port", type=_port, default=3001, help="the Backstage plugin's dev app's port (default 3001)"
    )
    demo.add_argument(
        "--plugin-proxy-port",
        type=_port,
        default=7017,
        help="its stand-in Backstage proxy's port (default 7017)",
    )
    demo.add_argument("--no-plugin", action="store_true", help="do not serve the Backstage plugin")
    demo.add_argument("--no-serve", action="store_true", help="load the data, then stop")
    demo.add_argument("--strict", action="store_true", help="warnings fail the load")
    return parser


@contextmanager
def _relanding(reland: bool) -> Iterator[None]:
    """FINOPS_RELAND=1 while the months run when `reland`: each month's steps read it, in this
    process or a worker's; put back as it was after (main is called in-process by tests)."""
    before = os.environ.get(RELAND)
    if reland:
        os.environ[RELAND] = "1"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(RELAND, None)
        else:
            os.environ[RELAND] = before


def _run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    if getattr(args, "source", None):  # a source named twice is run once
        args.source = list(dict.fromkeys(args.source))
    if args.command == "db":
        from finops_cli import database

        return {"upgrade": database.upgrade, "status": database.status, "stop": database.stop}[
            args.db_command
        ]()
    if args.command == "materialize":
        from finops_cli.commands import materialize

        if args.month is None and args.last is None:
            parser.error("materialize: --from needs --to")
        if args.month is not None and args.last is not None:
            parser.error("materialize: --to goes with --from, not --month")
        first = args.month or args.first
        with _relanding(args.reland):
            return materialize(
                first, args.last or first, args.source, args.strict, args.accept_held, args.parallel
            )
    if args.command == "archive":
        from finops_cli.archive import archive, restore

        if args.restore is not None:
            return restore(args.restore, args.to, args.source)
        return archive(args.before, args.to, args.source)
    if args.command == "serve":
        from finops_cli.commands import serve

        return serve(args.host, args.port)
    from finops_cli.demo import DemoOptions, demo

    return demo(
        DemoOptions(
            months=args.months,
            rows_per_month=args.rows_per_month,
            host=args.host,
            api_port=args.api_port,
            dagster_port=args.dagster_port,
            plugin_port=None if args.no_plugin else args.plugin_port,
            plugin_proxy_port=args.plugin_proxy_port,
            serve=not args.no_serve,
            strict=args.strict,
        )
    )


def _unreachable(error: psycopg.OperationalError) -> str:
    """libpq's reason, with what to do when the database is not there (the platform creates its
    schema in it, not the database itself)."""
    reason = str(error).strip()
    if re.search(r'database ".*" does not exist', reason):
        reason += (
            "\n\tcreate it (CREATE DATABASE), or unset FINOPS_DATABASE_URL to use the embedded "
            "server under FINOPS_HOME"
        )
    return reason


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        return _run(parser.parse_args(argv), parser)
    except SystemExit as done:  # argparse: --help, --version (0) and usage errors (2)
        return done.code if isinstance(done.code, int) else 2
    except (ConfigError, MigrationError, ValueError) as error:
        print(f"finops: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a folder that is a file, a read-only FINOPS_HOME, a file gone
        where = "".join(f": {name}" for name in (error.filename, error.filename2) if name is not None)
        print(f"finops: error: {error.strerror or error}{where}", file=sys.stderr)
        return 2
    except psycopg.OperationalError as error:
        if error.sqlstate is not None:  # the server's answer to a statement: not a connection's
            raise
        print(f"finops: error: the mart's database: {_unreachable(error)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
