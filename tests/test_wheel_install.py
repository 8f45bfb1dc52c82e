"""The built wheel carries its SQL: installed into a fresh virtual environment, away from the
checkout, `finops db upgrade` applies every migration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

from finops_core.migrations import available_migrations
from tests.pipeline import query

REPO = Path(__file__).resolve().parents[1]


def test_wheel_in_a_fresh_venv_applies_every_migration(tmp_path: Path, empty_database_url: str) -> None:
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the checkout
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".git", ".venv", ".finops", "node_modules", "*.egg-info", "build"),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path / "dist"),
            str(source),
        ],
        check=True,
    )
    (wheel,) = (tmp_path / "dist").glob("finops_platform-*.whl")
    names = subprocess.run(
        [sys.executable, "-m", "zipfile", "-l", str(wheel)], check=True, capture_output=True, text=True
    ).stdout
    assert "finops_sql/migrations/0001_mart.sql" in names
    assert "finops_sql/api/allocation_explain.sql" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", str(wheel)], check=True)
    # the dependencies come from this interpreter's site-packages, appended after the wheel's own
    # (a path in a .pth file runs no editable-install hook, so the checkout stays out of sight)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    done = subprocess.run(
        [env_dir / "bin" / "finops", "db", "upgrade"],
        cwd=tmp_path,
        env={**os.environ, "FINOPS_DATABASE_URL": empty_database_url},
        capture_output=True,
        text=True,
    )
    located = subprocess.run(
        [python, "-c", "import finops_sql; print(finops_sql.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout
    assert located.startswith(site), located
    assert done.returncode == 0, done.stderr
    expected = [f"{m.version}_{m.name}" for m in available_migrations()]
    assert f"applied {len(expected)} migration(s): {', '.join(expected)}" in done.stderr
    assert query(empty_database_url, "SELECT count(*) FROM finops.schema_migration") == [(len(expected),)]
