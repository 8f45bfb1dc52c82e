from __future__ import annotations

import subprocess
import sys


def test_the_api_imports_no_dagster() -> None:
    # a fresh interpreter: this test session may have imported dagster through other tests
    code = "import sys, finops_api.app; print(sorted(m for m in sys.modules if m.split('.')[0] == 'dagster'))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
