"""Per-curve features an analyst reads off a curve (peak y and x, final y, area, knee x, the
steepest rise and fall), on the explorer's common grid: the feature space of the outlier
ranking's isolation score. numpy only; NaN where a curve has no sample."""

from __future__ import annotations

import warnings

import numpy as np

#: Columns of :func:`curve_features`' result, and their names in a reason.
NAMES = ("peak y", "peak x", "final y", "area", "knee x", "steepest rise", "fall x",
         "steepest fall")
PEAK_Y, PEAK_X, FINAL_Y, AREA, KNEE_X, RISE, FALL_X, FALL = range(len(NAMES))
#: Slopes are taken over this many bins (a knee is a rise, not one noisy step).
SLOPE_BINS = 5


def curve_features(x: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """``mean[curve, bin]`` on the grid ``x`` → ``[curve, feature]`` (columns ``NAMES``)."""
    mean = np.asarray(mean)
    x = np.asarray(x, dtype=np.float64)
    n, bins = mean.shape
    out = np.full((n, len(NAMES)), np.nan)
    valued = np.isfinite(mean)
    has = valued.any(axis=1)
    if not has.any() or bins < 2:
        return out
    dx = float(x[1] - x[0])
    rows = np.arange(n)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        peak_bin = np.argmax(np.where(valued, mean, -np.inf), axis=1)
        last_bin = bins - 1 - np.argmax(valued[:, ::-1], axis=1)
        out[:, PEAK_Y] = mean[rows, peak_bin]
        out[:, PEAK_X] = x[peak_bin]
        out[:, FINAL_Y] = mean[rows, last_bin]
        out[:, AREA] = np.nansum(mean, axis=1, dtype=np.float64) * dx
        step = min(SLOPE_BINS, bins - 1)
        rise_of = mean[:, step:] - mean[:, :-step]  # NaN where either end has no sample
        finite = np.isfinite(rise_of)
        rise = np.argmax(np.where(finite, rise_of, -np.inf), axis=1)
        fall = np.argmin(np.where(finite, rise_of, np.inf), axis=1)
        some = finite.any(axis=1)
        out[:, KNEE_X] = np.where(some, x[rise] + step * dx / 2, np.nan)
        out[:, RISE] = np.where(some, rise_of[rows, rise] / (step * dx), np.nan)
        out[:, FALL_X] = np.where(some, x[fall] + step * dx / 2, np.nan)
        out[:, FALL] = np.where(some, rise_of[rows, fall] / (step * dx), np.nan)
    out[~has] = np.nan
    return out
