"""Benchmark: server time of the SPC panel on the full 90-day demo.

Sets up a temporary instance as ``make run`` does with ``LYCEUM_DEMO=full``, then times
``services.quality.dashboard.control_charts`` uncached (the variables chart with its
baseline, violations and capability, and the attribute chart, computed from ClickHouse) for
each chart kind and window, and the figures built from the result. Prints the numbers and
replaces the "## SPC panel" section of docs/benchmarks.md.
"""

from __future__ import annotations

import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdoc import DOC, replace_section  # noqa: E402

from components import spc_figures  # noqa: E402
from lyceum.settings import load_settings  # noqa: E402
from services.core.runtime import Runtime  # noqa: E402
from services.quality import dashboard  # noqa: E402
from services.quality.kpis import View  # noqa: E402
from services.quality.spc_baseline import parse_baseline  # noqa: E402
from services.startup.first_start import prepare  # noqa: E402

HEADING = "## SPC panel"
RUNS = 9
CASES = (("xbar_r", "p", "24h"), ("xbar_r", "p", "7d"), ("xbar_s", "u", "7d"),
         ("imr", "c", "24h"), ("imr", "np", "7d"))


def median_ms(fn: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(runtime: Runtime, cluster_id: int) -> list[tuple[str, int, float, float]]:
    """(case, subgroups drawn, uncached panel ms, figures ms) per case."""
    out = []
    for kind, attribute, window in CASES:
        view = View(cluster_id, window)
        request = dashboard.SpcRequest("peak_force", kind, attribute, parse_baseline("7d"))

        def panel(view: View = view, request: dashboard.SpcRequest = request) -> object:
            return dashboard.control_charts(runtime, view, request, uncached=True).value

        chart, attributes = dashboard.control_charts(runtime, view, request,
                                                     uncached=True).value
        def figures(chart: Any = chart, attributes: Any = attributes) -> object:
            return json.dumps([spc_figures.make_control_figure(chart),
                               spc_figures.make_control_figure(attributes),
                               spc_figures.make_capability_figure(chart)])

        compute, draw = median_ms(panel), median_ms(figures)
        out.append((f"{kind} + {attribute}, window {window}", len(chart.times), compute, draw))
    return out


def section(results: list[tuple[str, int, float, float]]) -> str:
    """The markdown of the section."""
    lines = [HEADING, "",
             f"`bench/spc_panel.py`, {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
             f"Python {platform.python_version()}: the full demo, peak force, limits from the "
             "7 days before the window, Nelson rules; uncached (from ClickHouse, both charts, "
             "violations and capability) and the three figures built and serialised, "
             f"median of {RUNS}.", "",
             "| Charts | Points | Panel, uncached | Figures |", "|---|---|---|---|"]
    lines += [f"| {name} | {points} | {compute:.0f} ms | {draw:.0f} ms |"
              for name, points, compute, draw in results]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Set up, measure, print, write."""
    with tempfile.TemporaryDirectory(prefix="lyceum-spc-bench-") as tmp:
        settings = load_settings({"LYCEUM_INSTANCE": str(Path(tmp) / "instance"),
                                  "LYCEUM_DEMO": "full"})
        runtime = Runtime.open(settings)
        prepare(runtime)
        results = measure(runtime, 1)
        runtime.close()
    for name, points, compute, draw in results:
        print(f"{name:32s} {points:5d} points {compute:8.1f} ms {draw:8.1f} ms")
    replace_section(HEADING, section(results))
    print(f"written to {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
