"""Scoring against a golden curve, judging with evaluation objects and what-if, on small
hand-made profiles whose verdicts can be read off the numbers."""

from __future__ import annotations

import numpy as np
import pytest

from lyceum.errors import ValidationError
from services.explorer.curve_queries import Profiles
from services.explorer.evaluation import judge, placement, regrid, score, what_if
from services.explorer.golden import Golden
from services.explorer.state import EvalObject

X = np.arange(0.0, 10.0)  # bins at x = 0 … 9


def _profiles(*rows: list[float], ids: list[int] | None = None) -> Profiles:
    mean = np.array(rows, dtype=np.float64)
    return Profiles(curve_ids=np.array(ids or list(range(1, len(rows) + 1)), dtype=np.int64),
                    x=X, mean=mean, low=mean - 0.5, high=mean + 0.5)


def _golden(center: float = 5.0, half: float = 1.0) -> Golden:
    c = np.full(len(X), center)
    return Golden(x=X, center=c, lower=c - half, upper=c + half, n_curves=3,
                  method="median-percentile", band=5.0)


FLAT = [5.0] * 10
RISING = [float(v) for v in X]  # y = x
HIGH_TAIL = [5.0] * 7 + [9.0] * 3


def test_score_ranks_the_curve_outside_the_band_first() -> None:
    scores = score(_profiles(FLAT, HIGH_TAIL, ids=[10, 20]), _golden())
    assert scores.curve_ids.tolist() == [20, 10]
    # 3 bins with high = 9.5 above upper = 6 by 3.5, dx = 1
    assert scores.area_outside.tolist() == pytest.approx([10.5, 0.0])
    assert scores.max_abs_dev.tolist() == pytest.approx([4.0, 0.0])


def test_score_ignores_bins_without_data() -> None:
    gap = [np.nan] * 3 + [5.0] * 7
    scores = score(_profiles(gap), _golden())
    assert scores.max_abs_dev.tolist() == [0.0] and scores.area_outside.tolist() == [0.0]


def test_regrid_interpolates_and_leaves_nan_outside_the_golden_range() -> None:
    coarse = Golden(x=np.array([2.0, 4.0]), center=np.array([2.0, 4.0]),
                    lower=np.array([1.0, 3.0]), upper=np.array([3.0, 5.0]), n_curves=3,
                    method="mean-sigma", band=1.0, name="g")
    on = regrid(coarse, _profiles(FLAT))
    assert on.center[2:5].tolist() == [2.0, 3.0, 4.0]
    assert np.isnan(on.center[:2]).all() and np.isnan(on.center[5:]).all()
    assert (on.name, on.method) == ("g", "mean-sigma")
    same = _golden()
    assert regrid(same, _profiles(FLAT)) is same  # already on the grid


def test_a_window_passes_only_curves_entering_and_leaving_through_the_named_sides() -> None:
    box = EvalObject(kind="window", name="box", x0=3, x1=6, y0=4, y1=6)
    # FLAT goes left → right; RISING (y = x) is below the box at x = 3 and above it at
    # x = 7 (outside in x: it leaves to the right, but entered from the bottom)
    verdicts = judge(_profiles(FLAT, RISING, [0.0] * 10), [box], golden=None)
    assert verdicts.tolist() == ["", "box", "box"]  # the third never enters
    # x = 3…8: RISING is inside at x = 4…6, below it at x = 3 and above it at x = 7
    rising_box = EvalObject(kind="window", name="rise", x0=3, x1=8, y0=3.5, y1=6.5,
                            entry="bottom", exit="top")
    assert judge(_profiles(RISING, FLAT), [rising_box], golden=None).tolist() == ["", "rise"]


def test_an_envelope_needs_a_golden_curve() -> None:
    env = EvalObject(kind="envelope", name="Band", x0=0, x1=9)
    with pytest.raises(ValidationError, match="The envelope “Band” needs a golden curve"):
        judge(_profiles(FLAT), [env], golden=None)


def test_an_envelope_fails_curves_leaving_the_band_widened_by_the_margin() -> None:
    env = EvalObject(kind="envelope", name="Band", x0=0, x1=9)
    assert judge(_profiles(FLAT, HIGH_TAIL), [env], golden=_golden()).tolist() == ["", "Band"]
    wide = EvalObject(kind="envelope", name="Band", x0=0, x1=9, margin=4.0)
    assert judge(_profiles(HIGH_TAIL), [wide], golden=_golden()).tolist() == [""]
    early = EvalObject(kind="envelope", name="Band", x0=0, x1=5)  # the tail is not checked
    assert judge(_profiles(HIGH_TAIL), [early], golden=_golden()).tolist() == [""]


