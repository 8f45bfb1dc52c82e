"""`finops`: db upgrade, materialize, serve, demo."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from finops_core.config import ConfigError
from finops_core.migrations import MigrationError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="finops", description="FinOps data platform")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_commands.add_parser("upgrade", help="apply the migrations not yet applied (idempotent)")

    materialize = commands.add_parser("materialize", help="run one month partition of the asset graph")
    materialize.add_argument("--month", required=True, help="YYYY-MM (the billing month)")
    materialize.add_argument("--source", action="append", help="only this source (repeatable); default all")

    serve = commands.add_parser("serve", help="run the REST API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)

    demo = commands.add_parser("demo", help="everything on the embedded default, with demo data")
    demo.add_argument("--months", type=int, default=12, help="months of demo data (default 12)")
    demo.add_argument("--rows-per-month", type=int, default=20_000)
    demo.add_argument("--api-port", type=int, default=8000)
    demo.add_argument("--dagster-port", type=int, default=3000)
    demo.add_argument("--no-serve", action="store_true", help="load the data, then stop")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "db":
            from finops_cli.commands import db_upgrade

            return db_upgrade()
        if args.command == "materialize":
            from finops_cli.commands import materialize

            return materialize(args.month, args.source)
        if args.command == "serve":
            from finops_cli.commands import serve

            return serve(args.host, args.port)
        from finops_cli.demo import demo

        return demo(
            args.months, args.rows_per_month, args.api_port, args.dagster_port, serve=not args.no_serve
        )
    except (ConfigError, MigrationError, ValueError) as error:
        print(f"finops: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
