"""Benchmark: dashboard page latency with 4 web processes against 1, under the load test.

Runs ``bench/load_dashboard.py``'s load (simulated viewers replaying the dashboard's refresh
callbacks every 30 s against the real app) twice in one run: ``LYCEUM_WORKERS=1`` and
``LYCEUM_WORKERS=4``, each a fresh instance with the full demo and its own engine service.
Writes the "## Web workers" section of docs/benchmarks.md.

Usage: python bench/workers.py [viewers=60] [seconds=120]
"""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdoc import replace_section  # noqa: E402
from load_dashboard import run  # noqa: E402

HEADING = "## Web workers"


def section(results: dict[int, dict[str, Any]]) -> str:
    """The markdown section for this run."""
    one, four = results[1], results[4]
    rows = "\n".join(
        f"| {name} | {fmt(one[key])} | {fmt(four[key])} |"
        for name, key, fmt in (
            ("Refreshes", "refreshes", lambda v: f"{v:,}"),
            ("Errors", "errors", str),
            ("Refresh p50", "p50", lambda v: f"{v * 1000:.0f} ms"),
            ("Refresh p95", "p95", lambda v: f"{v * 1000:.0f} ms"),
            ("ClickHouse queries per 30 s (shared cache)", "queries_per_30s",
             lambda v: f"{v:.1f}")))
    return (
        f"{HEADING}\n\n"
        f"`bench/workers.py`: the dashboard load test (`bench/load_dashboard.py`, "
        f"{one['viewers']} viewers for {one['seconds']:.0f} s, each replaying the "
        f"{one['callbacks']} refresh callbacks every 30 s) against `python -m lyceum run` "
        "with `LYCEUM_WORKERS=1` and `LYCEUM_WORKERS=4` (gthread workers of 16 threads, one "
        "engine service), full demo, one run each, "
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs shared with other work "
        f"({platform.machine()}, Python {platform.python_version()}).\n\n"
        "| Measure | 1 worker | 4 workers |\n|---|---|---|\n"
        f"{rows}\n"
    )


def main() -> int:
    """Run both, print, write."""
    viewers = int(sys.argv[1]) if len(sys.argv) > 1 else 60
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 120.0
    results = {workers: run(viewers, seconds, workers=workers) for workers in (1, 4)}
    text = section(results)
    print(text)
    replace_section(HEADING, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
