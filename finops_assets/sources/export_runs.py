"""Export runs: the versions of one billing period that AWS and Azure write side by side.

Each run of these exports holds the whole period to date, and they are written beside each
other instead of over each other:
- AWS Cost and Usage Reports set to "create new report versions": every update of a month in
  `<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/`, the current one named by the `assemblyId` of
  `<report>-Manifest.json` in the period's folder;
- AWS Data Exports set to "create new": every refresh in its own folder under
  `data/BILLING_PERIOD=yyyy-mm/`;
- Azure Cost Management exports: every run of a month in `<yyyymmdd-yyyymmdd>/<run id>/`, with a
  `manifest.json` whose `runInfo.submittedTime` says when it ran; older exports write each run
  as a file `<export>_<run id>.csv` in the period's folder.

A folder synced from such a bucket holds a month once per run: read whole, a month-to-date
export run daily counts the month's first day thirty times. So, under a folder named as a
period (`yyyymmdd-yyyymmdd` or `BILLING_PERIOD=yyyy-mm`), the entries named with a run id (a
GUID, as assembly and run ids are) are runs, and only the latest of them is read: the one the
period's AWS manifest names, else the one each run's own manifest says was submitted last, else
the one whose files are the newest (the times `aws s3 sync` and `azcopy
--preserve-last-modified-time` keep). Files of the period without a run id (the chunks of a
report overwritten in place) are read as they are, and so is anything outside a period folder.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

PERIOD_FOLDER = re.compile(r"\d{8}-\d{8}|BILLING_PERIOD=\d{4}-\d{2}")
RUN_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
RUN_MANIFEST = "manifest.json"
"""An Azure run's manifest, in its run folder."""


def is_manifest(path: Path) -> bool:
    """An export's manifest (AWS `<report>-Manifest.json`, Azure `manifest.json`): a description
    of the delivery, never billing data, even for the kinds that read JSON."""
    return path.name.lower().endswith(RUN_MANIFEST)


class UndecidableRunsError(ValueError):
    """Two runs of a period that nothing tells apart: which one is current is not guessed."""


@dataclass(frozen=True)
class Run:
    period: Path
    name: str
    """The run's folder, or its file for a run written as one file in the period's folder."""
    files: tuple[Path, ...]


@dataclass(frozen=True)
class Superseded:
    """A period's runs left out for the one read (None: no run is complete), and why."""

    period: Path
    kept: Run | None
    why: str
    left_out: tuple[Run, ...]
    incomplete: tuple[tuple[Run, tuple[str, ...]], ...] = ()
    """Runs whose manifest lists files their folder lacks (a copy under way), with those files."""


def _run_of(path: Path) -> tuple[Path, str] | None:
    """The period folder and run name of a file inside a run, else None."""
    for folder in path.parents:
        if PERIOD_FOLDER.fullmatch(folder.name):
            name = path.relative_to(folder).parts[0]
            return (folder, name) if RUN_ID.search(name) else None
    return None


def latest_runs(files: list[Path]) -> tuple[list[Path], list[Superseded]]:
    """The files to read, in their order (of each period, its latest complete run alone), and
    what was left out per period; an UndecidableRunsError when a period's latest cannot be told."""
    runs: dict[Path, dict[str, list[Path]]] = defaultdict(lambda: defaultdict(list))
    for path in files:
        if (found := _run_of(path)) is not None:
            runs[found[0]][found[1]].append(path)
    left_out: set[Path] = set()
    superseded: list[Superseded] = []
    for period, by_name in sorted(runs.items()):
        candidates = [Run(period, name, tuple(paths)) for name, paths in sorted(by_name.items())]
        incomplete = tuple((run, missing) for run in candidates if (missing := _missing(run)))
        complete = [run for run in candidates if run not in {run for run, _ in incomplete}]
        if len(candidates) < 2 and not incomplete:
            continue
        if not complete:
            kept, why = None, "no run is complete"
        elif len(complete) == 1:
            kept, why = complete[0], "the only complete run" if incomplete else "the only run"
        else:
            kept, why = _latest(period, complete)
        others = tuple(run for run in complete if run != kept)
        superseded.append(Superseded(period, kept, why, others, incomplete))
        left_out.update(path for run in candidates if run != kept for path in run.files)
    return [path for path in files if path not in left_out], superseded


