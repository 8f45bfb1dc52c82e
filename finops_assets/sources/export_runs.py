"""Export runs: the versions of one billing period that AWS and Azure write side by side.

Each run of these exports holds the whole period to date, and they are written beside each
other instead of over each other:
- AWS Cost and Usage Reports set to "create new report versions": every update of a month in
  `<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/`, the current one named by the `assemblyId` of
  `<report>-Manifest.json` in the period's folder, which lists its `reportKeys`;
- AWS Data Exports set to "create new": every refresh in its own folder under
  `data/BILLING_PERIOD=yyyy-mm/`;
- Azure Cost Management exports: every run of a month in `<yyyymmdd-yyyymmdd>/<run id>/` or
  `<yyyymmdd-yyyymmdd>/<yyyyMMddHHmm>/[<run id>/]`, with a `manifest.json` (written last) whose
  `runInfo.submittedTime` says when it ran and whose `blobs` list its files; older exports
  write each run as a file `<export>_<run id>.csv` in the period's folder.

A folder synced from such a bucket holds a month once per run: read whole, a month-to-date
export run daily counts the month's first day thirty times. So, under a folder named as a
period (`yyyymmdd-yyyymmdd` or `BILLING_PERIOD=yyyy-mm`), the entries that are runs (a folder
named with a GUID, as assembly and run ids are, or with a `yyyyMMddHHmm` export time; a file
named `<export>_<GUID>`) are told apart, and only the latest complete run is read. Files of the
period that are not runs (the chunks of a report overwritten in place) are read as they are,
and so is anything outside a period folder.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any

from finops_core.months import parse_month

PERIOD_FOLDER = re.compile(r"\d{8}-\d{8}|BILLING_PERIOD=\d{4}-\d{2}", re.IGNORECASE)
GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
RUN_FOLDER = re.compile(rf".*{GUID}.*|(?P<time>\d{{12}})", re.IGNORECASE)
RUN_FILE = re.compile(rf".+_{GUID}(\.[a-z]+)+", re.IGNORECASE)
RUN_MANIFEST = "manifest.json"
"""An Azure run's manifest, in its run folder."""


CUR_STATUS = "cost_and_usage_data_status.parquet"
"""The one-row status file (READY or UPDATING) an AWS report integrated with Athena keeps in
`<report>/cost_and_usage_data_status/` beside its data."""


def is_manifest(path: Path) -> bool:
    """An export's manifest (AWS `<report>-Manifest.json`, Azure `manifest.json`): a description
    of the delivery, never billing data, even for the kinds that read JSON."""
    return path.name.lower().endswith(RUN_MANIFEST)


def is_export_metadata(path: Path) -> bool:
    """What an export writes about its data beside it: its manifests, the CUR's status file."""
    return is_manifest(path) or path.name.lower() == CUR_STATUS


@dataclass(frozen=True)
class Run:
    period: Path
    name: str
    """The run's folder, or its file for a run written as one file in the period's folder."""
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Superseded:
    """A period's runs left out for the one read (None: none can be read), and why."""

    period: Path
    kept: Run | None
    why: str
    left_out: tuple[Run, ...]
    incomplete: tuple[tuple[Run, tuple[str, ...]], ...] = ()
    """Runs not known to be whole (a copy under way), with the files their manifest lacks."""

    @property
    def warns(self) -> bool:
        """Whether this needs the operator: a run incomplete, or none read."""
        return bool(self.incomplete) or self.kept is None

    def covers(self, month: date) -> bool:
        """Whether the period holds the month: `BILLING_PERIOD=yyyy-mm`'s month, or the months of
        `yyyymmdd-yyyymmdd` (its end exclusive, as AWS writes it, or inclusive, as Azure does);
        True for dates that are none, rather than hide a period."""
        name = self.period.name
        try:
            if "=" in name:
                return parse_month(name.split("=", 1)[1]) == month
            start, end = (datetime.strptime(part, "%Y%m%d").date() for part in name.split("-"))
        except ValueError:
            return True
        last = end - timedelta(days=1) if end > start else end
        return start.replace(day=1) <= month <= last.replace(day=1)


def _is_run(name: str, folder: bool) -> bool:
    """A run's folder: named with a GUID, or with a `yyyyMMddHHmm` that is a time (twelve digits
    that are none, such as an AWS account's id, name a part of the delivery); a run's file:
    `<name>_<GUID>.<extension>`."""
    if not folder:
        return RUN_FILE.fullmatch(name) is not None
    return RUN_FOLDER.fullmatch(name) is not None and (not name.isdigit() or _export_time(name) is not None)


def _run_of(path: Path) -> tuple[tuple[str, ...], str] | None:
    """The period folder, as its path's parts (a Path built for each file doubled the listing's
    time), and the run's name, of a file inside a run; else None."""
    parts = path.parts
    for index in range(len(parts) - 2, -1, -1):  # the nearest period folder above the file
        if PERIOD_FOLDER.fullmatch(parts[index]):
            name = parts[index + 1]
            return (parts[: index + 1], name) if _is_run(name, index + 2 < len(parts)) else None
    return None


