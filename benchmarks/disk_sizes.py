"""The ingest benchmark's disk figures: the mart's tables and the landing, against the raw files.

The target is the mart and the landing together at most the size of the provider's files
(benchmarks/RESULTS.md), so both are measured as they lie on disk: every month partition of a
table summed, and each landing file counted once, apart from the provider's files themselves.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

MART_SIZES = """
SELECT parent.relname,
       sum(pg_relation_size(c.oid))::bigint AS heap,
       sum(pg_indexes_size(c.oid))::bigint AS indexes,
       sum(pg_total_relation_size(c.oid))::bigint AS total
  FROM pg_class AS parent
  JOIN pg_namespace AS n ON n.oid = parent.relnamespace AND n.nspname = 'finops'
  JOIN LATERAL (SELECT parent.oid UNION ALL
                SELECT inhrelid FROM pg_inherits WHERE inhparent = parent.oid) AS c (oid) ON true
 WHERE parent.relkind IN ('r', 'p') AND NOT parent.relispartition
 GROUP BY parent.relname
HAVING sum(pg_total_relation_size(c.oid)) > 1024 * 1024
 ORDER BY total DESC
"""


def mart_sizes(url: str) -> str:
    """The mart's tables of more than 1 MB, partitions summed: heap, indexes, total."""
    text, _ = mart_size_table(url)
    return text


def mart_size_table(url: str) -> tuple[str, int]:
    """mart_sizes' text and its total in bytes."""
    with psycopg.connect(url) as conn:
        conn.execute("CHECKPOINT")
        rows = conn.execute(MART_SIZES).fetchall()
    total = sum(int(row[3]) for row in rows)
    lines = [f"  {name:<30} heap {heap / 1e6:7.1f} MB  indexes {idx / 1e6:7.1f} MB  total {tot / 1e6:7.1f} MB"
             for name, heap, idx, tot in rows]  # fmt: skip
    lines.append(f"  {'mart (tables over 1 MB)':<30} {'':>44}total {total / 1e6:7.1f} MB")
    return "\n".join(lines), total


def landing_sizes(folder: Path, raw_files: list[Path]) -> tuple[int, int]:
    """(bytes of the landing's own files, bytes of its copies of the provider's files) under
    folder: a file hard-linked to a raw file is not counted, nor one inode twice."""
    raw = {(p.stat().st_dev, p.stat().st_ino) for p in raw_files}
    seen: set[tuple[int, int]] = set()
    own = copies = 0
    for path in folder.rglob("*"):
        info = path.lstat()
        key = (info.st_dev, info.st_ino)
        if not path.is_file() or key in raw or key in seen:
            continue
        seen.add(key)
        if "source_files" in path.parts:
            copies += info.st_size
        else:
            own += info.st_size
    return own, copies


def disk_against_raw(url: str, landing: Path, raw_files: list[Path]) -> str:
    """The mart and the landing against the raw files, with the provider's files copied (the
    default) and hard-linked (FINOPS_LANDING_SOURCE_FILES=link: those copies weigh nothing)."""
    text, mart = mart_size_table(url)
    own, copies = landing_sizes(landing, raw_files)
    raw = sum(p.stat().st_size for p in raw_files)
    return (
        f"{text}\n  landing {(own + copies) / 1e6:,.1f} MB ({copies / 1e6:,.1f} MB of it the provider's "
        f"files copied, {own / 1e6:,.1f} MB its own); raw files {raw / 1e6:,.1f} MB\n"
        f"  mart + landing: {(mart + own + copies) / raw:.2f}x raw with copies, "
        f"{(mart + own) / raw:.2f}x with hard links"
    )
