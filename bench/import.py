"""Benchmark: import a 10 M-point curves file (Parquet and CSV) and record points/s.

Run with ``.venv/bin/python bench/import.py``. A temporary instance (chDB + SQLite) gets one
cluster; the same 10,000 curves × 1,000 points are written once as Parquet and once as CSV and
imported through the real job (``run_import``: read in batches, convert, check every row,
stage, check duplicates and existing curves, move in). The baseline is the engine alone
inserting the same rows from an Arrow table already in memory. Medians of 3 runs; peak RSS
growth is sampled during each import. Replaces "## Data import" in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdoc import replace_section  # noqa: E402
from engines import InProcessClickHouse  # noqa: E402

from data.analytics.ch_schema import schema_statements  # noqa: E402
from data.metadata.db import Database  # noqa: E402
from data.metadata.models import DatabaseCluster  # noqa: E402
from lyceum.settings import load_settings  # noqa: E402
from services.core.audit import Actor  # noqa: E402
from services.core.passwords import Passwords  # noqa: E402
from services.core.runtime import Runtime  # noqa: E402
from services.imports.import_job import create_job, run_import  # noqa: E402

HEADING = "## Data import"
CURVES, POINTS, RUNS = 10_000, 1_000, 3
DB = "bench_import"


def points_table() -> pa.Table:
    """10,000 press-fit curves of 1,000 points in the import format (typed columns)."""
    n = CURVES * POINTS
    curve = np.repeat(np.arange(CURVES), POINTS)
    idx = np.tile(np.arange(POINTS, dtype=np.uint16), CURVES)
    serials = pa.array([f"B-{i:06d}" for i in range(CURVES)]).take(pa.array(curve))
    start = int(datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
    rng = np.random.default_rng(7)
    return pa.table({
        "serial": serials,
        "process": pa.array(["press-fit"], pa.string()).take(pa.array(np.zeros(n, np.int32))),
        "ts": pa.array(start + curve.astype(np.int64) * 60_000, pa.timestamp("ms", tz="UTC")),
        "idx": pa.array(idx),
        "x": pa.array((idx / 80).astype(np.float32)),
        "y": pa.array((np.tanh(idx / 200) * 20 + rng.normal(0, 0.2, n)).astype(np.float32)),
    })


def open_runtime(root: Path) -> tuple[Runtime, int]:
    """A runtime over a temporary instance with one cluster."""
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off"})
    db = Database(f"sqlite:///{root / 'meta.db'}")
    db.migrate()
    ch = InProcessClickHouse(root / "ch")
    rt = Runtime(settings=settings, db=db, ch=ch, passwords=Passwords())
    for statement in schema_statements(DB):
        ch.command(statement)
    with db.session() as session:
        row = DatabaseCluster(name="Bench", database_name=DB, cluster_type="manufacturing",
                              region_code="local", status="running")
        session.add(row)
        session.flush()
        return rt, row.id


class PeakRss:
    """Samples this process's resident memory while a block runs."""

    def __init__(self) -> None:
        self.peak = self.start = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def timed_import(rt: Runtime, cluster_id: int, source: Path, fmt: str) -> tuple[float, int]:
    """Seconds for one import of ``source`` (a copy, the job deletes its file) and RSS growth."""
    rt.ch.command(f"TRUNCATE TABLE {DB}.curves")
    rt.ch.command(f"TRUNCATE TABLE {DB}.curve_samples")
    path = source.with_name(f"job.{fmt}")
    os.link(source, path)
    job = create_job(rt, cluster_id=cluster_id, actor=Actor(label="bench"),
                     file_name=source.name, kind="curves", fmt=fmt, path=path)
    with PeakRss() as rss:
        began = time.perf_counter()
        done = run_import(rt, job.id)
        seconds = time.perf_counter() - began
    assert done.status == "done", done.message
    assert rt.ch.scalar(f"SELECT count() FROM {DB}.curve_samples") == CURVES * POINTS
    return seconds, rss.peak - rss.start


