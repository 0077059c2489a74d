"""Benchmark: streaming every filtered curve's samples (``services.explorer.export_stream``)
on the FULL demo, in each format, and how much memory it holds while it does.

Loads the full demo into a temporary embedded chDB, then for CSV, Parquet and Arrow streams
every press-fit curve (the largest process) the way the API does (the exports pool writes,
this thread reads the pieces) and measures wall time, bytes, samples per second, time to
the first piece, and the peak of Arrow's allocator and of the process's RSS above the level
before the export. The baseline is the same rows as one query into memory and one write
(what an export that is not streamed would hold). Replaces the "## Curve export" section of
docs/benchmarks.md.

Usage: python bench/export_stream.py
"""

from __future__ import annotations

import io
import platform
import re
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pyarrow as pa  # noqa: E402
from benchdoc import replace_section  # noqa: E402

HEADING = "## Curve export"


def _state() -> Any:
    """What is exported: every press-fit curve of Line 1."""
    from services.explorer.state import ExplorerState

    return ExplorerState(process="press-fit", lines=("Line 1",))


def rss_mb() -> float:
    """This process's resident memory (MiB)."""
    found = re.search(r"VmRSS:\s+(\d+) kB", Path("/proc/self/status").read_text())
    return int(found.group(1)) / 1024 if found else 0.0


class Peak:
    """Samples RSS and Arrow's allocation every 10 ms while it runs."""

    def __init__(self) -> None:
        self.rss = self.arrow = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.rss = max(self.rss, rss_mb())
            self.arrow = max(self.arrow, pa.total_allocated_bytes() / 2**20)
            time.sleep(0.01)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: Any) -> None:
        self._stop.set()
        self._thread.join()


def setup(root: Path) -> tuple[Any, int]:
    """A runtime over a fresh chDB with the full demo, and the demo cluster's id."""
    from data.analytics.clickhouse_local import InProcessClickHouse
    from data.metadata import memberships
    from data.metadata.db import Database
    from data.metadata.models import DatabaseCluster
    from lyceum.settings import load_settings
    from services.core.passwords import Passwords
    from services.core.runtime import Runtime
    from services.demo.plant import load_demo

    (root / "instance").mkdir()
    ch = InProcessClickHouse(root)
    db = Database(f"sqlite:///{root / 'meta.db'}")
    db.migrate()
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off"})
    runtime = Runtime(settings=settings, db=db, ch=ch, passwords=Passwords(
        time_cost=1, memory_kib=8192, parallelism=1))
    load_demo(ch, "bench_export", size="full")
    with db.session() as session:
        cluster = memberships.add_cluster(session, DatabaseCluster(
            name="bench", database_name="bench_export", cluster_type="manufacturing",
            region_code="local", status="running"))
        return runtime, cluster.id


def streamed(runtime: Any, cluster_id: int, fmt: str) -> dict[str, float]:
    """One streamed export: seconds, first piece, bytes, peaks."""
    from services.explorer import export_stream

    base_rss, base_arrow = rss_mb(), pa.total_allocated_bytes() / 2**20
    size = 0
    with Peak() as peak:
        began = time.perf_counter()
        started = export_stream.stream(runtime, cluster_id, _state(),
                                       fmt=fmt)
        first = time.perf_counter() - began
        for piece in started.pieces:
            size += len(piece)
        took = time.perf_counter() - began
    return {"s": took, "first": first, "mb": size / 2**20, "samples": started.n_samples,
            "curves": started.n_curves, "rss": peak.rss - base_rss,
            "arrow": peak.arrow - base_arrow}


def whole(runtime: Any, cluster_id: int, fmt: str) -> dict[str, float]:
    """The baseline: every row in one table, written at once."""
    from data.analytics import curve_export
    from services.explorer import curve_queries, export_stream

    session, query, _ = curve_queries.resolve(runtime, cluster_id,
                                              _state())
    ids = [c for c, _n in curve_export.curve_sizes(session, query, limit=10**7)]
    base_rss, base_arrow = rss_mb(), pa.total_allocated_bytes() / 2**20
    with Peak() as peak:
        began = time.perf_counter()
        table = curve_export.export_chunk(session, query, curve_ids=ids)
        sink = io.BytesIO()
        export_stream.write(fmt, iter([table]), sink)
        took = time.perf_counter() - began
        size = len(sink.getvalue())
        del table, sink
    return {"s": took, "mb": size / 2**20, "rss": peak.rss - base_rss,
            "arrow": peak.arrow - base_arrow}


def main() -> None:
    """Run every format, print, and write the section."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        runtime, cluster_id = setup(Path(tmp))
        print("demo loaded", flush=True)  # noqa: T201
        for fmt in ("csv", "parquet", "arrow"):
            s = streamed(runtime, cluster_id, fmt)
            w = whole(runtime, cluster_id, fmt)
            rows.append((fmt, s, w))
            print(fmt, {k: round(v, 2) for k, v in s.items()},  # noqa: T201
                  {k: round(v, 2) for k, v in w.items()}, flush=True)
        runtime.pools.shutdown(wait=True)
    fmt0, first, _ = rows[0]
    lines = [HEADING, "",
             f"`bench/export_stream.py` streams every press-fit curve of Line 1 in the full "
             f"demo "
             f"({int(first['curves']):,} curves, {int(first['samples']):,} samples) through "
             f"`services.explorer.export_stream` as the API does (the exports pool writes "
             f"chunks of {_chunk():,} samples, the caller reads the pieces). Baseline: the "
             f"same rows as one query into memory, written at once. Measured "
             f"{datetime.now(UTC):%Y-%m-%d} on {_cpus()} CPUs ({platform.machine()}, Python "
             f"{platform.python_version()}); one run each, on a machine shared with other "
             f"work.", "",
             "| Format | Streamed | Samples/s | First piece | File | Peak RSS added | Peak "
             "Arrow memory | Baseline (all at once) | Baseline peak RSS added |",
             "|---|---|---|---|---|---|---|---|---|"]
    for fmt, s, w in rows:
        lines.append(f"| {fmt} | {s['s']:.1f} s | {s['samples'] / s['s'] / 1e6:.2f} M | "
                     f"{s['first']:.2f} s | {s['mb']:.0f} MiB | {s['rss']:.0f} MiB | "
                     f"{s['arrow']:.0f} MiB | {w['s']:.1f} s | {w['rss']:.0f} MiB |")
    lines += ["", "The streamed export holds a few chunks whatever the size of the set; the "
              "baseline's memory grows with the set.", ""]
    replace_section(HEADING, "\n".join(lines))


def _chunk() -> int:
    from services.explorer.export_stream import CHUNK_SAMPLES

    return CHUNK_SAMPLES


def _cpus() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
