"""Benchmark: load the full demo into a temporary chDB and record it in docs/benchmarks.md.

Run with ``.venv/bin/python bench/demo_load.py``; prints generation, insert and total time and
the sample throughput, then replaces the "## Demo data load" section of the benchmarks page.
"""

from __future__ import annotations

import os
import platform
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchdoc import DOC, replace_section
from engines import InProcessClickHouse

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from services.demo.plant import DemoLoadReport, load_demo

HEADING = "## Demo data load"


def baseline(ch: ClickHouse, samples: int) -> float:
    """Seconds for the engine alone to write as many sample rows (no Python, no generation)."""
    for statement in schema_statements("bench_baseline"):
        ch.command(statement)
    began = time.perf_counter()
    ch.command(
        "INSERT INTO bench_baseline.curve_samples SELECT intDiv(number, 1500), now64(3) - "
        "toIntervalSecond(intDiv(number, 1500) * 600), 'press-fit', number % 1500, "
        "(number % 1500) / 100, sin(number) FROM numbers({n:UInt64})",
        parameters={"n": samples}, settings={"max_partitions_per_insert_block": 1000})
    return time.perf_counter() - began


def run() -> tuple[DemoLoadReport, DemoLoadReport, int, float]:
    """Load the full demo twice (the second call must skip) and the engine-only baseline."""
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-") as tmp:
        root = Path(tmp)
        ch = InProcessClickHouse(root)
        try:
            first = load_demo(ch, "bench_demo", size="full")
            second = load_demo(ch, "bench_demo", size="full")
            on_disk = int(ch.scalar("SELECT sum(bytes_on_disk) FROM system.parts"
                                    " WHERE database = 'bench_demo' AND active"))
            engine_only = baseline(ch, first.samples)
        finally:
            ch.close()
    return first, second, on_disk, engine_only


def section(first: DemoLoadReport, second: DemoLoadReport, on_disk: int,
            engine_only: float) -> str:
    """The markdown section describing this run."""
    rate = first.samples / first.seconds
    rows = ", ".join(f"{table} {count:,}" for table, count in first.rows.items())
    return (
        f"{HEADING}\n\n"
        f"`bench/demo_load.py` loads the full demo (`load_demo(size=\"full\")`) into a fresh "
        f"embedded chDB on local disk. Measured {datetime.now(UTC):%Y-%m-%d} on "
        f"{os.cpu_count()} CPUs ({platform.machine()}, Python {platform.python_version()}).\n\n"
        "| Measure | Value |\n|---|---|\n"
        f"| Curve samples | {first.samples:,} |\n"
        f"| Generation (numpy, pyarrow) | {first.generate_seconds:.1f} s |\n"
        f"| Inserts into chDB | {first.insert_seconds:.1f} s |\n"
        f"| Total, schema and truncation included | {first.seconds:.1f} s |\n"
        f"| Throughput | {rate / 1e6:.2f} M samples/s |\n"
        f"| Second call (complete demo found, skipped) | {second.seconds:.2f} s |\n"
        f"| Size on disk | {on_disk / 2**20:.0f} MiB |\n"
        f"| Baseline: the engine alone writing as many sample rows (`INSERT … SELECT FROM "
        f"numbers`) | {engine_only:.1f} s |\n"
        f"| Ratio, demo load / baseline | {first.seconds / engine_only:.1f}× |\n\n"
        "One run (the load takes about 10 s); the first page is served right after it.\n\n"
        f"Rows: {rows}.\n"
    )


def main() -> None:
    """Run the benchmark, print the numbers and record them."""
    first, second, on_disk, engine_only = run()
    assert not first.skipped and second.skipped
    print(f"samples      {first.samples:,}")
    print(f"generation   {first.generate_seconds:.2f} s")
    print(f"insert       {first.insert_seconds:.2f} s")
    print(f"total        {first.seconds:.2f} s")
    print(f"points/s     {first.samples / first.seconds:,.0f}")
    print(f"skip (2nd)   {second.seconds:.2f} s")
    print(f"on disk      {on_disk / 2**20:.0f} MiB")
    print(f"baseline     {engine_only:.2f} s (engine alone), "
          f"ratio {first.seconds / engine_only:.1f}x")
    replace_section(HEADING, section(first, second, on_disk, engine_only))
    print(f"updated      {DOC}")


if __name__ == "__main__":
    main()