def baseline(rt: Runtime, table: pa.Table) -> float:
    """Seconds for the engine to insert the same rows from an in-memory Arrow table."""
    rt.ch.command(f"DROP TABLE IF EXISTS {DB}.raw_points")
    rt.ch.command(f"CREATE TABLE {DB}.raw_points (serial String, process String, "
                  "ts DateTime64(3, 'UTC'), idx UInt16, x Float32, y Float32) "
                  "ENGINE = MergeTree ORDER BY tuple()")
    began = time.perf_counter()
    rt.ch.insert_arrow("raw_points", table, database=DB)
    return time.perf_counter() - began


def run() -> dict[str, list[float]]:
    """Every measurement, RUNS times each."""
    out: dict[str, list[float]] = {k: [] for k in ("parquet", "csv", "baseline", "rss_parquet",
                                                   "rss_csv", "size_parquet", "size_csv")}
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-import-") as tmp:
        root = Path(tmp)
        rt, cluster_id = open_runtime(root)
        table = points_table()
        parquet, csv = root / "points.parquet", root / "points.csv"
        pq.write_table(table, parquet, row_group_size=1_000_000)
        pacsv.write_csv(table.set_column(2, "ts", pa.compute.strftime(
            table.column("ts"), format="%Y-%m-%dT%H:%M:%S")), csv)
        out["size_parquet"].append(parquet.stat().st_size)
        out["size_csv"].append(csv.stat().st_size)
        try:
            for _ in range(RUNS):
                for fmt, path in (("parquet", parquet), ("csv", csv)):
                    seconds, rss = timed_import(rt, cluster_id, path, fmt)
                    out[fmt].append(seconds)
                    out[f"rss_{fmt}"].append(rss)
                    print(f"{fmt:8} {seconds:6.2f} s  {CURVES * POINTS / seconds:,.0f} points/s")
                out["baseline"].append(baseline(rt, table))
        finally:
            rt.close()
    return out


def section(m: dict[str, list[float]]) -> str:
    """The markdown section for this run."""
    n = CURVES * POINTS
    med = {k: statistics.median(v) for k, v in m.items()}
    rate = {k: n / med[k] for k in ("parquet", "csv", "baseline")}
    return (
        f"{HEADING}\n\n"
        f"`bench/import.py` imports {n:,} curve points ({CURVES:,} press-fit curves × {POINTS:,}"
        " points) through the real import job: batches read with pyarrow (one batch ahead in"
        " a thread), every row converted and checked, staged, checked for duplicate samples "
        "and curves already in the cluster, then `curves` filled by `INSERT … SELECT` and the "
        "samples moved into `curve_samples` by `ATTACH PARTITION … FROM`. Baseline: the engine"
        " alone inserting the same rows from an Arrow table already in memory. "
        f"Medians of {RUNS} runs, {datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs "
        f"({platform.machine()}, Python {platform.python_version()}), embedded chDB.\n\n"
        "| File | Size | Median time | Points/s | Target | Peak RSS growth |\n"
        "|---|---|---|---|---|---|\n"
        f"| Parquet | {med['size_parquet'] / 2**20:.0f} MiB | {med['parquet']:.1f} s | "
        f"{rate['parquet'] / 1e6:.2f} M | ≥ 1 M | {med['rss_parquet'] / 2**20:.0f} MiB |\n"
        f"| CSV | {med['size_csv'] / 2**20:.0f} MiB | {med['csv']:.1f} s | "
        f"{rate['csv'] / 1e6:.2f} M | ≥ 0.3 M | {med['rss_csv'] / 2**20:.0f} MiB |\n"
        f"| Baseline: Arrow → engine insert | – | {med['baseline']:.1f} s | "
        f"{rate['baseline'] / 1e6:.2f} M | – | – |\n\n"
        f"Ratio to the baseline (time): Parquet {med['parquet'] / med['baseline']:.1f}×, "
        f"CSV {med['csv'] / med['baseline']:.1f}×.\n"
    )


def main() -> None:
    """Run, print and record."""
    measured = run()
    text = section(measured)
    print(text)
    replace_section(HEADING, text)


if __name__ == "__main__":
    main()