def latest_runs(files: list[Path]) -> tuple[list[Path], list[Superseded]]:
    """The files to read, in their order (of each period, its latest complete run alone), and
    what was left out per period."""
    runs: dict[tuple[str, ...], dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for path in files:
        if (found := _run_of(path)) is not None:
            runs[found[0]][found[1]].append(path)
    left_out: set[Path] = set()
    superseded: list[Superseded] = []
    for parts, by_name in sorted(runs.items()):
        period = Path(*parts)
        entry = _period_choice(
            period, [Run(period, name, tuple(paths)) for name, paths in sorted(by_name.items())]
        )
        if entry is None:
            continue
        superseded.append(entry)
        kept = entry.kept.name if entry.kept else None
        left_out.update(path for name, paths in by_name.items() if name != kept for path in paths)
    return [path for path in files if path not in left_out], superseded


def _period_choice(period: Path, runs: list[Run]) -> Superseded | None:
    """The run of a period to read, and why; None when there is one run and it is complete."""
    try:
        listed = sorted(period.iterdir())
    except OSError:  # gone since it was listed: its files are read or fail as the others do
        listed = []
    period_manifests = [
        document
        for path in listed
        if is_manifest(path) and not path.name.startswith(".") and (document := _json(path)) is not None
    ]
    run_manifests = {run.name: _run_manifest(period / run.name) for run in runs}
    any_run_manifest = any(document is not None for document in run_manifests.values())
    incomplete = tuple(
        (run, missing)
        for run in runs
        if (missing := _missing(run, period_manifests, run_manifests[run.name], any_run_manifest))
    )
    unfinished = {run.name for run, _ in incomplete}
    complete = [run for run in runs if run.name not in unfinished]
    if len(runs) == 1 and not incomplete:
        return None
    if not complete:
        kept, why = None, "no run is complete"
    elif len(complete) == 1:
        kept, why = complete[0], "the only complete run" if incomplete else "the only run"
    else:
        kept, why = _latest(complete, period_manifests, run_manifests)
    others = tuple(run for run in complete if run != kept)
    return Superseded(period, kept, why, others, incomplete)


def _latest(
    runs: list[Run], period_manifests: list[dict[str, Any]], run_manifests: dict[str, dict[str, Any] | None]
) -> tuple[Run | None, str]:
    """The latest of a period's complete runs: named by the AWS manifest, else submitted last,
    else exported last (its folder's `yyyyMMddHHmm`), else with the newest files; None when the
    latest two cannot be told apart (neither is guessed)."""
    by_name = {run.name: run for run in runs}
    for manifest in period_manifests:
        if isinstance(assembly := manifest.get("assemblyId"), str) and assembly in by_name:
            return by_name[assembly], "named by the period's manifest"
    orders: list[tuple[str, str, dict[str, Any]]] = [
        ("submitted last, its manifest.json", "submitted at the same time",
         {r.name: _submitted(run_manifests[r.name]) for r in runs}),
        ("exported last, its folder's time", "exported at the same time",
         {r.name: _export_time(r.name) for r in runs}),
        ("its files are the newest", "files of the same time", {r.name: _newest(r) for r in runs}),
    ]  # fmt: skip
    for why, alike, keys in orders:
        if any(key is None for key in keys.values()):
            continue
        first, second = sorted(runs, key=lambda run: keys[run.name], reverse=True)[:2]
        if keys[first.name] == keys[second.name]:
            return None, f"{first.name} and {second.name} cannot be told apart ({alike})"
        return first, why
    return None, "their files' times cannot be read"


def _newest(run: Run) -> int | None:
    """When the run's newest file was modified; None for a file gone since it was listed."""
    try:
        return max(path.stat().st_mtime_ns for path in run.files)
    except OSError:
        return None


def _missing(
    run: Run, period_manifests: list[dict[str, Any]], manifest: dict[str, Any] | None, expected: bool
) -> tuple[str, ...]:
    """The files a run folder's manifest lists that the run lacks (an Azure run's `blobs`, or
    the `reportKeys` of the AWS manifest naming it), or its manifest itself when other runs of
    the period have theirs (a run's manifest is what says it is whole). None for a run written
    as one file."""
    if run.name == run.files[0].name:
        return ()
    if manifest is None and expected:
        return (RUN_MANIFEST,)
    blobs = manifest.get("blobs") if manifest else None
    listed = {
        PurePosixPath(blob["blobName"]).name
        for blob in (blobs if isinstance(blobs, list) else [])
        if isinstance(blob, dict) and isinstance(blob.get("blobName"), str)
    }
    for document in period_manifests:
        if document.get("assemblyId") == run.name and isinstance(keys := document.get("reportKeys"), list):
            listed.update(PurePosixPath(key).name for key in keys if isinstance(key, str))
    return tuple(sorted(listed - {path.name for path in run.files}))


def _run_manifest(folder: Path) -> dict[str, Any] | None:
    """A run folder's manifest: in it, or in its one sub-folder (Azure's `<yyyyMMddHHmm>/<run
    id>/manifest.json`); None for a run written as a file, or without one."""
    try:
        found = (
            [folder / RUN_MANIFEST]
            if (folder / RUN_MANIFEST).is_file()
            else sorted(folder.glob(f"*/{RUN_MANIFEST}"))
        )
    except OSError:
        return None
    return _json(found[0]) if len(found) == 1 else None


def _json(path: Path) -> dict[str, Any] | None:
    """A JSON manifest's object; None when there is none or it is not a JSON object."""
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None
    return document if isinstance(document, dict) else None


def _submitted(manifest: dict[str, Any] | None) -> datetime | None:
    """When an Azure run was submitted, from its manifest (UTC when unzoned)."""
    info = manifest.get("runInfo") if manifest else None
    text = info.get("submittedTime") if isinstance(info, dict) else None
    try:
        when = datetime.fromisoformat(text.strip()) if isinstance(text, str) else None
    except ValueError:
        return None
    if when is None:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _export_time(name: str) -> str | None:
    """An Azure run folder's `yyyyMMddHHmm` (which sorts as the time it names) when it is a
    time of this century; None otherwise."""
    matched = RUN_FOLDER.fullmatch(name)
    if not matched or not matched["time"]:
        return None
    try:
        when = datetime.strptime(matched["time"], "%Y%m%d%H%M")
    except ValueError:
        return None
    return matched["time"] if 2000 <= when.year < 2100 else None