def _period_manifests(period: Path) -> list[Path]:
    return sorted(p for p in period.iterdir() if is_manifest(p))


def _latest(period: Path, runs: list[Run]) -> tuple[Run, str]:
    by_name = {run.name: run for run in runs}
    for manifest in _period_manifests(period):
        assembly = _field(manifest, "assemblyId")
        if isinstance(assembly, str) and assembly in by_name:
            return by_name[assembly], f"named by {manifest.name}"
    submitted = {run.name: when for run in runs if (when := _submitted(run)) is not None}
    if len(submitted) == len(runs):
        kept = max(runs, key=lambda run: submitted[run.name])
        return kept, f"submitted last ({submitted[kept.name]:%Y-%m-%d %H:%M:%S} UTC, its {RUN_MANIFEST})"
    newest = sorted(runs, key=_newest, reverse=True)
    if _newest(newest[0]) == _newest(newest[1]):
        raise UndecidableRunsError(
            f"{period}: export runs {newest[0].name} and {newest[1].name} each hold the period, and "
            "neither a manifest nor their files' times tell which is the latest: remove the older "
            "run, or copy the files again keeping their times (aws s3 sync, azcopy "
            "--preserve-last-modified-time)"
        )
    return newest[0], "its files are the newest"


def _missing(run: Run) -> tuple[str, ...]:
    """The files a run folder's manifest lists that the folder lacks: an Azure run's `blobs`, or
    the `reportKeys` of the AWS manifest naming it as its assembly. None for a run written as
    one file, or without a manifest listing its files."""
    folder = run.period / run.name
    if not folder.is_dir():
        return ()
    listed: set[str] = set()
    blobs = _field(folder / RUN_MANIFEST, "blobs")
    for blob in blobs if isinstance(blobs, list) else []:
        if isinstance(blob, dict) and isinstance(name := blob.get("blobName"), str):
            listed.add(PurePosixPath(name).name)
    for manifest in _period_manifests(run.period):
        keys = _field(manifest, "reportKeys")
        if _field(manifest, "assemblyId") == run.name and isinstance(keys, list):
            listed.update(PurePosixPath(key).name for key in keys if isinstance(key, str))
    present = {path.name for path in folder.iterdir()}
    return tuple(sorted(listed - present))


def _newest(run: Run) -> int:
    return max(path.stat().st_mtime_ns for path in run.files)


def _field(manifest: Path, name: str) -> object:
    """A top-level field of a JSON manifest; None when the file is not a JSON object."""
    try:
        document = json.loads(manifest.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError):
        return None
    return document.get(name) if isinstance(document, dict) else None


def _submitted(run: Run) -> datetime | None:
    """When an Azure run was submitted, from the manifest in its folder (UTC when unzoned)."""
    info = _field(run.period / run.name / RUN_MANIFEST, "runInfo")
    text = info.get("submittedTime") if isinstance(info, dict) else None
    if not isinstance(text, str):
        return None
    # .NET writes seven digits of a second; fromisoformat reads at most six
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.strip())
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def described(superseded: list[Superseded], root: Path, shown: int) -> str:
    """One line for the log: which run of the first `shown` periods was read, and why; the runs
    left out, the incomplete ones with the files they lack."""
    parts = []
    for entry in superseded[:shown]:
        read = f"read {entry.kept.name} ({entry.why})" if entry.kept else f"read none ({entry.why})"
        details = [read]
        if entry.left_out:
            details.append("left out " + ", ".join(run.name for run in entry.left_out))
        details += [
            f"{run.name} incomplete, its manifest lists {', '.join(missing[:shown])}"
            + (f" and {len(missing) - shown} more" if len(missing) > shown else "")
            + " not here (a copy under way?)"
            for run, missing in entry.incomplete
        ]
        parts.append(f"{_relative(entry.period, root)}: {'; '.join(details)}")
    more = f"; and {len(superseded) - shown} more period(s)" if len(superseded) > shown else ""
    return (
        "export runs written side by side, each holding its whole billing period, of which the "
        f"latest complete one is read: {' | '.join(parts)}{more}"
    )


def _relative(path: Path, root: Path) -> str:
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
