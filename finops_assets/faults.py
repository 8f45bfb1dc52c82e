"""A fault hook for the reliability tests and benchmarks/reliability.py: kill -9 at a step
boundary of a genuine run, to prove what readers see when a run dies there."""

from __future__ import annotations

import os
import signal

from dagster import AssetKey

KILL_AFTER = "FINOPS_KILL_AFTER"
"""An asset key (`cloud/consumption`, `mart/valuation`): the process kills itself (SIGKILL, no
clean-up of any kind) right after that step's work is committed. Unset in normal runs."""


def step_committed(key: AssetKey) -> None:
    if os.environ.get(KILL_AFTER) == key.to_user_string():
        os.kill(os.getpid(), signal.SIGKILL)
