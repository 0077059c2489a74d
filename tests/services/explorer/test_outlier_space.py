"""The outlier ranking's population view on exact cases: structural gaps filled (and only
those), the projection onto the usual curves' components with the distance from their
span, the k-th nearest usual curve with the curve itself left out, and where a curve
differs from its nearest usual curves."""

from __future__ import annotations

import numpy as np

from services.explorer import outlier_space as space
from services.explorer.curve_queries import Profiles


def test_bins_empty_in_most_usual_curves_are_interpolated_and_no_others() -> None:
    nan = np.nan
    mean = np.array([[nan, 0.0, nan, nan, 3.0, 4.0, nan],
                     [nan, 1.0, nan, nan, 4.0, 5.0, nan],
                     [nan, 2.0, nan, nan, 5.0, nan, nan]], dtype=np.float32)
    holes = space.gaps(mean, np.ones(3, dtype=bool))
    assert holes.bins.tolist() == [2, 3]  # inside the valued bins 1…5 only
    filled = holes.fill(mean)
    assert np.allclose(filled[:, 2:4], [[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]])
    assert np.isnan(filled[2, 5])  # valued in most curves: missing in this one stays so
    assert np.isnan(filled[:, [0, 6]]).all()  # outside every curve's range
    assert filled.dtype == np.float32
    prof = Profiles(curve_ids=np.arange(3), x=np.arange(7.0), mean=mean, low=mean, high=mean)
    assert np.allclose(space.filled(prof, holes).low, filled, equal_nan=True)


def test_a_dense_grid_has_no_gaps_and_is_not_copied() -> None:
    mean = np.ones((4, 6), dtype=np.float32)
    holes = space.gaps(mean, np.ones(4, dtype=bool))
    assert not len(holes.bins)
    prof = Profiles(curve_ids=np.arange(4), x=np.arange(6.0), mean=mean, low=mean, high=mean)
    assert space.filled(prof, holes) is prof


def test_a_shape_outside_the_usual_span_is_far_from_every_usual_curve() -> None:
    x = np.linspace(0, 1, 64)
    rng = np.random.default_rng(2)
    usual = [a * np.sin(np.pi * x) for a in rng.normal(1, 0.1, 30)]
    odd = np.sin(np.pi * x) + 0.3 * np.sin(6 * np.pi * x)  # a shape none of them has
    mean = np.array([*usual, odd], dtype=np.float32)
    reference = np.r_[np.ones(30, dtype=bool), False]
    where = space.project(mean, np.median(mean[:30], axis=0), reference)
    assert where.points.shape == (31, 2)  # one component holds their variance, + distance
    assert where.points[30, -1] > 10 * np.abs(where.points[:30, -1]).max()
    near = space.neighbour_distance(where)
    assert near[30] > 1.5 * near[:30].max()
    first, last, dev, k = space.differences(where, mean, np.array([30]))
    assert k == space.K and np.isfinite(dev[0])
    assert first[0] <= last[0]


def test_the_kth_neighbour_leaves_the_curve_itself_out() -> None:
    points = np.array([[0.0], [1.0], [3.0], [7.0]], dtype=np.float32)
    where = space.Space(points=points, refs=np.array([0, 1, 2]), bins=np.arange(1))
    found = space.neighbour_distance(where)
    # K (5) is more than the 2 other references: the farthest of them
    assert found.tolist() == [3.0, 2.0, 3.0, 6.0]


def test_too_few_usual_curves_give_no_neighbour_distance() -> None:
    where = space.Space(points=np.zeros((3, 2), dtype=np.float32), refs=np.array([1]),
                        bins=np.arange(2))
    assert np.isnan(space.neighbour_distance(where)).all()
    first, last, dev, k = space.differences(where, np.zeros((3, 4)), np.array([0, 2]))
    assert k == 0 and np.isnan(dev).all() and first.tolist() == [0, 0]
