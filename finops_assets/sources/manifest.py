"""A landed month's manifest, and the reuse of a landing whose delivery did not change.

The manifest records what was read (each file's path, size and sha256), the counts and totals,
and `normalisation`: the fingerprint of everything else that shapes the landing (the source's
settings, the partitions' range, LANDING_FORMAT). A month materialized again with the same
files and the same fingerprint keeps its landing as it is: nothing is read or normalised, the
summary is the manifest's, and the downstream steps run as before. Anything else lands again:
one byte of a file, a rule, a map file's line, the format, a folder that is incomplete or one of
whose landed files (lines, rejects, facts, products) is not the one the manifest names.
FINOPS_RELAND=1 (`finops materialize --reland`) or the run config's `reland` lands the month
again whatever it finds.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import polars as pl

from finops_assets.landing import SOURCE_FILES, LandingSlice
from finops_assets.sources.file_index import content_hash
from finops_assets.sources.monthly import Delivery, IngestSummary, Partitions, exact_texts
from finops_core.months import format_month

LANDING_FORMAT = 3
"""The version of the landing's format and of the normalisation code (every kind's, provider
conversions included): bump it with any change to what a landing holds for the same files and
settings, so that unchanged deliveries land again instead of keeping the old landing.
2: the manifest names the sha256 of every landed file (`landed_sha256`), not of the facts alone.
3: CSV files are kept in source_files/ like Parquet ones, the lines pointing into them."""

LANDED_FILES = ("lines.parquet", "rejects.parquet", "facts.parquet", "products.parquet")


def normalisation_fingerprint(settings: object, reader: str, partitions: Partitions) -> str:
    """sha256 of what shapes a landing besides its files: the source's settings (rules, map
    files' contents, cost column, filters: anything msgspec encodes), its reader and the
    partitions' range (records outside it are rejected), with LANDING_FORMAT."""
    first, last = (format_month(m) if m else None for m in partitions)
    state = {"format": LANDING_FORMAT, "reader": reader, "partitions": [first, last], "settings": settings}
    return hashlib.sha256(msgspec.json.encode(state, order="deterministic")).hexdigest()


def month_manifest(
    slice_: LandingSlice,
    staging: Path,
    facts: pl.DataFrame,
    summary: IngestSummary,
    cost_column: str,
    layout: str,
    fingerprint: str | None,
) -> dict[str, object]:
    """The manifest of a landing written in `staging` (its facts written already)."""
    # every landed file, so that a landing kept for an unchanged delivery is the one written
    landed = {name: content_hash(staging / name) for name in LANDED_FILES}
    manifest: dict[str, object] = {
        "source": slice_.source,
        "month": format_month(slice_.month),
        "cost_column": cost_column,
        "rows_read": summary.rows_read,
        "rows_rejected": summary.rows_rejected,
        "rows_filtered": summary.rows_filtered,
        "rows_loaded": int(facts["line_count"].sum()) if facts.height else 0,
        "facts_sha256": landed["facts.parquet"],
        "landed_sha256": landed,
        "files": summary.files,
        "lines_layout": layout,
        "source_cost": exact_texts(summary.source_cost),
        "rejected_cost": exact_texts(summary.rejected_cost),
        "filtered_cost": exact_texts(summary.filtered_cost),
    }
    if summary.source_quantity is not None:
        manifest["source_quantity"] = exact_texts(summary.source_quantity)
        manifest["rejected_quantity"] = exact_texts(summary.rejected_quantity or {})
        manifest["filtered_quantity"] = exact_texts(summary.filtered_quantity or {})
    if fingerprint is not None:
        manifest["normalisation"] = fingerprint
    return manifest


def _decimals(texts: dict[str, str] | None) -> dict[str, Decimal] | None:
    return None if texts is None else {key: Decimal(value) for key, value in texts.items()}


def manifest_summary(manifest: dict[str, Any]) -> IngestSummary:
    """The summary the landing of this manifest returned when it was written."""
    return IngestSummary(
        rows_read=int(manifest["rows_read"]),
        rows_rejected=int(manifest["rows_rejected"]),
        files=manifest["files"],
        source_cost=_decimals(manifest["source_cost"]) or {},
        rejected_cost=_decimals(manifest["rejected_cost"]) or {},
        source_quantity=_decimals(manifest.get("source_quantity")),
        rejected_quantity=_decimals(manifest.get("rejected_quantity")),
        rows_filtered=int(manifest["rows_filtered"]),
        filtered_cost=_decimals(manifest["filtered_cost"]) or {},
        filtered_quantity=_decimals(manifest.get("filtered_quantity")),
        reused=True,
    )


@dataclass(frozen=True)
class KeptLanding:
    """A landing kept for a delivery that did not change."""

    summary: IngestSummary
    reasons: Counter[str]
    """Its rejects counted by reason, for the delivery gate."""


def kept_landing(slice_: LandingSlice, files: list[dict[str, object]], fingerprint: str) -> KeptLanding | str:
    """The month's landing when it holds exactly these files (path, size, sha256) normalised
    with this fingerprint, whole (every file there, each the sha256 the manifest names, the
    copies of the provider's files their size); else why it lands again."""
    if slice_.archived_marker.exists():
        return "the month is archived"
    if not slice_.manifest.exists():
        return "nothing landed yet"
    try:
        manifest: dict[str, Any] = json.loads(slice_.manifest.read_text())
    except ValueError:
        return "its manifest is not JSON"
    if manifest.get("normalisation") != fingerprint:
        return "the source's settings, the partitions or the landing's format changed"
    if manifest.get("files") != files:
        return "the files of the month changed"
    missing = [name for name in LANDED_FILES if not (slice_.folder / name).is_file()]
    if manifest.get("lines_layout") == SOURCE_FILES:
        copies = sorted((slice_.folder / SOURCE_FILES).glob("*"))
        if [c.stat().st_size for c in copies] != [f["size"] for f in files]:
            missing.append(f"{SOURCE_FILES}/ (copies of the files)")
    if missing:
        return f"the landing is incomplete: {', '.join(missing)}"
    landed = manifest.get("landed_sha256") or {}
    altered = [name for name in LANDED_FILES if content_hash(slice_.folder / name) != landed.get(name)]
    if altered:
        return f"not the files its manifest names: {', '.join(altered)}"
    rejects = pl.read_parquet_schema(slice_.rejects)
    reasons: Counter[str] = Counter()
    if "reason" in rejects:
        counted = pl.read_parquet(slice_.rejects, columns=["reason"])["reason"].value_counts()
        reasons.update(dict(counted.iter_rows()))
    return KeptLanding(manifest_summary(manifest), reasons)


def unchanged_landing(
    slice_: LandingSlice,
    files: list[dict[str, object]],
    fingerprint: str,
    delivery: Delivery,
    log: Callable[[str], None],
    what: str,
) -> IngestSummary | None:
    """The summary of the month's landing kept as it is (its delivery passed the gate again),
    or None when the month lands again (the log says why)."""
    kept = "a fresh landing asked (reland)" if delivery.reland else kept_landing(slice_, files, fingerprint)
    if not isinstance(kept, KeptLanding):
        log(f"landing {what}: {kept}")
        return None
    log(
        f"reused the landing of {what} in {slice_.folder}: the same files (path and sha256) "
        f"normalised alike (fingerprint {fingerprint[:12]}); nothing read"
    )
    if delivery.gate is not None:
        delivery.gate(kept.summary, kept.reasons)
    return kept.summary
