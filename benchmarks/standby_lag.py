"""Standby read lag: how far a streaming-replication standby falls behind while the batch loads
months on the primary, and how soon after a month's run its readers see the month.

Starts a primary and a standby of its own (tests/replication.py: `pg_basebackup -R`, servers as
the `postgres` user when run as root, in a temporary folder removed at the end), materializes
months x rows FOCUS demo rows (Parquet) on the primary through the real asset graph while a
sampler reads, every 50 ms, the replay lag the API's /health reports (sql/api/
standby_replay_lag.sql), and prints per month: the run's time, the WAL it wrote, the largest lag
seen during the run (bytes and seconds), and the time from the run's end to the standby having
replayed it all.

    python -m benchmarks.standby_lag                      # 3 months x 1,000,000 rows
    python -m benchmarks.standby_lag --months 2 --rows 100000

Both servers run with fsync off (tests/replication.py PRIMARY_SETTINGS): the figures are the
replication's and the replay's, not the disk's.
"""

from __future__ import annotations

import argparse
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from benchmarks.ingest import REPO, dataset, say, timed_month
from finops_assets.demo.generator.spec import DemoSpec, demo_months
from finops_assets.resources import MartResource
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.migrations import upgrade
from finops_core.months import format_month
from finops_core.sql import sql_text
from tests.replication import primary_and_standby, wait_for_replay

SAMPLE_SECONDS = 0.05


@dataclass
class LagSampler:
    """The largest replay lag seen between start() and stop(), as /health computes it."""

    primary_url: str
    standby_url: str
    max_bytes: int = 0
    max_seconds: float = 0.0
    samples: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        with (
            psycopg.connect(self.primary_url, autocommit=True) as primary,
            psycopg.connect(self.standby_url, autocommit=True) as standby,
        ):
            while not self._stop.is_set():
                position = primary.execute(sql_text("api/primary_wal_position.sql")).fetchone()
                assert position is not None
                lag = standby.execute(
                    sql_text("api/standby_replay_lag.sql"), {"primary_lsn": position[0]}
                ).fetchone()
                assert lag is not None
                self.max_bytes = max(self.max_bytes, lag[0])
                self.max_seconds = max(self.max_seconds, lag[1] or 0.0)
                self.samples += 1
                time.sleep(SAMPLE_SECONDS)


def wal_position(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint").fetchone()
    assert row is not None
    return int(row[0])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--months", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per month")
    parser.add_argument("--applications", type=int, default=2_000)
    parser.add_argument("--products", type=int, default=500)
    parser.add_argument("--data-dir", type=Path, default=REPO / ".finops" / "bench")
    args = parser.parse_args()

    months = demo_months(args.months)
    spec = DemoSpec(
        months=months, rows_per_month=args.rows, applications=args.applications, products=args.products
    )
    dataset(spec, args.data_dir / "parquet", "parquet")
    config = PlatformConfig(
        start_month=format_month(months[0]),
        sources=[
            SourceConfig(
                name="bench_parquet",
                kind="focus",
                path=str(args.data_dir / "parquet"),
                application_tag="application",
            )
        ],
    )
    with primary_and_standby() as servers:
        primary, standby = servers.primary_url, servers.standby_url
        upgrade(primary)
        wait_for_replay(primary, standby)
        mart = MartResource(database_url=primary, landing_dir=str(args.data_dir / "standby-home" / "landing"))
        say(f"{args.months} months x {args.rows:,} rows on a primary, one standby streaming from it")
        for month in months:
            sampler = LagSampler(primary, standby)
            before = wal_position(primary)
            sampler.start()
            elapsed, _ = timed_month(config, month, mart, "bench_parquet")
            written = wal_position(primary) - before
            replay = wait_for_replay(primary, standby, timeout=120)
            sampler.stop()
            say(
                f"  {format_month(month)}: run {elapsed:5.2f} s, WAL {written / 1e6:7.1f} MB; "
                f"during the run the standby was at most {sampler.max_bytes / 1e6:6.1f} MB / "
                f"{sampler.max_seconds:5.2f} s behind ({sampler.samples} samples); "
                f"replayed all {replay * 1000:5.0f} ms after the run ended"
            )


if __name__ == "__main__":
    main()
