"""Compiled kernels for the curve explorer's in-memory population (numba, decision 0009).

Curves are stored one after another (``x``/``y`` float32, curve ``c`` owns
``starts[c]:starts[c + 1]``), so a filter is a per-curve group code (``-1``: not shown) and a
view is one pass over the samples of the shown curves:

- :func:`rasterise` draws every shown curve's line segments into per-group images at screen
  resolution, DenseLines-style: in each pixel column a curve touches, its weight 1 is shared
  by the pixels it covers there, so every curve counts the same and a one-sample spike still
  leaves a pixel;
- :func:`profiles` puts every shown curve on a common x grid (mean, min, max per bin).

Both run in parallel over curves (each thread owns an image buffer) and release the GIL.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

#: Pixels one curve may put into a column before the column is shared out early.
_COLUMN_BUFFER = 4096


@njit(cache=True, nogil=True)
def _clip(p: float, q: float, t0: float, t1: float) -> tuple[float, float, bool]:
    """One Liang–Barsky edge test."""
    if p == 0.0:
        return t0, t1, q >= 0.0
    r = q / p
    if p < 0.0:
        if r > t1:
            return t0, t1, False
        return max(t0, r), t1, True
    if r < t0:
        return t0, t1, False
    return t0, min(t1, r), True


@njit(cache=True, nogil=True)
def _flush(image: np.ndarray, group: int, col: int, rows: np.ndarray, n: int) -> None:
    if n > 0 and col >= 0:
        share = np.float32(1.0 / n)
        for j in range(n):
            image[group, col, rows[j]] += share


@njit(cache=True, nogil=True)
def _first_visible(x: np.ndarray, start: int, end: int, x_lo: float) -> int:
    """For a curve whose x never decreases: the last sample before ``x_lo`` (or ``start``)."""
    lo, hi = start, end
    while lo < hi:
        mid = (lo + hi) // 2
        if x[mid] < x_lo:
            lo = mid + 1
        else:
            hi = mid
    return max(lo - 1, start)


@njit(cache=True, nogil=True)
def _curve(x: np.ndarray, y: np.ndarray, start: int, end: int, group: int,
           view: np.ndarray, image: np.ndarray, rows: np.ndarray, sorted_x: bool) -> bool:
    """Draw one curve into ``image[group]``; whether it touched the view."""
    x0, sx, y0, sy = view[0], view[1], view[2], view[3]
    width, height = image.shape[1], image.shape[2]
    wmax, hmax = width - 1e-6, height - 1e-6
    x_hi = x0 + width / sx
    if sorted_x and end - start > 1:
        start = _first_visible(x, start, end, x0)
    col, n, last_row, touched = -1, 0, -1, False
    ax, ay = (x[start] - x0) * sx, (y[start] - y0) * sy
    first = start + 1 if end - start > 1 else start
    for i in range(first, end):
        bx, by = (x[i] - x0) * sx, (y[i] - y0) * sy
        inside = (0.0 <= ax <= wmax and 0.0 <= ay <= hmax
                  and 0.0 <= bx <= wmax and 0.0 <= by <= hmax)
        if inside:
            cx0, cy0, cx1, cy1, k0 = ax, ay, bx, by, 0 if i == first else 1
        else:
            dx, dy = bx - ax, by - ay
            t0, t1, ok = _clip(-dx, ax, 0.0, 1.0)
            if ok:
                t0, t1, ok = _clip(dx, wmax - ax, t0, t1)
            if ok:
                t0, t1, ok = _clip(-dy, ay, t0, t1)
            if ok:
                t0, t1, ok = _clip(dy, hmax - ay, t0, t1)
            if not ok or t0 > t1:
                if sorted_x and x[i] > x_hi:
                    break
                ax, ay = bx, by
                continue
            cx0, cy0 = ax + t0 * dx, ay + t0 * dy
            cx1, cy1 = ax + t1 * dx, ay + t1 * dy
            k0 = 0 if (i == first or t0 > 0.0) else 1
        steps = max(int(np.ceil(max(abs(cx1 - cx0), abs(cy1 - cy0)))), 1)
        step_x, step_y = (cx1 - cx0) / steps, (cy1 - cy0) / steps
        for k in range(k0, steps + 1):
            c = min(max(int(cx0 + k * step_x), 0), width - 1)
            r = min(max(int(cy0 + k * step_y), 0), height - 1)
            if c != col:
                _flush(image, group, col, rows, n)
                col, n, last_row = c, 0, -1
            if r != last_row and n < rows.shape[0]:
                rows[n] = r
                n += 1
                last_row = r
            touched = True
        ax, ay = bx, by
    _flush(image, group, col, rows, n)
    return touched


@njit(parallel=True, cache=True, nogil=True)
def rasterise(x: np.ndarray, y: np.ndarray, starts: np.ndarray, group: np.ndarray,
              sorted_x: np.ndarray, view: np.ndarray, n_groups: int, width: int, height: int,
              threads: int) -> tuple[np.ndarray, int]:
    """Per-group images (``[group, row from the bottom, col]``) of the curves whose
    ``group[c] >= 0``, for ``view = (x0, width / x_span, y0, height / y_span)``; and how
    many curves touched the view. ``sorted_x[c]``: curve ``c``'s x never decreases (its
    samples before the view are skipped by bisection)."""
    images = np.zeros((threads, n_groups, width, height), dtype=np.float32)
    counts = np.zeros(threads, dtype=np.int64)
    n_curves = group.shape[0]
    per = (n_curves + threads - 1) // threads
    for t in prange(threads):
        rows = np.empty(_COLUMN_BUFFER, dtype=np.int32)
        for c in range(t * per, min((t + 1) * per, n_curves)):
            g = group[c]
            if g >= 0 and starts[c + 1] > starts[c]:
                if _curve(x, y, starts[c], starts[c + 1], g, view, images[t], rows,
                          sorted_x[c]):
                    counts[t] += 1
    total = np.empty((n_groups, height, width), dtype=np.float32)
    for g in range(n_groups):
        total[g] = images[:, g].sum(axis=0).T
    return total, int(counts.sum())


@njit(parallel=True, cache=True, nogil=True)
def profiles(x: np.ndarray, y: np.ndarray, starts: np.ndarray, curves: np.ndarray,
             x0: float, x1: float, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, min and max y per (curve in ``curves``, x bin) over ``[x0, x1]`` (NaN: empty)."""
    n = curves.shape[0]
    mean = np.full((n, bins), np.nan, dtype=np.float32)
    low = np.full((n, bins), np.nan, dtype=np.float32)
    high = np.full((n, bins), np.nan, dtype=np.float32)
    scale = bins / (x1 - x0)
    for j in prange(n):
        c = curves[j]
        total = np.zeros(bins, dtype=np.float64)
        count = np.zeros(bins, dtype=np.int64)
        for i in range(starts[c], starts[c + 1]):
            xv = x[i]
            if xv < x0 or xv > x1:
                continue
            b = min(int((xv - x0) * scale), bins - 1)
            yv = y[i]
            total[b] += yv
            if count[b] == 0 or yv < low[j, b]:
                low[j, b] = yv
            if count[b] == 0 or yv > high[j, b]:
                high[j, b] = yv
            count[b] += 1
        for b in range(bins):
            if count[b] > 0:
                mean[j, b] = total[b] / count[b]
    return mean, low, high


def threads() -> int:
    """How many threads the kernels split their work into."""
    return int(numba.get_num_threads())


def warm_up() -> None:
    """Compile (or load the cached compilation of) both kernels on a tiny input."""
    x = np.array([0.0, 1.0, 2.0], dtype=np.float32)
    starts = np.array([0, 3], dtype=np.int64)
    rasterise(x, x, starts, np.zeros(1, dtype=np.int16), np.ones(1, dtype=np.bool_),
              np.array([0.0, 2.0, 0.0, 2.0]), 1, 4, 4, threads())
    profiles(x, x, starts, np.zeros(1, dtype=np.int64), 0.0, 2.0, 4)
