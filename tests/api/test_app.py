from __future__ import annotations

import io
import logging
import subprocess
import sys
from contextlib import redirect_stderr

from finops_api.app import create_app
from tests.api.conftest import OPEN_API


def test_the_api_imports_no_dagster() -> None:
    # a fresh interpreter: this test session may have imported dagster through other tests
    code = "import sys, finops_api.app; print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_building_the_app_leaves_the_process_logging_alone() -> None:
    # `finops demo` builds the app inside the CLI's process; the root handler Litestar's default
    # config put there stayed bound to that call's stderr, and every later INFO record (alembic's,
    # from a Dagster instance) came out as "--- Logging error ---" once that stream was closed
    root = logging.getLogger()
    before = (list(root.handlers), root.level)
    for _ in range(2):  # as two CLI calls in one process, each under its own captured stderr
        stream = io.StringIO()
        with redirect_stderr(stream):
            create_app("postgresql://unused", api=OPEN_API, read_database_urls=[])
        stream.close()
    assert (list(root.handlers), root.level) == before
