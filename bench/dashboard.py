"""Benchmark: server time of one full dashboard refresh on the full 90-day demo.

Sets up a temporary instance exactly as ``make run`` does with ``LYCEUM_DEMO=full`` (migrate,
first admin, demo load into a fresh chDB), then times ``services.quality.dashboard.full_refresh`` —
every panel of one dashboard — through the shared cache (what viewers get) and uncached
(every panel computed from ClickHouse: the baseline), and the uncached time of each panel.
Prints the numbers and replaces the "## Live dashboard" section of docs/benchmarks.md,
keeping the load-test table that ``bench/load_dashboard.py`` writes into the same section.
"""

from __future__ import annotations

import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdoc import DOC, read_section, replace_section  # noqa: E402

from lyceum.settings import load_settings  # noqa: E402
from services.core.runtime import Runtime  # noqa: E402
from services.quality import dashboard  # noqa: E402
from services.quality.kpis import View  # noqa: E402
from services.startup.first_start import prepare  # noqa: E402

HEADING = "## Live dashboard"
LOAD_MARK = "### Load test"
RUNS_UNCACHED, RUNS_CACHED = 15, 200


def median_ms(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(runtime: Runtime, cluster_id: int) -> dict[str, float]:
    """Medians (ms) for the 24 h and 7 d views, cached and uncached, and per panel."""
    out: dict[str, float] = {}
    for window in ("24h", "7d"):
        view = View(cluster_id, window)
        dashboard.full_refresh(runtime, view)  # warm the cache (and the engine's caches)
        out[f"uncached {window}"] = median_ms(
            partial(dashboard.full_refresh, runtime, view, uncached=True), RUNS_UNCACHED)
        out[f"cached {window}"] = median_ms(
            partial(dashboard.full_refresh, runtime, view), RUNS_CACHED)
    view = View(cluster_id, "24h")
    panels: dict[str, Callable[[], object]] = {
        "KPIs + defect modes": lambda: dashboard.production(runtime, view, uncached=True),
        "line status": lambda: dashboard.status(runtime, view, uncached=True),
        "heatmap": lambda: dashboard.heatmap(runtime, view, uncached=True),
        "X̄-R + p-chart": lambda: dashboard.control_charts(
            runtime, view, dashboard.SpcRequest("peak_force"), uncached=True),
    }
    for name, fn in panels.items():
        out[f"panel {name}"] = median_ms(fn, RUNS_UNCACHED)
    return out


def section(results: dict[str, float], rows: int, load_table: str) -> str:
    """The markdown of the section."""
    lines = [
        HEADING, "",
        f"`bench/dashboard.py`, {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
        f"Python {platform.python_version()}: a temporary instance set up as `make run` does "
        f"with `LYCEUM_DEMO=full` ({rows:,} parts over 90 days), one cluster. A full refresh "
        "is every panel of one dashboard (KPIs with trend and delta, defect modes, line "
        "status, heatmap, X̄-R chart and p-chart). Cached: through the shared cache, as "
        f"viewers get it (median of {RUNS_CACHED}); uncached: every panel computed from "
        f"ClickHouse (median of {RUNS_UNCACHED}). Target: < 300 ms.", "",
        "| Full refresh | Cached | Uncached (baseline) | Ratio uncached / cached |",
        "|---|---|---|---|"]
    for window in ("24h", "7d"):
        cached, uncached = results[f"cached {window}"], results[f"uncached {window}"]
        lines.append(f"| window {window} | {cached:.2f} ms | {uncached:.0f} ms | "
                     f"{uncached / cached:.0f}× |")
    lines += ["", "| Panel, uncached, window 24h | Median |", "|---|---|"]
    lines += [f"| {k.removeprefix('panel ')} | {v:.0f} ms |" for k, v in results.items()
              if k.startswith("panel ")]
    return "\n".join(lines) + "\n" + (("\n" + load_table) if load_table else "")


def existing_load_table() -> str:
    """The load-test part of the current section (written by bench/load_dashboard.py)."""
    found = read_section(HEADING)
    return found[found.index(LOAD_MARK):].rstrip() + "\n" if LOAD_MARK in found else ""

def main() -> int:
    """Set up, measure, print, write."""
    with tempfile.TemporaryDirectory(prefix="lyceum-dash-bench-") as tmp:
        settings = load_settings({"LYCEUM_INSTANCE": str(Path(tmp) / "instance"),
                                  "LYCEUM_DEMO": "full"})
        runtime = Runtime.open(settings)
        started = time.perf_counter()
        prepare(runtime)
        print(f"full demo set up in {time.perf_counter() - started:.1f} s")
        rows = int(runtime.ch.scalar("SELECT count() FROM demo_plant.parts"))
        results = measure(runtime, 1)
        runtime.close()
    for name, value in results.items():
        print(f"{name:32s} {value:9.2f} ms")
    replace_section(HEADING, section(results, rows, existing_load_table()))
    print(f"written to {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