def test_a_threshold_must_be_crossed_in_its_direction() -> None:
    up = EvalObject(kind="threshold", name="up", x0=2, x1=8, y0=5, y1=5, direction="up")
    down = EvalObject(kind="threshold", name="down", x0=2, x1=8, y0=5, y1=5, direction="down")
    falling = [9.0 - v for v in X]
    assert judge(_profiles(RISING, falling, FLAT), [up], golden=None).tolist() == \
        ["", "up", "up"]
    assert judge(_profiles(RISING, falling), [down], golden=None).tolist() == ["down", ""]
    narrow = EvalObject(kind="threshold", name="narrow", x0=4.2, x1=4.8, y0=5, y1=5)
    assert judge(_profiles(RISING), [narrow], golden=None).tolist() == ["narrow"]  # < 2 bins


def test_judge_names_the_first_failing_object() -> None:
    up = EvalObject(kind="threshold", name="first", x0=2, x1=8, y0=5, y1=5)
    box = EvalObject(kind="window", name="second", x0=3, x1=6, y0=4, y1=6)
    assert judge(_profiles([0.0] * 10), [up, box], golden=None).tolist() == ["first"]
    assert judge(_profiles([0.0] * 10), [], golden=None).tolist() == [""]


def test_what_if_lists_the_curves_that_flip_with_the_deciding_object() -> None:
    profiles = _profiles(FLAT, RISING, [0.0] * 10, ids=[7, 8, 9])
    up = EvalObject(kind="threshold", name="crosses 5", x0=2, x1=8, y0=5, y1=5)
    box = EvalObject(kind="window", name="box", x0=3, x1=6, y0=4, y1=6)
    result = what_if(profiles, [up], [box], golden=None)
    assert (result.n_curves, result.n_nok_before, result.n_nok_after) == (3, 2, 2)
    assert result.ok_to_nok == [(8, "box")]
    assert result.nok_to_ok == [(7, "crosses 5")]


def _band_golden(x: np.ndarray, center: np.ndarray, half: float) -> Golden:
    return Golden(x=x, center=center, lower=center - half, upper=center + half, n_curves=5,
                  method="median-percentile", band=5.0)


def test_a_new_object_sits_over_the_golden_band_in_the_middle_of_the_view() -> None:
    """A leak test: pressure about 2,000 mbar over 60 s; the window spans the band there."""
    x = np.linspace(0.0, 60.0, 256)
    gold = _band_golden(x, 2000.0 - 0.5 * x, 20.0)
    place = placement(gold, (0.0, 60.0), (-40.0, 2100.0))
    assert place["x"] == [22.5, 37.5]
    lo, hi = place["y"]
    band = gold.center[(x >= 22.5) & (x <= 37.5)]
    assert lo < band.min() - 20 and hi > band.max() + 20  # the usual curve passes through
    assert hi - lo < 100  # and a leak's curve, hundreds of mbar lower, does not


def test_without_a_golden_curve_the_middle_of_the_view_is_used() -> None:
    assert placement(None, (0.0, 400.0), (0.0, 10_000.0)) == {
        "x": [150.0, 250.0], "y": [3750.0, 6250.0]}
    empty = _band_golden(np.linspace(0, 1, 4), np.full(4, np.nan), 1.0)
    assert placement(empty, (0.0, 8.0), (0.0, 8.0)) == {"x": [3.0, 5.0], "y": [3.0, 5.0]}


def test_a_flat_band_still_gets_a_window_of_some_height() -> None:
    x = np.linspace(90.0, 450.0, 50)
    place = placement(_band_golden(x, np.full(50, 850.0), 0.0), (90.0, 450.0), (0.0, 900.0))
    assert place["y"][0] < 850.0 < place["y"][1]
    assert place["y"][1] - place["y"][0] == pytest.approx(2 * 9.0 / 10)


SPARSE_RISING = [v if v % 3 == 0 else np.nan for v in RISING]  # samples at x = 0, 3, 6, 9


def test_a_curve_with_fewer_samples_than_bins_is_judged_between_its_samples() -> None:
    """150 points on a 1,024-bin grid leave empty bins between samples: a threshold crossed
    between two samples is crossed, and a window is entered from the side the last sample
    before it lay on."""
    up = EvalObject(kind="threshold", name="up", x0=1, x1=8, y0=4.5, y1=4.5, direction="up")
    assert judge(_profiles(SPARSE_RISING), [up], golden=None).tolist() == [""]
    flat = [5.0 if v % 3 == 0 else np.nan for v in X]
    assert judge(_profiles(flat), [up], golden=None).tolist() == ["up"]
    box = EvalObject(kind="window", name="rise", x0=2, x1=9, y0=5, y1=7,
                     entry="bottom", exit="top")
    # samples: 3 (below the box, inside it in x), 6 (inside), 9 (above): bottom → top
    assert judge(_profiles(SPARSE_RISING), [box], golden=None).tolist() == [""]
