"""The `finops` command line, run in-process."""

from __future__ import annotations

import socket
import uuid
from datetime import date
from decimal import Decimal as D
from importlib.metadata import version
from pathlib import Path

import polars as pl
import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from finops_assets.demo.generator.month import generate_month
from finops_assets.demo.generator.spec import DemoSpec
from finops_cli.main import main
from finops_core.database import as_url
from finops_core.settings import Settings
from tests.conftest import SAMPLES
from tests.pipeline import fact_total, query

SAMPLE = SAMPLES / "focus" / "focus_sample.csv"
BILLED_AND_TAGGED = ", cost_column: BilledCost, application_tag: application"


def sample_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: str = "", path: Path = SAMPLE
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        f"start_month: '2024-01'\nsources:\n  - {{name: sample, kind: focus, path: '{path}'{options}}}\n"
    )
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))


def config_without_auth(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """sample_config with `api: {auth: {mode: none}}`, for `serve`."""
    sample_config(tmp_path, monkeypatch)
    with (tmp_path / "finops.yaml").open("a") as config:
        config.write("api: {auth: {mode: none}}\n")


def test_materialize_prints_progress_and_summary(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text(
        "sources:\n"
        f"  - {{name: sample, kind: focus, path: '{SAMPLES / 'focus' / 'focus_sample.csv'}',"
        " cost_column: BilledCost, application_tag: application}\n"
    )
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    monkeypatch.setenv("FINOPS_HOME", str(tmp_path / "home"))

    assert main(["db", "upgrade"]) == 0
    assert main(["materialize", "--month", "2024-09"]) == 0

    err = capsys.readouterr().err
    assert "schema up to date" in err
    assert "sample: 999 rows read, 999 loaded, 0 rejected; USD 20.28022672899" in err
    assert "2024-09: ok" in err
    assert query(mart_url, "SELECT count(*) FROM finops.load_audit") == [(1,)]
    assert (tmp_path / "home" / "landing" / "sample" / "2024-09" / "lines.parquet").exists()


def test_a_warning_is_printed_with_its_figure_and_fails_only_under_strict(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_config(tmp_path, monkeypatch)  # no application tag: every row is unallocated

    assert main(["materialize", "--month", "2024-09"]) == 0
    err = capsys.readouterr().err
    warning = "warning: 2024-09 sample/consumption mapping_coverage: mapped share under 0.9 in USD 0"
    warning += " (threshold=0.9)"
    assert warning in err
    assert "2024-09: ok with 1 warning(s)" in err

    assert main(["materialize", "--month", "2024-09", "--strict"]) == 1
    err = capsys.readouterr().err
    assert warning in err
    assert "2024-09: FAILED (warnings count as failures under --strict)" in err
    # the figures loaded are right all the same: 999 rows of September, EffectiveCost
    assert fact_total(mart_url, "sample", date(2024, 9, 1)) == {"USD": D("14.97651418586")}


def test_a_range_of_months_runs_each_with_a_summary(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sample_config(tmp_path, monkeypatch, ", cost_column: BilledCost, application_tag: application")

    # a source named twice is run once (it said `materializing sample, sample`)
    assert (
        main(
            [
                "materialize",
                "--from",
                "2024-08",
                "--to",
                "2024-10",
                "--source",
                "sample",
                "--source",
                "sample",
            ]
        )
        == 0
    )

    err = capsys.readouterr().err
    assert [line for line in err.splitlines() if line.endswith("...")] == [
        "2024-08: materializing sample ...",
        "2024-09: materializing sample ...",
        "2024-10: materializing sample ...",
    ]
    assert "sample: 999 rows read, 999 loaded, 0 rejected; USD 20.28022672899" in err
    assert "sample: 1 rows read, 1 loaded, 0 rejected; USD 0.24" in err
    assert "3 months: " in err and " 0 failed in " in err
    assert query(mart_url, "SELECT month::text, rows_read FROM finops.load_audit ORDER BY 1") == [
        ("2024-08-01", 0),
        ("2024-09-01", 999),
        ("2024-10-01", 1),
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["materialize", "--month", "2024-9"], "'2024-9' is not a month; expected YYYY-MM"),
        (["materialize", "--month", "2024-09", "--source", "gcp"], "unknown source 'gcp'"),
        (
            ["materialize", "--month", "2999-09"],
            "2999-09 is not a month partition; the partitions run from 2020-01 (start_month) to ",
        ),
        (["materialize", "--from", "2024-09"], "--from needs --to"),
        (["materialize", "--from", "2024-09", "--to", "2024-08"], "--to 2024-08 is before --from 2024-09"),
        (["materialize", "--month", "2019-12"], "2019-12 is not a month partition"),
        (["serve", "--port", "70000"], "argument --port: '70000' is not a TCP port (1 to 65535)"),
        (["demo", "--api-port", "0"], "argument --api-port: '0' is not a TCP port (1 to 65535)"),
        (["demo", "--months", "-1"], "argument --months: '-1' is not a whole number of at least 1"),
    ],
)
def test_materialize_bad_arguments_exit_2_with_a_message(
    mart_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    config = tmp_path / "finops.yaml"
    config.write_text("start_month: '2020-01'\nsources:\n  - {name: aws, kind: focus, path: bills}\n")
    monkeypatch.setenv("FINOPS_CONFIG", str(config))
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_demo_loads_the_whole_product_through_the_dagster_instance(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # demo() points these at what it uses; monkeypatch puts them back afterwards
    for name, value in {
        "FINOPS_CONFIG": str(tmp_path / "ignored.yaml"),
        "FINOPS_HOME": str(tmp_path / "home"),
        "DAGSTER_HOME": str(tmp_path / "unused"),
        "FINOPS_DAGSTER_STORAGE_URL": as_url(mart_url),
    }.items():
        monkeypatch.setenv(name, value)

    assert main(["demo", "--no-serve", "--months", "2", "--rows-per-month", "400"]) == 0

    err = capsys.readouterr().err
    assert err.count("cloud: 400 rows read, 400 loaded, 0 rejected") == 2
    assert "2 months: 2 ok, 0 with warnings, 0 failed" in err
    # the months are fixed, whatever today is
    assert query(mart_url, "SELECT DISTINCT month::text FROM finops.fact_consumption ORDER BY 1") == [
        ("2025-01-01",),
        ("2025-02-01",),
    ]
    # the cloud source's facts are the generator's own totals, per currency, to the last digit
    spec = DemoSpec(months=(date(2025, 1, 1),), rows_per_month=400)
    frame = generate_month(spec, date(2025, 1, 1))
    expected = dict(frame.group_by("BillingCurrency").agg(pl.col("EffectiveCost").sum()).iter_rows())
    assert fact_total(mart_url, "cloud", date(2025, 1, 1)) == expected
    # private cloud by hand: standard 8+6+4+8+12+4 = 42 x 18.40, high-memory 16+24+32+16 = 88 x 26.10
    assert fact_total(mart_url, "private_cloud", date(2025, 1, 1)) == {"EUR": D("772.80") + D("2296.80")}
    # owners, both pools allocated, the rate cards and the simulation
    owners = query(mart_url, "SELECT count(DISTINCT owner) FROM finops.dim_application WHERE owner <> ''")
    assert owners == [(8,)]
    assert query(
        mart_url,
        "SELECT allocation_rule_code, sum(source_cost) FROM finops.allocated_consumption"
        " WHERE origin = 'allocated' AND month = '2025-01-01' GROUP BY 1 ORDER BY 1",
    ) == [("apm-by-team-size", D("10000.00")), ("ci-by-private-vcpus", D("1920.00"))]  # 240,000 x 0.008
    views = query(
        mart_url,
        "SELECT pricing_view_code, kind FROM finops.pricing_view WHERE deleted_at IS NULL ORDER BY 1",
    )
    assert views == [
        ("actual", "source"),
        ("actual-rate", "derived"),
        ("budget", "rate_card"),
        ("forecast", "rate_card"),
        ("sim-compute-plus-10", "simulation"),
    ]
    # the runs are in the Dagster instance the UI reads (run storage in the mart's database)
    (runs,) = query(mart_url, "SELECT count(*) FROM public.runs WHERE status = 'SUCCESS'")[0]
    assert runs == 2


def test_version_and_help_name_the_environment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"finops {version('finops-platform')}"
    assert main(["materialize", "--help"]) == 0
    out = capsys.readouterr().out
    assert "reads FINOPS_CONFIG, FINOPS_DATABASE_URL, FINOPS_HOME" in out
    assert "--strict" in out


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "upgrade"],
        ["materialize", "--month", "2024-09"],
        ["archive", "--before", "2024-09"],
        ["serve", "--port", "18765"],
    ],
)
def test_a_database_that_cannot_be_reached_is_one_line_not_a_traceback(
    admin_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    config_without_auth(tmp_path, monkeypatch)  # serve checks api.auth before the database
    missing = make_conninfo(admin_url, dbname=f"finops_missing_{uuid.uuid4().hex[:8]}")
    monkeypatch.setenv("FINOPS_DATABASE_URL", missing)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("finops: error: the mart's database: connection failed: ")
    assert "does not exist\n\tcreate it (CREATE DATABASE), or unset FINOPS_DATABASE_URL" in err
    assert "Traceback" not in err

    monkeypatch.setenv("FINOPS_DATABASE_URL", f"postgresql://finops:secret@127.0.0.1:{_free_port()}/mart")
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("finops: error: the mart's database: connection failed: ")
    assert "Connection refused" in err and "secret" not in err

    monkeypatch.setenv("FINOPS_DATABASE_URL", "host=127.0.0.1 dbname")  # a conninfo cut short
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "finops: error: FINOPS_DATABASE_URL: not a PostgreSQL URL or connection string: "
        'missing "=" after "dbname" in connection info string\n'
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("postgresql+psycopg://finops:Sup3rS3cret@db/finops",
         "a SQLAlchemy URL (postgresql+psycopg://); libpq's is written postgresql://"),
        ("postgresql:/finops:Sup3r/S3cret@db/finops",  # a slash short: read as key=value, quoted
         'not a PostgreSQL URL or connection string: missing "***" after "***" in connection info string'),
        ("host=db password=Sup3rS3cret dbname",
         'not a PostgreSQL URL or connection string: missing "***" after "***" in connection info string'),
        ("postgresql://admin:Sup3r S3cret@db/finops",  # libpq quotes the password alone
         'not a PostgreSQL URL or connection string: unexpected spaces found in "***", use '
         "percent-encoded spaces (%20) instead"),
        ("postgresql://admin:100%S3cret@db/finops",
         'not a PostgreSQL URL or connection string: invalid percent-encoded token: "***"'),
        ("postgresql://finops@db/finops?sslmod=require",  # no password: libpq's words as they are
         'not a PostgreSQL URL or connection string: invalid URI query parameter: "sslmod"'),
    ],
)  # fmt: skip
def test_a_database_url_libpq_cannot_read_is_refused_without_its_password(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    message: str,
) -> None:
    config_without_auth(tmp_path, monkeypatch)
    monkeypatch.setenv("FINOPS_DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 2
    assert capsys.readouterr().err == f"finops: error: FINOPS_DATABASE_URL: {message}\n"
    # the standbys' URLs are the API's alone: checked when it starts, not by batch commands
    monkeypatch.setenv("FINOPS_DATABASE_URL", "postgresql://finops@127.0.0.1:1/finops")
    monkeypatch.setenv("FINOPS_READ_DATABASE_URL", url)
    assert main(["serve", "--port", "18766"]) == 2
    assert capsys.readouterr().err == f"finops: error: FINOPS_READ_DATABASE_URL: {message}\n"


def test_serve_refuses_a_config_without_auth_before_it_migrates_the_database(
    empty_database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sample_config(tmp_path, monkeypatch)  # no api.auth
    monkeypatch.setenv("FINOPS_DATABASE_URL", empty_database_url)
    assert main(["serve", "--port", "18765"]) == 2
    assert "api.auth is not configured" in capsys.readouterr().err
    with psycopg.connect(empty_database_url) as conn:
        assert conn.execute("SELECT to_regnamespace('finops')").fetchone() == (None,)


@pytest.mark.parametrize("rows", ["0", "abc", "\u00b2"])
def test_a_bad_batch_size_is_a_usage_error_before_any_month(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], rows: str
) -> None:
    # before: each month's every source failed in its step, with Dagster's traces, exit 1
    sample_config(tmp_path, monkeypatch)
    monkeypatch.setenv("FINOPS_INGEST_BATCH_ROWS", rows)
    assert main(["materialize", "--month", "2024-09"]) == 2
    assert capsys.readouterr().err == (
        f"finops: error: FINOPS_INGEST_BATCH_ROWS={rows!r}: expected a whole number of rows, "
        "from 1 to 100,000,000\n"
    )
    assert not (tmp_path / "home").exists()  # nothing started, nothing landed


def test_an_empty_finops_home_or_config_is_the_default_not_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FINOPS_HOME", "")
    monkeypatch.setenv("FINOPS_CONFIG", "")
    settings = Settings.from_env()
    assert (settings.home, settings.config_path) == (tmp_path / ".finops", Path("finops.yaml"))


def test_the_summary_of_a_held_delivery_is_not_the_previous_load_s_figures(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bills = tmp_path / "bills"
    bills.mkdir()
    (bills / "focus_sample.csv").write_bytes(SAMPLE.read_bytes())
    sample_config(tmp_path, monkeypatch, BILLED_AND_TAGGED, bills)
    assert main(["materialize", "--month", "2024-09"]) == 0
    assert "  sample: 999 rows read, 999 loaded, 0 rejected; USD 20.28022672899\n" in capsys.readouterr().err

    (bills / "focus_sample.csv").unlink()  # the month re-delivered empty: held
    assert main(["materialize", "--month", "2024-09"]) == 1
    err = capsys.readouterr().err
    assert "999 rows read" not in err  # it printed the previous load's figures as this run's
    assert "  sample: held, nothing loaded (its error below); the mart keeps what it held\n" in err
    assert "  error: 2024-09 step sample__billing_lines failed: DeliveryHeld: sample 2024-09 held" in err
    # Dagster's console said it again with two stack traces, and named each step not run: 100 lines
    assert "Stack Trace" not in err and "dagster - ERROR" not in err
    assert len(err.splitlines()) == 4
    assert fact_total(mart_url, "sample", date(2024, 9, 1)) == {"USD": D("20.28022672899")}


def test_serve_checks_its_address_before_it_starts_and_warns_of_no_auth_beyond_this_machine(
    mart_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config_without_auth(tmp_path, monkeypatch)
    with socket.create_server(("0.0.0.0", 0)) as taken:  # the server stops there: the port is taken
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
        taken_port = f"finops: error: cannot listen on 127.0.0.1:{port}: Address already in use\n"
        assert capsys.readouterr().err == taken_port  # on this machine alone: no warning
        assert main(["serve", "--host", "0.0.0.0", "--port", str(port)]) == 2
    assert capsys.readouterr().err == (
        "WARNING: api.auth.mode is none and the API listens on 0.0.0.0: whoever reaches this machine "
        "reads and writes everything as admin (development only)\n"
        f"finops: error: cannot listen on 0.0.0.0:{port}: Address already in use\n"
    )
