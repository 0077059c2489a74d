"""Per-curve features on exact curves: peak, final value, area, knee and end, and curves
with gaps or no samples."""

from __future__ import annotations

import numpy as np

from services.explorer import outlier_features as features

BINS = 200
X = (np.arange(BINS) + 0.5) / BINS


def _curve(knee: float = 0.3, end: float = 0.8, gain: float = 1.0) -> np.ndarray:
    return gain / (1.0 + np.exp(-(X - knee) / 0.02)) / (1.0 + np.exp((X - end) / 0.02))


def test_peak_final_area_knee_and_end_of_a_known_curve() -> None:
    f = features.curve_features(X, np.array([_curve()]))[0]
    assert abs(f[features.PEAK_Y] - 1.0) < 0.01 and 0.3 < f[features.PEAK_X] < 0.8
    assert abs(f[features.FINAL_Y]) < 0.01
    assert abs(f[features.AREA] - 0.5) < 0.01  # 1.0 from 0.3 to 0.8
    assert abs(f[features.KNEE_X] - 0.3) <= 1.5 / BINS
    assert abs(f[features.FALL_X] - 0.8) <= 1.5 / BINS
    assert f[features.RISE] > 10 and f[features.FALL] < -10


def test_a_late_knee_and_a_higher_curve_move_their_own_features() -> None:
    f = features.curve_features(X, np.array([_curve(), _curve(knee=0.35), _curve(gain=1.1)]))
    assert abs(f[1, features.KNEE_X] - f[0, features.KNEE_X] - 0.05) <= 1.5 / BINS
    assert abs(f[1, features.FALL_X] - f[0, features.FALL_X]) <= 1 / BINS
    assert abs(f[2, features.PEAK_Y] / f[0, features.PEAK_Y] - 1.1) < 1e-6
    assert abs(f[2, features.KNEE_X] - f[0, features.KNEE_X]) < 1e-9


def test_gaps_are_skipped_and_empty_curves_have_no_features() -> None:
    holed = _curve()
    holed[150:] = np.nan  # ends at x 0.75: before the fall
    empty = np.full(BINS, np.nan)
    f = features.curve_features(X, np.array([holed, empty]))
    assert abs(f[0, features.FINAL_Y] - holed[149]) < 1e-12
    assert abs(f[0, features.KNEE_X] - 0.3) <= 1.5 / BINS
    assert np.isnan(f[1]).all()


def test_a_single_bin_grid_gives_no_features() -> None:
    f = features.curve_features(np.array([0.5]), np.array([[1.0], [2.0]]))
    assert f.shape == (2, len(features.NAMES)) and np.isnan(f).all()
