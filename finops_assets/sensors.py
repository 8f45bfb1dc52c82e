"""A new or changed file in a source's folder runs the months it holds, without waiting for
the daily refresh."""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from dagster import (
    DefaultSensorStatus,
    MonthlyPartitionsDefinition,
    RunRequest,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

if TYPE_CHECKING:  # what define_asset_job returns; dagster does not export its name
    from dagster._core.definitions.unresolved_asset_job_definition import UnresolvedAssetJobDefinition

from finops_assets.sources.files import (
    SourceFilesError,
    UnplaceableFileError,
    UnreadableFileError,
    listing_root,
    source_files,
)
from finops_assets.sources.monthly import MonthlyReader
from finops_assets.sources.native.assets import reader_for, suffixes_of
from finops_assets.sources.tabular.reader import TabularFiles, suffixes
from finops_core.config import PlatformConfig, SourceConfig
from finops_core.errors import first_line

Stamps = dict[str, list[int]]
"""(size, mtime_ns) per file path: what the cursor remembers."""


def _reader(source: SourceConfig, path: Path) -> MonthlyReader:
    if source.kind == "tabular":
        assert source.mapping is not None
        return TabularFiles(source.mapping.month, source.format)
    return reader_for(source)([path])


def file_months(source: SourceConfig, path: Path) -> set[str]:
    """The YYYY-MM months a file holds, read as an ingest reads them (the month column alone
    when the format allows)."""
    reader = _reader(source, path)
    frame = reader.month_column(path)
    return reader.months(frame if frame is not None else reader.read(path), path)


def _files(config: PlatformConfig, source: SourceConfig) -> list[Path] | None:
    """The source's files; None when its path cannot be listed now (a share not mounted, a
    folder not there yet: its month runs will say so)."""
    wanted = suffixes(source.format) if source.kind == "tabular" else suffixes_of(source)
    try:
        return source_files(config.source_path(source), wanted, export_runs=source.kind != "tabular")
    except SourceFilesError:
        return None


def _remembered(seen: Stamps, root: Path) -> Stamps:
    """The cursor's files under a folder: kept while it cannot be listed, so that a share's
    blink does not make every file new again (every month of the source run) once it is back."""
    prefix = f"{root}{os.sep}"
    return {path: stamp for path, stamp in seen.items() if path.startswith(prefix) or path == str(root)}


def new_delivery_sensor(
    config: PlatformConfig, job: UnresolvedAssetJobDefinition, partitions: MonthlyPartitionsDefinition
) -> SensorDefinition:
    @sensor(
        job=job,
        minimum_interval_seconds=60,
        default_status=DefaultSensorStatus.RUNNING,
        description="Runs the month partitions of each new or changed file of a source's path; "
        "the first evaluation only records the files already there",
    )
    def new_delivery(context: SensorEvaluationContext) -> SensorResult | SkipReason:
        seen: Stamps = json.loads(context.cursor) if context.cursor else {}
        now: Stamps = {}
        changed: dict[str, list[str]] = defaultdict(list)
        valid = set(partitions.get_partition_keys())
        for source in config.sources:
            files = _files(config, source)
            if files is None:
                now.update(_remembered(seen, listing_root(config.source_path(source))))
                context.log.warning(
                    f"{source.name}: {config.source_path(source)} cannot be listed; its files are "
                    "remembered as they were, and read again once it can be"
                )
                continue
            for path in files:
                try:
                    stat = path.stat()
                    stamp = [stat.st_size, stat.st_mtime_ns]
                    if context.cursor is None or seen.get(str(path)) == stamp:
                        now[str(path)] = stamp
                        continue
                    months = sorted(file_months(source, path))
                except OSError as error:  # a share's hiccup: read at the next tick, as it was known
                    if str(path) in seen:
                        now[str(path)] = seen[str(path)]
                    context.log.warning(
                        f"{path}: not read ({first_line(error)}); read again at the next tick"
                    )
                    continue
                except (SourceFilesError, UnreadableFileError, UnplaceableFileError) as error:
                    # one damaged file stopped every tick, for every source and month
                    now[str(path)] = stamp
                    context.log.warning(f"{path}: not read ({first_line(error)}); read again once it changes")
                    continue
                now[str(path)] = stamp
                for month in months:
                    key = f"{month}-01"
                    if key in valid:
                        changed[key].append(f"{path}:{stamp}")
                    else:
                        context.log.warning(f"{path}: {month} is not a month partition; not run")
        cursor = json.dumps(now, sort_keys=True)
        if not changed:
            return SensorResult(skip_reason=SkipReason("no new or changed file"), cursor=cursor)
        requests = [
            RunRequest(
                run_key=f"{key}@{hashlib.sha256(' '.join(files).encode()).hexdigest()[:16]}",
                partition_key=key,
                tags={"finops/files": str(len(files))},
            )
            for key, files in sorted(changed.items())
        ]
        return SensorResult(run_requests=requests, cursor=cursor)

    return new_delivery
