"""Demo FOCUS files on disk: one Parquet or CSV file per month of a spec."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from finops_assets.demo.generator.month import generate_month
from finops_assets.demo.generator.spec import DemoSpec


def write_dataset(spec: DemoSpec, out_dir: Path, fmt: Literal["parquet", "csv"] = "parquet") -> list[Path]:
    """Write one file per month of `spec.months` to `out_dir` (created if needed):
    focus_YYYY-MM.parquet or focus_YYYY-MM.csv. Returns the paths, in month order."""
    if fmt not in ("parquet", "csv"):
        raise ValueError(f"fmt must be 'parquet' or 'csv', not {fmt!r}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for month in spec.months:
        frame = generate_month(spec, month)
        path = out_dir / f"focus_{month.year:04d}-{month.month:02d}.{fmt}"
        if fmt == "parquet":
            frame.write_parquet(path)
        else:
            frame.write_csv(path)
        paths.append(path)
    return paths
