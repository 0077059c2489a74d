"""The outlier ranking's view of the whole population: structural gaps in the grid, and how
far each curve is from its nearest usual curves.

*Structural gaps*: curves with fewer samples than the grid has bins (24 samples on 256 bins)
leave bins empty in every curve alike. The ranking's shifts, slopes and local deviations need
neighbouring bins, so such bins are filled by linear interpolation between the nearest bins
most usual curves have a sample in; a bin most usual curves have a sample in stays empty
where one curve has none (a missing segment is still missing).

*Neighbour distance*: the usual curves need not be one shape with jitter around it (two
tools, two materials, two suppliers: a population with several modes), so the distance to
one golden centre mistakes a curve of the rarer mode for a defect and a defect between the
modes for a usual curve. Instead each curve is projected onto the principal components of
the usual curves (those that hold ``SHARE`` of their variance, at most ``MAX_DIMS``; its
distance from that subspace is one more coordinate, so a shape none of them has is far),
and scored by the distance to its ``K``-th nearest usual curve there (itself left out). The
projection is fitted on at most ``FIT_CURVES`` usual curves and the neighbours are searched
among at most ``NEIGHBOURS_FROM`` of them (drawn with a fixed seed), so the cost stays
linear in the curves. numpy and the compiled ``outlier_kernel.nearest``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from services.explorer import outlier_kernel as kernel
from services.explorer.curve_queries import Profiles

#: A bin that at least this share of the usual curves has a sample in is part of the
#: curves' shape; the others between two such bins are structural gaps.
MIN_COVER = 0.5
#: The share of the usual curves' variance the projection keeps, and its largest size.
SHARE, MAX_DIMS = 0.99, 16
#: The neighbour whose distance is the score (the 5th: a pair or a few similar defects do
#: not hide each other).
K = 5
FIT_CURVES, NEIGHBOURS_FROM, SEED = 500, 128, 19
#: The curves are compared on at most this many points (means of neighbouring bins): the
#: shape, not the sensor noise, and a small eigen-problem.
POINTS = 64
#: A difference from the nearest usual curves is located after smoothing over this share
#: of the grid (a stretch, not one noisy bin).
SMOOTH = 0.05


@dataclass(frozen=True)
class Gaps:
    """Structural gap bins and, for each, the valued bins on either side and the weight
    of the right one."""

    bins: np.ndarray
    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray

    def fill(self, values: np.ndarray) -> np.ndarray:
        """``values[..., bin]`` with the gap bins that hold NaN interpolated (a copy when
        there is a gap)."""
        if not len(self.bins):
            return values
        out = np.array(values, copy=True)
        between = (out[..., self.left] * (1 - self.weight)
                   + out[..., self.right] * self.weight).astype(out.dtype)
        out[..., self.bins] = np.where(np.isnan(out[..., self.bins]), between,
                                       out[..., self.bins])
        return out


def gaps(mean: np.ndarray, reference: np.ndarray) -> Gaps:
    """The structural gaps of ``mean[curve, bin]`` given the usual curves (a mask)."""
    usual = np.flatnonzero(reference)
    if len(usual) > FIT_CURVES:  # the share is estimated well enough from a sample
        usual = np.sort(np.random.default_rng(SEED).choice(usual, FIT_CURVES, replace=False))
    cover = np.isfinite(mean[usual]).mean(axis=0) if len(usual) else np.zeros(mean.shape[1])
    valued = np.flatnonzero(cover >= MIN_COVER)
    none = np.zeros(0, dtype=np.int64)
    if len(valued) < 2:
        return Gaps(none, none, none, np.zeros(0))
    inside = np.arange(valued[0], valued[-1] + 1)
    bins = inside[cover[inside] < MIN_COVER]
    if not len(bins):
        return Gaps(none, none, none, np.zeros(0))
    right_at = np.searchsorted(valued, bins)
    left, right = valued[right_at - 1], valued[right_at]
    return Gaps(bins, left, right, (bins - left) / (right - left))


def filled(profiles: Profiles, found: Gaps) -> Profiles:
    """``profiles`` with its structural gaps filled (the same object when it has none)."""
    if not len(found.bins):
        return profiles
    return Profiles(curve_ids=profiles.curve_ids, x=profiles.x, mean=found.fill(profiles.mean),
                    low=found.fill(profiles.low), high=found.fill(profiles.high))


@dataclass(frozen=True)
class Space:
    """Every curve in the usual curves' projection (``points``: components, then the
    distance from their subspace) and the usual curves the neighbours are searched among
    (``refs``: row indexes)."""

    points: np.ndarray
    refs: np.ndarray
    bins: np.ndarray


def project(mean: np.ndarray, centre: np.ndarray, reference: np.ndarray) -> Space:
    """The curves' coordinates in the usual curves' principal components (the bins where
    the centre has a value, averaged into at most ``POINTS`` groups; a curve's missing
    sample counts as the centre's)."""
    bins = np.flatnonzero(np.isfinite(centre))
    group = np.full(len(centre), -1, dtype=np.int64)
    n_groups = min(POINTS, len(bins))
    group[bins] = np.arange(len(bins)) * n_groups // max(len(bins), 1)
    counts = np.bincount(group[bins], minlength=n_groups)
    base = np.bincount(group[bins], weights=centre[bins], minlength=n_groups) / \
        np.maximum(counts, 1)
    rng = np.random.default_rng(SEED)
    usual = np.flatnonzero(reference)
    fit = np.sort(rng.choice(usual, FIT_CURVES, replace=False)) if len(usual) > FIT_CURVES \
        else usual
    sample = kernel.grouped(mean[fit], group, base)
    mu = sample.mean(axis=0)
    centred = sample - mu
    scatter = np.einsum("ni,nj->ij", centred, centred)  # small; no threaded BLAS call
    variance, vectors = np.linalg.eigh(scatter)  # ascending
    variance, vectors = np.clip(variance[::-1], 0, None), vectors[:, ::-1]
    energy = np.cumsum(variance)
    dims = int(np.searchsorted(energy, SHARE * energy[-1]) + 1) if energy[-1] > 0 else 1
    basis = np.ascontiguousarray(vectors[:, :min(dims, MAX_DIMS)])
    points = kernel.project(mean, group, base + mu, basis)
    refs = np.sort(rng.choice(usual, NEIGHBOURS_FROM, replace=False)) \
        if len(usual) > NEIGHBOURS_FROM else usual
    return Space(points=points, refs=refs, bins=bins)


def neighbour_distance(space: Space) -> np.ndarray:
    """Each curve's distance to its ``K``-th nearest usual curve in ``space`` (itself
    left out); NaN when there are too few usual curves."""
    n = len(space.points)
    k = min(K, len(space.refs) - 1)
    if k < 1:
        return np.full(n, np.nan)
    own = np.full(n, -1, dtype=np.int64)
    own[space.refs] = np.arange(len(space.refs))
    return kernel.nearest(space.points, space.points[space.refs], own, k)


def differences(space: Space, mean: np.ndarray, rows: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Where each curve of ``rows`` differs most from the mean of its ``K`` nearest usual
    curves (itself left out): the widest stretch of bins around the largest difference,
    smoothed over ``SMOOTH`` of the grid, that is at least half of it. Returns its first
    and last bins, the mean difference over it (NaN: no difference), and how many
    neighbours were compared."""
    rows = np.asarray(rows, dtype=np.int64)
    k = min(K, len(space.refs) - 1)
    if not len(rows) or k < 1:
        nothing = np.zeros(len(rows), dtype=np.int64)
        return nothing, nothing, np.full(len(rows), np.nan), 0
    refs = space.points[space.refs]
    dist = np.einsum("rkd->rk", (space.points[rows][:, None, :] - refs[None, :, :]) ** 2)
    dist[rows[:, None] == space.refs[None, :]] = np.inf
    near = space.refs[np.argsort(dist, axis=1, kind="stable")[:, :k]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        diff = mean[rows].astype(np.float64) - np.nanmean(mean[near], axis=1)
    size = np.nan_to_num(np.abs(diff))
    width = max(int(round(SMOOTH * size.shape[1])), 1)
    padded = np.pad(size, ((0, 0), (width // 2, width - 1 - width // 2)))
    total = np.concatenate([np.zeros((len(rows), 1)), np.cumsum(padded, axis=1)], axis=1)
    smooth = (total[:, width:] - total[:, :-width]) / width
    peak = np.argmax(smooth, axis=1)
    first, last = peak.copy(), peak.copy()
    dev = np.full(len(rows), np.nan)
    for r in range(len(rows)):
        top = smooth[r, peak[r]]
        if not top > 0:
            continue
        low = np.flatnonzero(smooth[r] < 0.5 * top)
        before, after = low[low < peak[r]], low[low > peak[r]]
        first[r] = before[-1] + 1 if len(before) else 0
        last[r] = after[0] - 1 if len(after) else smooth.shape[1] - 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            dev[r] = np.nanmean(diff[r, first[r]:last[r] + 1])
    return first, last, dev, k
