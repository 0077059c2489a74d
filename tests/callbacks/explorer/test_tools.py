"""The explorer's editable object table: every row becomes a checked evaluation object, and a
bad row is refused with the message the user sees."""

from __future__ import annotations

from typing import Any

import pytest

from callbacks.explorer.tools import drawn_ranges, objects_from_rows, placed
from lyceum.errors import ValidationError
from services.explorer.state import EvalObject


def test_rows_become_typed_objects_with_cleared_cells_defaulted() -> None:
    rows = [{"kind": "window", "name": "W", "x0": 1, "x1": 2, "y0": 0, "y1": 5,
             "entry": "bottom", "exit": None, "direction": None, "margin": None,
             "unrelated": "ignored"}]
    assert objects_from_rows(rows) == [EvalObject(kind="window", name="W", x0=1.0, x1=2.0,
                                                  y0=0.0, y1=5.0, entry="bottom")]


@pytest.mark.parametrize("rows, message", [
    ("not a list", "At most 20 evaluation objects."),
    ([{"kind": "window", "name": "W", "x0": 0, "x1": 1}] * 21, "At most 20 evaluation objects."),
    (["row"], "An evaluation object is malformed."),
    ([{"kind": "window", "name": "W", "x0": 1}], "Fill in kind, name, x0 and x1 of every object."),
    ([{"kind": "window", "name": "W", "x0": 1, "x1": None}],
     "Fill in kind, name, x0 and x1 of every object."),
    ([{"kind": "window", "name": "W", "x0": "one", "x1": 2}],
     "object x0: expected a finite number."),
    ([{"kind": "window", "name": "W", "x0": 3, "x1": 2}], "Object W: x0 must be below x1."),
])
def test_bad_rows_are_refused_with_a_clear_message(rows: Any, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        objects_from_rows(rows)
    assert caught.value.user_message == message


def test_a_new_object_goes_in_the_zoomed_view_else_where_the_drawing_suggested() -> None:
    place = {"x": [22.5, 37.5], "y": [1890.0, 2010.0]}
    drawn = {"groups": ["OK"], "token": "t", "place": place}
    assert placed({"x": [0.0, 8.0], "y": [0.0, 80.0]}, drawn) == {
        "x": [3.0, 5.0], "y": [30.0, 50.0]}
    assert placed(None, drawn) == place
    assert placed({"x": None}, drawn) == place
    for nothing in (None, {}, {"place": None}, {"place": {"x": [1, 2]}}, "forged"):
        assert placed(None, nothing) is None


def test_once_ranked_a_new_object_goes_over_the_band_the_ranking_built() -> None:
    """The ranking's place counts only for the drawing it was made for (its token)."""
    drawn = {"groups": ["OK"], "token": "t", "place": {"x": [20.0, 40.0], "y": [0.0, 9.0]}}
    ranked = {"token": "t", "x": [22.5, 37.5], "y": [1890.0, 2010.0]}
    assert placed(None, drawn, ranked) == {"x": [22.5, 37.5], "y": [1890.0, 2010.0]}
    assert placed(None, drawn, {**ranked, "token": "older"}) == drawn["place"]
    assert placed(None, drawn, {"token": "t", "x": None}) == drawn["place"]
    assert placed({"x": [0.0, 8.0], "y": [0.0, 80.0]}, drawn, ranked) == {
        "x": [3.0, 5.0], "y": [30.0, 50.0]}  # a zoomed view still wins


def test_the_drawn_ranges_are_read_only_when_well_formed() -> None:
    assert drawn_ranges({"ranges": [[0, 60.5], [-1.0, 2000]]}) == ([0.0, 60.5], [-1.0, 2000.0])
    for bad in (None, {}, {"ranges": [[0, 1]]}, {"ranges": [[0, "1"], [0, 1]]},
                {"ranges": [[True, 1], [0, 1]]}, {"ranges": "x"}):
        assert drawn_ranges(bad) is None
