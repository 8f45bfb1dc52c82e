"""What a month's run says on the terminal: failed steps and checks, with their figures.

WARN checks are warnings (the run succeeded, something deserves a look); ERROR checks and
failed steps are failures. `--strict` counts warnings as failures."""

from __future__ import annotations

import enum
import json
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    DagsterEventType,
    DagsterInstance,
    ExecuteInProcessResult,
)
from dagster_shared.error import SerializableErrorInfo


class Outcome(enum.IntEnum):
    """Ordered from best to worst, so the worst of several months is their max()."""

    OK = 0
    WARNINGS = 1
    FAILED = 2


@dataclass(frozen=True)
class RunReport:
    failures: list[str]
    warnings: list[str]

    def outcome(self, strict: bool = False) -> Outcome:
        if self.failures or (strict and self.warnings):
            return Outcome.FAILED
        return Outcome.WARNINGS if self.warnings else Outcome.OK


def root_message(error: SerializableErrorInfo) -> str:
    """The innermost cause's message: the user's exception, not Dagster's wrappers of it."""
    while error.cause is not None:
        error = error.cause
    first_line = error.message.strip().splitlines()[0] if error.message.strip() else error.cls_name or ""
    name = error.cls_name or "error"
    # Dagster words a user's exception `package.module.Name: text`: keep the name alone
    first_line = re.sub(rf"^(?:\w+\.)+{re.escape(name)}: ", f"{name}: ", first_line)
    return first_line if first_line.startswith(name) else f"{name}: {first_line}"


def _figures(evaluation: AssetCheckEvaluation) -> str:
    """The check's scalar metadata (threshold, counts, totals) as `name=value`; tables are for
    the UI."""
    parts = []
    for key, entry in sorted(evaluation.metadata.items()):
        value = entry.value
        if isinstance(value, bool | int | float | str) and "\n" not in str(value):
            parts.append(f"{key}={value}")
        elif isinstance(value, list | dict):
            text = json.dumps(value, default=str)
            parts.append(f"{key}={text[:200]}{'...' if len(text) > 200 else ''}")
    return ", ".join(parts)


def _check_line(evaluation: AssetCheckEvaluation) -> str:
    asset = evaluation.asset_key.to_user_string()
    detail = evaluation.description or "did not pass"
    figures = _figures(evaluation)
    return f"{asset} {evaluation.check_name}: {detail}" + (f" ({figures})" if figures else "")


def _failed_checks(result: ExecuteInProcessResult) -> Iterator[AssetCheckEvaluation]:
    return (e for e in result.get_asset_check_evaluations() if not e.passed)


def _run_failure(result: ExecuteInProcessResult) -> str:
    """Why the run failed, as its RUN_FAILURE event says (the console does not show it)."""
    for event in result.all_events:
        if event.event_type == DagsterEventType.RUN_FAILURE:
            error = getattr(event.event_specific_data, "error", None)
            if isinstance(error, SerializableErrorInfo):
                return root_message(error)
            return event.message or "no reason given"
    return "no reason given"


def logged_warnings(instance: DagsterInstance, run_id: str) -> list[str]:
    """What the run's steps logged as warnings, `step: message` (the CLI runs Dagster's console
    at CRITICAL: its ERROR lines repeat each failure with two stack traces, which the report
    says in one line, and name every step not run after it)."""
    return [
        f"{entry.step_key or 'run'}: {entry.user_message}"
        for entry in instance.all_logs(run_id)
        if not entry.is_dagster_event and entry.level == logging.WARNING
    ]


def run_report(result: ExecuteInProcessResult) -> RunReport:
    failures = [
        f"step {event.step_key} failed: {root_message(event.step_failure_data.error)}"
        for event in result.get_step_failure_events()
        if event.step_failure_data.error is not None
    ]
    if not result.success and not failures:
        failures.append(f"the run failed before any step ran: {_run_failure(result)}")
    warnings = []
    for evaluation in _failed_checks(result):
        if evaluation.severity == AssetCheckSeverity.WARN:
            warnings.append(_check_line(evaluation))
        else:
            failures.append(_check_line(evaluation))
    return RunReport(failures=failures, warnings=warnings)
