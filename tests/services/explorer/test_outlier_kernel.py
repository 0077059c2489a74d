"""The outlier kernels on exact cases: the shift, gain and offset of a known curve, local
deviations and gaps, a seeded isolation forest, the k-th nearest neighbour and the
projection onto a few components."""

from __future__ import annotations

import numpy as np

from services.explorer import outlier_kernel as kernel

BINS = 200
X = (np.arange(BINS) + 0.5) / BINS


def _knee(shift: float = 0.0) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(X - 0.35 - shift) / 0.03))


def _measures(rows: list[np.ndarray], centre: np.ndarray, *, spread: float = 0.0
              ) -> np.ndarray:
    mean = np.array(rows, dtype=np.float32)
    return kernel.shape_measures(mean, mean - spread, mean + spread, centre,
                                 np.full(BINS, 0.01), 20, BINS // 2)


def test_shift_gain_and_offset_of_a_known_curve_are_recovered() -> None:
    centre = _knee()
    late = _knee(shift=0.035) + 0.2  # 7 bins late, offset 0.2
    higher = 1.1 * centre  # 10 % gain
    m = _measures([centre, late, higher], centre)
    assert abs(m[0, kernel.SHIFT]) < 0.05 and m[0, kernel.RESIDUAL] < 1e-6
    assert abs(m[1, kernel.SHIFT] - 7.0) < 0.3 and abs(m[1, kernel.OFFSET] - 0.2) < 0.01
    assert abs(m[1, kernel.GAIN] - 1.0) < 0.01
    assert abs(m[2, kernel.GAIN] - 1.1) < 0.02  # recovered
    assert abs(m[2, kernel.SHIFT]) < 1.5  # the cost is offset-free, not gain-free: a bin off


def test_a_knee_and_an_end_moving_apart_are_aligned_each() -> None:
    def shape(knee: float, end: float) -> np.ndarray:
        return (1.0 / (1.0 + np.exp(-(X - knee) / 0.02))) / (1.0 + np.exp((X - end) / 0.02))

    centre = shape(0.3, 0.8)
    moved = shape(0.3 + 5 / BINS, 0.8 - 4 / BINS)  # knee 5 bins late, end 4 bins early
    m = _measures([moved], centre)[0]
    assert abs(m[kernel.SHIFT] - 5.0) < 0.3 and abs(m[kernel.SHIFT_END] + 4.0) < 0.3
    assert m[kernel.RESIDUAL] < 0.01


def test_a_local_bump_is_found_where_it_is() -> None:
    centre = _knee()
    bumped = centre + 0.2 * np.exp(-(((X - 0.25) / 0.01) ** 2))
    m = _measures([bumped], centre)[0]
    assert abs(m[kernel.LOCAL_BIN] - 0.25 * BINS) <= 1.5
    assert m[kernel.LOCAL_DEV] > 0.15 and m[kernel.LOCAL] > 15
    assert m[kernel.LOCAL_WIDTH] < 0.05


def test_the_longest_gap_and_missing_share_are_reported() -> None:
    centre = _knee()
    holed = centre.copy()
    holed[40:60] = np.nan
    holed[100:103] = np.nan
    m = _measures([holed], centre)[0]
    assert (m[kernel.GAP_FIRST], m[kernel.GAP_LAST]) == (40, 59)
    assert abs(m[kernel.MISSING] - 23 / BINS) < 1e-9


def test_spread_inside_bins_reads_as_noise() -> None:
    centre = _knee()
    quiet, noisy = _measures([centre], centre), _measures([centre], centre, spread=0.05)
    assert quiet[0, kernel.SPREAD] < 0.01 < noisy[0, kernel.SPREAD]


def test_a_curve_without_samples_has_no_measures() -> None:
    m = _measures([np.full(BINS, np.nan)], _knee())[0]
    assert np.isnan(m[kernel.SHIFT]) and np.isnan(m[kernel.RESIDUAL])
    assert m[kernel.MISSING] == 1.0


def test_a_seeded_forest_is_the_same_and_isolates_the_odd_point_first() -> None:
    rng = np.random.default_rng(0)
    points = np.vstack([rng.normal(0, 1, (300, 3)), [[8.0, 8.0, 8.0]]])
    first = kernel.grow_forest(points, n_trees=32, sample=128, seed=5)
    second = kernel.grow_forest(points, n_trees=32, sample=128, seed=5)
    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))
    depth = kernel.path_lengths(points, *first)
    assert int(np.argmin(depth)) == 300
    assert kernel.average_path(1) == 0.0 and kernel.average_path(2) == 1.0


def test_nearest_gives_the_kth_distance_without_the_point_itself() -> None:
    points = np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 1.0], [6.0, 8.0]])
    refs = points[:3]
    own = np.array([0, 1, 2, -1], dtype=np.int64)
    assert kernel.nearest(points, refs, own, 1).tolist() == [1.0, np.sqrt(18.0), 1.0, 5.0]
    assert kernel.nearest(points, refs, own, 2).tolist() == [5.0, 5.0, np.sqrt(18.0),
                                                              np.sqrt(85.0)]


def test_projection_averages_bin_groups_and_measures_the_rest() -> None:
    mean = np.array([[1.0, 3.0, 5.0, np.nan], [2.0, 2.0, np.nan, 9.0]], dtype=np.float32)
    group = np.array([0, 0, 1, -1], dtype=np.int64)  # the last bin left out
    base = np.array([1.0, 1.0])
    assert kernel.grouped(mean, group, base).tolist() == [[1.0, 4.0], [1.0, 0.0]]
    out = kernel.project(mean, group, base, np.array([[1.0], [0.0]]))
    assert np.allclose(out, [[1.0, 4.0], [1.0, 0.0]])
