"""The Chromium bench's own arithmetic and wording (``bench/million_browser.py``): targets by
size, the zoom window, which path drew a view, the table's cells."""

from __future__ import annotations

import pytest
from million_browser import (
    GUARD_MEMORY_GB,
    WHOLE_TARGETS,
    ZOOM_TARGETS,
    cell,
    host_memory_gb,
    median,
    path_of,
    table_row,
    target,
    visit_note,
    zoom_window,
)


@pytest.mark.parametrize(("n", "whole", "zoom"), [
    (2_000, 500.0, 250.0), (10_000, 500.0, 250.0), (100_000, 500.0, 500.0),
    (1_000_000, 1000.0, 500.0), (3_000_000, None, None)])
def test_targets_are_those_of_the_smallest_named_size_at_or_above(
        n: int, whole: float | None, zoom: float | None) -> None:
    assert target(WHOLE_TARGETS, n) == whole
    assert target(ZOOM_TARGETS, n) == zoom


def test_the_zoom_is_the_middle_tenth() -> None:
    x0, x1 = zoom_window((-0.5, 9.5))
    assert (x0, x1) == pytest.approx((4.0, 5.0))


@pytest.mark.parametrize(("words", "path"), [
    ("100,000 filtered curves drawn as lines from stored partial images, x 0…12",
     "stored partials"),
    ("100,000 filtered curves drawn as lines from stored partial images (coarser than the "
     "screen: 410 × 480 stored cells for 800 × 470 pixels; refining…), x 5…6",
     "stored partials (coarser)"),
    ("100,000 filtered curves drawn as sampled points (3 curve-equivalents in this view; lines "
     "once they are in memory), x 5…6", "ClickHouse sample bins"),
    ("10,000 filtered curves drawn as lines, 9,000 of them in this view, x 5…6", "held in memory"),
    ("100,000 filtered curves drawn as lines from their samples in this range, 9,000 of them "
     "in this view, x 5…6", "ClickHouse samples in the range, as lines"),
    ("Loading…", "?")])
def test_path_of_names_what_drew_the_view(words: str, path: str) -> None:
    assert path_of(words) == path


def test_median_of_runs_that_did_not_all_finish_is_none() -> None:
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([3.0, None, 2.0]) is None
    assert median([]) is None


def test_cells_give_median_range_and_verdict() -> None:
    assert cell([300.0, 200.0, 400.0], 500.0) == "300 ms (200–400), < 500 ms met"
    assert cell([900.0, 700.0, 800.0], 500.0) == "800 ms (700–900), < 500 ms **missed** by 300 ms"
    assert cell([1234.0]) == "1,234 ms (1,234–1,234)"
    assert cell([100.0, None, None]) == "not within the limit in 2 of 3 runs"


def test_the_memory_ceiling_guards_only_the_big_sizes_unless_asked() -> None:
    assert host_memory_gb(100_000, None) is None
    assert host_memory_gb(1_000_000, None) == GUARD_MEMORY_GB
    assert host_memory_gb(1_000_000, "0") is None
    assert host_memory_gb(2_000, "3") == 3


def test_the_visit_note_names_the_ceiling_and_shortens_the_words() -> None:
    note = visit_note({"n": 1_000_000, "warm_s": 12.4, "host_memory_gb": 2,
                       "outliers_words": "No ranking " + "x" * 300})
    assert note.startswith("1,000,000: first visit 12 s, the panel said “No ranking x")
    assert "…”" in note and "ceiling of 2 GB" in note
    assert "ceiling" not in visit_note({"n": 10, "outliers_words": "All 10 ranked"})


def test_a_zoom_the_page_could_not_refine_says_why_in_its_row() -> None:
    coarse = ("1,000,000 filtered curves drawn as lines from stored partial images (coarser "
              "than the screen: 387 × 484 stored cells for 800 × 470 pixels; {}), x 5.37…6.62")
    row = table_row({
        "n": 1_000_000, "whole_words": coarse.format("refining…"), "whole": [900.0],
        "bare": [400.0], "whole_again": [600.0], "zoom_first": [480.0],
        "zoom_first_words": coarse.format("refining…"), "zoom_final": [None],
        "zoom_final_words": coarse.format("not refined: The query ran past 20 s."),
        "refine_limit_s": 240.0, "whole_callback": [500.0], "run": "now", "load": [1, 1]})
    assert "not refined (the page said why: “The query ran past 20 s.”)" in row
    assert "not within the limit" not in row
