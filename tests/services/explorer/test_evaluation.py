"""Where a new evaluation object goes: over the golden band in the middle of the view, in
the plant's own units, whatever the axes' scale."""

from __future__ import annotations

import numpy as np
import pytest

from services.explorer.evaluation import placement
from services.explorer.golden import Golden


def _golden(x: np.ndarray, center: np.ndarray, half: float) -> Golden:
    return Golden(x=x, center=center, lower=center - half, upper=center + half, n_curves=5,
                  method="median-percentile", band=5.0)


def test_a_new_object_sits_over_the_golden_band_in_the_middle_of_the_view() -> None:
    """A leak test: pressure about 2,000 mbar over 60 s; the window spans the band there."""
    x = np.linspace(0.0, 60.0, 256)
    gold = _golden(x, 2000.0 - 0.5 * x, 20.0)
    place = placement(gold, (0.0, 60.0), (-40.0, 2100.0))
    assert place["x"] == [22.5, 37.5]
    lo, hi = place["y"]
    band = gold.center[(x >= 22.5) & (x <= 37.5)]
    assert lo < band.min() - 20 and hi > band.max() + 20  # the usual curve passes through
    assert hi - lo < 100  # and a leak's curve, hundreds of mbar lower, does not


def test_without_a_golden_curve_the_middle_of_the_view_is_used() -> None:
    assert placement(None, (0.0, 400.0), (0.0, 10_000.0)) == {
        "x": [150.0, 250.0], "y": [3750.0, 6250.0]}
    empty = _golden(np.linspace(0, 1, 4), np.full(4, np.nan), 1.0)
    assert placement(empty, (0.0, 8.0), (0.0, 8.0)) == {"x": [3.0, 5.0], "y": [3.0, 5.0]}


def test_a_flat_band_still_gets_a_window_of_some_height() -> None:
    x = np.linspace(90.0, 450.0, 50)
    place = placement(_golden(x, np.full(50, 850.0), 0.0), (90.0, 450.0), (0.0, 900.0))
    assert place["y"][0] < 850.0 < place["y"][1]
    assert place["y"][1] - place["y"][0] == pytest.approx(2 * 9.0 / 10)
