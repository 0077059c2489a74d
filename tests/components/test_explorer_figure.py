"""The explorer figure's highlighted lines: many curves in one trace, gaps between them, the
curve id on every point, sent as plain JSON numbers (not typed arrays), and zoom patches
that touch only the lines and the image."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
from plotly.io.json import to_json_plotly

from components.explorer_figure import (
    GOLDEN_COLOR,
    OBJECT_COLOR,
    OUTLIER_COLOR,
    PALETTE,
    SELECTED_COLOR,
    line_trace,
    lines_patch,
)

CURVES = {
    7: (np.array([0.0, 0.5, 1.0], dtype=np.float32), np.array([1.0, 2.0, np.nan])),
    12: (np.array([0.25, 2.0 / 3.0]), np.array([30.123456789, -4.0])),
}


def _sent(value: object) -> Any:
    """What the browser receives (Dash encodes callback output with plotly's encoder)."""
    return json.loads(to_json_plotly(value))


def test_curves_join_into_one_trace_with_gaps_and_ids() -> None:
    trace = _sent(line_trace(CURVES, name="Top outliers", color="#000000", width=1))
    assert trace["x"] == [0.0, 0.5, 1.0, None, 0.25, 0.666667, None]  # 7 digits of the largest x
    assert trace["y"] == [1.0, 2.0, None, None, 30.12346, -4.0, None]
    assert trace["customdata"] == [7, 7, 7, 7, 12, 12, 12]
    assert trace["type"] == "scatter" and trace["mode"] == "lines"


def test_lines_are_plain_arrays_so_plotly_can_skip_them_on_a_re_render() -> None:
    """plotly.js decodes a typed array anew on every react and then redraws every trace;
    dcc.Graph re-renders after each zoom, so the lines must be plain JSON arrays."""
    text = to_json_plotly(line_trace(CURVES, name="", color="", width=1))
    assert "bdata" not in text and "dtype" not in text


def test_tiny_and_huge_magnitudes_survive_the_rounding() -> None:
    curves = {1: (np.array([1e-310, 2e-310]), np.array([3e300, -1e300]))}
    trace = _sent(line_trace(curves, name="", color="", width=1))
    assert trace["x"][:2] == [1e-310, 2e-310] and trace["y"][:2] == [3e300, -1e300]


def test_no_curves_is_an_empty_trace() -> None:
    trace = _sent(line_trace({}, name="Selected", color="#111111", width=2.5))
    assert trace["x"] == [] and trace["y"] == [] and trace["customdata"] == []


def test_a_lines_patch_replaces_only_the_given_lines() -> None:
    sent = _sent(lines_patch(selected={7: CURVES[7]}))
    locations = [op["location"] for op in sent["operations"]]
    assert locations == [["data", 3, "x"], ["data", 3, "y"], ["data", 3, "customdata"]]
    assert sent["operations"][2]["params"]["value"] == [7, 7, 7, 7]


def _rgb(colour: str) -> tuple[int, ...]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def test_the_first_eight_group_colours_keep_clear_of_what_is_drawn_over_them() -> None:
    """Colour by line drew Line 2 red and Line 3 green beside the orange outliers and the
    green golden curve."""
    over = [GOLDEN_COLOR, OUTLIER_COLOR, OBJECT_COLOR, SELECTED_COLOR]
    for colour in PALETTE[:8]:
        assert min(math.dist(_rgb(colour), _rgb(o)) for o in over) > 60, colour
    assert len(set(PALETTE)) == len(PALETTE)
