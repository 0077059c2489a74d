"""Compiled kernels of the outlier ranking (numba, decision 0009): per-curve shape measures
against the golden centre after the best small x shift, isolation-forest path lengths, and
the projection of curves onto a few components and the distance to the k-th nearest usual
curve there.

Both take every curve on the explorer's common grid (``mean/low/high[curve, bin]``, NaN where
a curve has no sample) and run in parallel over curves, releasing the GIL.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, prange

from services.explorer.density_kernel import LAUNCH

#: Columns of :func:`shape_measures`' result.
SHIFT, GAIN, OFFSET, RESIDUAL, SLOPE_RESIDUAL, LOCAL, SPREAD, CURVATURE, MISSING, LOCAL_DEV, \
    LOCAL_BIN, LOCAL_WIDTH, GAP_FIRST, GAP_LAST, SHIFT_END = range(15)
N_MEASURES = 15
#: A shift is only tried when the curve and the centre overlap on this share of the
#: centre's bins.
MIN_OVERLAP = 0.5


@njit(cache=True, nogil=True, error_model="numpy")
def _cost(y: np.ndarray, c: np.ndarray, s: int, step: int, lo: int, hi: int
          ) -> tuple[float, int]:
    """Mean squared difference of ``y[b + s]`` and ``c[b]`` (every ``step``-th bin ``b`` of
    ``lo..hi``) once their mean difference is taken off (a sensor's zero offset is not a
    shift), and over how many bins."""
    n = c.shape[0]
    total, total_sq, count = 0.0, 0.0, 0
    for b in range(max(lo, -s), min(hi, n - s), step):
        d = y[b + s] - c[b]
        if d == d:
            total += d
            total_sq += d * d
            count += 1
    if count == 0:
        return np.inf, 0
    return max(total_sq / count - (total / count) ** 2, 0.0), count


@njit(cache=True, nogil=True, error_model="numpy")
def _best_shift(y: np.ndarray, c: np.ndarray, max_shift: int, n_centre: int, lo: int,
                hi: int) -> float:
    """The shift (bins, refined between bins by a parabola) of the centre's bins ``lo..hi``
    with the smallest cost: every other shift on every other bin first, then each shift
    next to the best on every bin."""
    costs = np.full(2 * max_shift + 1, np.nan)
    coarse, coarse_s = np.inf, 0
    for s in range(-max_shift, max_shift + 1, 2):
        cost, count = _cost(y, c, s, 2, lo, hi)
        if 2 * count >= MIN_OVERLAP * n_centre and count > 1 and cost < coarse:
            coarse, coarse_s = cost, s
    best, best_s = np.inf, 0
    for s in range(max(coarse_s - 2, -max_shift), min(coarse_s + 2, max_shift) + 1):
        cost, count = _cost(y, c, s, 1, lo, hi)
        if count >= MIN_OVERLAP * n_centre and count > 1:
            costs[s + max_shift] = cost
            if cost < best or (cost == best and abs(s) < abs(best_s)):
                best, best_s = cost, s
    k = best_s + max_shift
    if 0 < k < 2 * max_shift and costs[k - 1] == costs[k - 1] and costs[k + 1] == costs[k + 1]:
        den = costs[k - 1] - 2.0 * costs[k] + costs[k + 1]
        if den > 0.0:
            return best_s + 0.5 * (costs[k - 1] - costs[k + 1]) / den
    return float(best_s)


@njit(cache=True, nogil=True, error_model="numpy")
def _fit(y: np.ndarray, c: np.ndarray, s_a: int, s_b: int, mid: int
         ) -> tuple[float, float, int]:
    """Gain and offset of ``y[b + s] ≈ offset + gain · c[b]`` (least squares; ``s`` is
    ``s_a`` before bin ``mid``, ``s_b`` from it), bins used."""
    n = c.shape[0]
    sy, sc, scc, syc, count = 0.0, 0.0, 0.0, 0.0, 0
    for b in range(n):
        j = b + (s_a if b < mid else s_b)
        if j < 0 or j >= n:
            continue
        yv, cv = y[j], c[b]
        if yv == yv and cv == cv:
            sy += yv
            sc += cv
            scc += cv * cv
            syc += yv * cv
            count += 1
    if count == 0:
        return np.nan, np.nan, 0
    var = scc / count - (sc / count) ** 2
    gain = (syc / count - sy / count * sc / count) / var if var > 1e-12 * (1.0 + scc) else 1.0
    return gain, sy / count - gain * sc / count, count


@njit(cache=True, nogil=True, error_model="numpy")
def _middle(c: np.ndarray, joint: int) -> tuple[int, int]:
    """The bin where the two aligned parts meet: ``joint`` when it leaves at least a quarter
    of the centre's valued bins on either side, else the one halving them; and how many
    valued bins are before it."""
    first, last, valued = -1, -1, 0
    for b in range(c.shape[0]):
        if c[b] == c[b]:
            if first < 0:
                first = b
            last = b
            valued += 1
    mid = (first + last + 1) // 2 if first >= 0 else 0
    if first <= joint <= last:
        before = 0
        for b in range(joint):
            if c[b] == c[b]:
                before += 1
        if 4 * before >= valued and 4 * (valued - before) >= valued:
            return joint, before
    before = 0
    for b in range(mid):
        if c[b] == c[b]:
            before += 1
    return mid, before


@njit(cache=True, nogil=True, error_model="numpy")
def _measure(y: np.ndarray, lo: np.ndarray, hi: np.ndarray, c: np.ndarray,
             sigma: np.ndarray, max_shift: int, n_centre: int, joint: int, out: np.ndarray
             ) -> None:
    """Fill ``out`` (see the column names) for one curve."""
    n = c.shape[0]
    mid, n_a = _middle(c, joint)
    shift = _best_shift(y, c, max_shift, n_a, 0, mid)
    shift_end = _best_shift(y, c, max_shift, n_centre - n_a, mid, n)
    s_a, s_b = int(np.round(shift)), int(np.round(shift_end))
    gain, offset, count = _fit(y, c, s_a, s_b, mid)
    sq, dsq, dcount, prev = 0.0, 0.0, 0, np.nan
    top, top_bin, top_dev = -1.0, -1, np.nan
    for b in range(n):
        j = b + (s_a if b < mid else s_b)
        r = y[j] - offset - gain * c[b] if 0 <= j < n else np.nan
        if r == r:
            sq += r * r
            if prev == prev:
                dsq += (r - prev) * (r - prev)
                dcount += 1
            if abs(r) / sigma[b] > top:
                top, top_bin, top_dev = abs(r) / sigma[b], b, r
        prev = r
    width = 0
    for b in range(n):
        j = b + (s_a if b < mid else s_b)
        r = y[j] - offset - gain * c[b] if 0 <= j < n else np.nan
        if r == r and abs(r) / sigma[b] >= 0.5 * top:
            width += 1
    spread, curv, n_curv = 0.0, 0.0, 0
    for b in range(1, n - 1):
        a, m, z = y[b - 1], y[b], y[b + 1]
        if a == a and m == m and z == z:
            curv += abs(a - 2.0 * m + z)
            spread += max(hi[b] - lo[b] - 0.5 * abs(z - a), 0.0)
            n_curv += 1
    missing, run, best_run, best_end = 0, 0, 0, -1
    for b in range(n):
        if c[b] == c[b] and y[b] != y[b]:
            missing += 1
            run += 1
            if run > best_run:
                best_run, best_end = run, b
        else:
            run = 0
    ok = count > 0
    out[SHIFT] = shift if ok else np.nan
    out[SHIFT_END] = shift_end if ok else np.nan
    out[GAIN] = gain
    out[OFFSET] = offset
    out[RESIDUAL] = np.sqrt(sq / count) if ok else np.nan
    out[SLOPE_RESIDUAL] = np.sqrt(dsq / dcount) if dcount > 0 else np.nan
    out[LOCAL] = top if top_bin >= 0 else np.nan
    out[SPREAD] = spread / n_curv if n_curv > 0 else np.nan
    out[CURVATURE] = curv / n_curv if n_curv > 0 else np.nan
    out[MISSING] = missing / max(n_centre, 1)
    out[LOCAL_DEV] = top_dev
    out[LOCAL_BIN] = top_bin + (shift if top_bin < mid else shift_end) if top_bin >= 0 \
        else np.nan
    out[LOCAL_WIDTH] = width / max(n_centre, 1)
    out[GAP_FIRST] = best_end - best_run + 1 if best_run > 0 else -1
    out[GAP_LAST] = best_end


@njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def _shape_measures(mean: np.ndarray, low: np.ndarray, high: np.ndarray, centre: np.ndarray,
                    sigma: np.ndarray, max_shift: int, joint: int) -> np.ndarray:
    """Per curve (row of ``mean``): the ``N_MEASURES`` measures against ``centre`` (NaN
    where it has none), local deviations in units of ``sigma`` (positive, per bin); the
    first part (before bin ``joint``) and the rest are aligned apart."""
    n_centre = 0
    for b in range(centre.shape[0]):
        if centre[b] == centre[b]:
            n_centre += 1
    out = np.full((mean.shape[0], N_MEASURES), np.nan)
    for j in prange(mean.shape[0]):
        _measure(mean[j], low[j], high[j], centre, sigma, max_shift, n_centre, joint, out[j])
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _grow_forest(points: np.ndarray, n_trees: int, sample: int, seed: int
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                            np.ndarray]:
    """An isolation forest over the rows of ``points``: ``n_trees`` trees of ``sample`` rows
    each, grown to depth ceil(log2(sample)) (Liu, Ting and Zhou 2008), seeded: the same
    points give the same forest. Returns (feature, split, left, right, size, roots)."""
    np.random.seed(seed)
    n, k = points.shape
    limit = max(int(np.ceil(np.log2(max(sample, 2)))), 1)
    per_tree = 2 ** (limit + 1)
    feature = np.full(n_trees * per_tree, -1, dtype=np.int64)
    split = np.zeros(n_trees * per_tree)
    left = np.zeros(n_trees * per_tree, dtype=np.int64)
    right = np.zeros(n_trees * per_tree, dtype=np.int64)
    size = np.zeros(n_trees * per_tree, dtype=np.int64)
    roots = np.zeros(n_trees, dtype=np.int64)
    stack = np.zeros((per_tree, 4), dtype=np.int64)  # node, start, end, depth
    pool = np.arange(n)
    rows = np.zeros(sample, dtype=np.int64)
    for t in range(n_trees):
        for i in range(sample):  # a sample without replacement: partial Fisher–Yates
            j = np.random.randint(i, n)
            pool[i], pool[j] = pool[j], pool[i]
            rows[i] = pool[i]
        base = t * per_tree
        roots[t] = base
        nxt = base + 1
        stack[0, 0], stack[0, 1], stack[0, 2], stack[0, 3] = base, 0, sample, 0
        top = 1
        while top > 0:
            top -= 1
            node, start, end, depth = stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3]
            size[node] = end - start
            if depth >= limit or end - start <= 1:
                continue
            f, lo, hi = -1, 0.0, 0.0
            for _ in range(k):  # a random feature that still varies in this node
                g = np.random.randint(0, k)
                lo, hi = np.inf, -np.inf
                for i in range(start, end):
                    v = points[rows[i], g]
                    lo, hi = min(lo, v), max(hi, v)
                if hi > lo:
                    f = g
                    break
            if f < 0:
                continue
            cut = lo + np.random.random() * (hi - lo)
            mid = start
            for i in range(start, end):  # rows below the cut first
                if points[rows[i], f] < cut:
                    rows[i], rows[mid] = rows[mid], rows[i]
                    mid += 1
            feature[node], split[node] = f, cut
            left[node], right[node] = nxt, nxt + 1
            stack[top, 0], stack[top, 1], stack[top, 2], stack[top, 3] = nxt, start, mid, depth + 1
            stack[top + 1, 0], stack[top + 1, 1] = nxt + 1, mid
            stack[top + 1, 2], stack[top + 1, 3] = end, depth + 1
            top += 2
            nxt += 2
    return feature, split, left, right, size, roots


@njit(parallel=True, cache=True, nogil=True, error_model="numpy", fastmath=False)
def _path_lengths(points: np.ndarray, feature: np.ndarray, split: np.ndarray,
                  left: np.ndarray, right: np.ndarray, size: np.ndarray,
                  roots: np.ndarray) -> np.ndarray:
    """Mean isolation-forest path length of each row of ``points`` over the trees starting
    at ``roots`` (a leaf has ``feature == -1`` and adds the expected depth of its ``size``)."""
    n = points.shape[0]
    out = np.zeros(n)
    for i in prange(n):
        total = 0.0
        for t in range(roots.shape[0]):
            node, depth = roots[t], 0
            while feature[node] >= 0:
                v = points[i, feature[node]]
                node = left[node] if v < split[node] else right[node]
                depth += 1
            total += depth + average_path(size[node])
        out[i] = total / roots.shape[0]
    return out


@njit(cache=True, nogil=True, error_model="numpy")
def _grouped_row(y: np.ndarray, group: np.ndarray, base: np.ndarray, out: np.ndarray) -> None:
    """``out[g]``: the mean of ``y`` over the bins of group ``g`` less ``base[g]`` (a bin
    without a sample counts as the base; ``group[b] < 0``: bin left out)."""
    counts = np.zeros(out.shape[0])
    out[:] = 0.0
    for b in range(y.shape[0]):
        g = group[b]
        if g >= 0:
            counts[g] += 1.0
            if y[b] == y[b]:
                out[g] += y[b] - base[g]
    for g in range(out.shape[0]):
        if counts[g] > 0:
            out[g] /= counts[g]


@njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def _grouped(mean: np.ndarray, group: np.ndarray, base: np.ndarray) -> np.ndarray:
    """Every row of ``mean`` averaged over the bin groups, less ``base``."""
    out = np.zeros((mean.shape[0], base.shape[0]))
    for i in prange(mean.shape[0]):
        _grouped_row(mean[i], group, base, out[i])
    return out


@njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def _project(mean: np.ndarray, group: np.ndarray, base: np.ndarray, basis: np.ndarray
             ) -> np.ndarray:
    """Every row of ``mean`` averaged over the bin groups (each a run of neighbouring bins,
    in order), less ``base``, in the columns of ``basis`` (orthonormal), then its distance
    from their span. Nothing is allocated per row: each group's mean goes into the
    coordinates as soon as its run ends."""
    n, dims, bins = mean.shape[0], basis.shape[1], mean.shape[1]
    out = np.zeros((n, dims + 1), dtype=np.float32)
    for i in prange(n):
        total, along = 0.0, 0.0
        g, acc, count = -1, 0.0, 0
        for b in range(bins + 1):
            nxt = group[b] if b < bins else -2
            if nxt == -1:
                continue
            if nxt != g:
                if g >= 0 and count > 0:
                    v = acc / count
                    total += v * v
                    for d in range(dims):
                        out[i, d] += v * basis[g, d]
                g, acc, count = nxt, 0.0, 0
            if b < bins:
                count += 1
                y = mean[i, b]
                if y == y:
                    acc += y - base[g]
        for d in range(dims):
            along += float(out[i, d]) * float(out[i, d])
        out[i, dims] = np.sqrt(max(total - along, 0.0))
    return out


@njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def _nearest(points: np.ndarray, refs: np.ndarray, own: np.ndarray, k: int) -> np.ndarray:
    """Per row of ``points``: the distance to its ``k``-th nearest row of ``refs``, leaving
    out ``refs[own[i]]`` (the point itself; ``own[i] < 0``: not among them)."""
    n, dims = points.shape
    out = np.full(n, np.nan)
    for i in prange(n):
        best = np.full(k, np.inf)
        for j in range(refs.shape[0]):
            if j == own[i]:
                continue
            d, bound = 0.0, best[k - 1]
            for c in range(dims):
                t = points[i, c] - refs[j, c]
                d += t * t
                if d >= bound:  # farther than the k-th nearest so far: no need to finish
                    break
            if d < bound:
                m = k - 1
                while m > 0 and best[m - 1] > d:
                    best[m] = best[m - 1]
                    m -= 1
                best[m] = d
        if best[k - 1] < np.inf:
            out[i] = np.sqrt(best[k - 1])
    return out


@njit(cache=True, nogil=True)
def average_path(n: int) -> float:
    """Expected path length of an unsuccessful search in a binary tree of ``n`` points."""
    if n <= 1:
        return 0.0
    if n == 2:
        return 1.0
    return 2.0 * (np.log(n - 1.0) + 0.5772156649) - 2.0 * (n - 1.0) / n


def shape_measures(*args: Any) -> np.ndarray:
    """Run :func:`_shape_measures` (arguments as documented there)."""
    with LAUNCH:
        return np.asarray(_shape_measures(*args))


def grow_forest(points: np.ndarray, *, n_trees: int, sample: int, seed: int
                ) -> tuple[np.ndarray, ...]:
    """Run :func:`_grow_forest` (one tree after another; no parallel launch)."""
    return tuple(_grow_forest(points, n_trees, sample, seed))


def path_lengths(*args: Any) -> np.ndarray:
    """Run :func:`_path_lengths` (arguments as documented there)."""
    with LAUNCH:
        return np.asarray(_path_lengths(*args))


def grouped(*args: Any) -> np.ndarray:
    """Run :func:`_grouped` (arguments as documented there)."""
    with LAUNCH:
        return np.asarray(_grouped(*args))


def project(*args: Any) -> np.ndarray:
    """Run :func:`_project` (arguments as documented there)."""
    with LAUNCH:
        return np.asarray(_project(*args))


def nearest(points: np.ndarray, refs: np.ndarray, own: np.ndarray, k: int) -> np.ndarray:
    """Run :func:`_nearest` (arguments as documented there)."""
    with LAUNCH:
        return np.asarray(_nearest(points, refs, own, k))


def warm_up() -> None:
    """Compile (or load the cached compilation of) the kernels on a tiny input."""
    rows = np.array([[0.0, 1.0, 2.0, 3.0]], dtype=np.float32)
    centre = np.array([0.0, 1.0, 2.0, 3.0])
    shape_measures(rows, rows, rows, centre, np.ones(4), 1, 2)
    points = np.zeros((2, 2))
    path_lengths(points, *grow_forest(points, n_trees=1, sample=2, seed=0))
    nearest(points, points, np.array([0, -1], dtype=np.int64), 1)
    group = np.array([0, 0, 1, -1], dtype=np.int64)
    grouped(rows, group, np.zeros(2))
    project(rows, group, np.zeros(2), np.eye(2))
