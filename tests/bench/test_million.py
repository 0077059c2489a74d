"""The million-curve bench's own rules (``bench/million.py``): when the ClickHouse fallback is
timed, and how a row says what was not timed and which run it came from."""

from __future__ import annotations

from typing import Any

from million import FALLBACK_MAX, FALLBACK_RUNS, fallback_runs, row


def test_the_fallback_is_timed_up_to_its_size_and_once_above_when_asked() -> None:
    assert fallback_runs(FALLBACK_MAX) == FALLBACK_RUNS
    assert fallback_runs(FALLBACK_MAX + 1) == 0
    assert fallback_runs(1_000_000, asked=True) == 1


def _result(**changes: Any) -> dict[str, Any]:
    base = {"n": 1_000_000, "stored_whole": 0.5, "days_whole": 2.0, "stored_zoom": 0.25,
            "days_zoom": 1.0, "stored_zoom_coarse": True, "stored_filtered": 0.3,
            "fallback_whole": None, "fallback_zoom": None, "rows_months": 10,
            "rows_days": 20, "partials_bytes": 2**20, "months_bytes": 2**20,
            "samples_bytes": 20 * 2**20, "run": "2026-12-04 14:00 UTC", "load": [3.0, 4.0],
            "bench": "bench/million.py"}
    return base | changes


def test_a_row_says_the_fallback_was_not_timed_and_names_its_run() -> None:
    line = row(_result())
    assert f"not timed (> {FALLBACK_MAX:,} curves)" in line
    assert "| 500 ms / 2,000 ms | 250 ms / 1,000 ms (coarser: refined) |" in line
    assert "1.0 MB + 1.0 MB / 20.0 MB (10.0%)" in line
    assert line.endswith("| 2026-12-04 14:00 UTC, load 3.0–4.0 |")


def test_a_row_from_another_bench_names_it() -> None:
    line = row(_result(fallback_whole=12.0, fallback_zoom=3.0,
                       bench="bench/million_browser.py --server"))
    assert "12,000 ms / 3,000 ms" in line
    assert line.endswith("load 3.0–4.0, bench/million_browser.py --server |")
