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

import threading
from typing import Any

import numba
import numpy as np
from numba import njit, prange


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _flush(diff: np.ndarray, group: int, col: int, low: int, high: int) -> None:
    """Share weight 1 among rows ``low..high`` of column ``col`` (as a difference: the
    image is the running sum of ``diff`` along each column)."""
    if col >= 0 and high >= low:
        share = 1.0 / (high - low + 1)
        diff[group, col, low] += share
        diff[group, col, high + 1] -= share


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
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


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _row(y: float, height: int) -> int:
    return min(max(int(y), 0), height - 1)


@njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _curve(x: np.ndarray, y: np.ndarray, start: int, end: int, group: int,
           view: np.ndarray, image: np.ndarray, sorted_x: bool, c_lo: int, c_hi: int) -> bool:
    """Draw one curve into ``image[group]`` (columns first); whether it touched the view.

    Each segment is clipped to the view and cut at pixel-column edges; within a column a
    continuous curve covers one run of rows, so a column is a (low, high) row interval that
    gets weight 1 when the curve leaves the column.
    """
    x0, sx, y0, sy = view[0], view[1], view[2], view[3]
    height = image.shape[2] - 1
    wmin, wmax, hmax = float(c_lo), c_hi - 1e-6, height - 1e-6
    x_hi = x0 + c_hi / sx
    if sorted_x and end - start > 1:
        start = _first_visible(x, start, end, x0 + c_lo / sx)
    col, low, high, touched = -1, 0, -1, False
    ax, ay = (x[start] - x0) * sx, (y[start] - y0) * sy
    first = start + 1 if end - start > 1 else start
    for i in range(first, end):
        bx, by = (x[i] - x0) * sx, (y[i] - y0) * sy
        dx, dy = bx - ax, by - ay
        if wmin <= ax <= wmax and 0.0 <= ay <= hmax and wmin <= bx <= wmax and 0.0 <= by <= hmax:
            cx0, cy0, cx1, cy1 = ax, ay, bx, by
        else:
            t0, t1, ok = _clip(-dx, ax - wmin, 0.0, 1.0)
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
        touched = True
        c_from, c_to = int(cx0), int(cx1)
        step = 1 if c_to >= c_from else -1
        slope = (cy1 - cy0) / (cx1 - cx0) if c_to != c_from else 0.0
        for c in range(c_from, c_to + step, step):
            if c == c_from:
                ya = cy0
            else:
                ya = cy0 + slope * ((c if step > 0 else c + 1) - cx0)
            if c == c_to:
                yb = cy1
            else:
                yb = cy0 + slope * ((c + 1 if step > 0 else c) - cx0)
            ra, rb = _row(ya, height), _row(yb, height)
            if ra > rb:
                ra, rb = rb, ra
            if c != col:
                _flush(image, group, col, low, high)
                col, low, high = c, ra, rb
            else:
                low, high = min(low, ra), max(high, rb)
        ax, ay = bx, by
    if end - start == 1 and wmin <= ax <= wmax and 0.0 <= ay <= hmax:
        col, low, high, touched = int(ax), _row(ay, height), _row(ay, height), True
    _flush(image, group, col, low, high)
    return touched


@njit(parallel=True, cache=True, nogil=True, error_model="numpy", fastmath=True)
def _rasterise(x: np.ndarray, y: np.ndarray, starts: np.ndarray, group: np.ndarray,
              sorted_x: np.ndarray, bounds: np.ndarray, view: np.ndarray, n_groups: int,
              width: int, height: int, threads: int) -> tuple[np.ndarray, int]:
    """Per-group images (``[group, row from the bottom, col]``) of the curves whose
    ``group[c] >= 0``, for ``view = (x0, width / x_span, y0, height / y_span)``; and how
    many curves touched the view. ``sorted_x[c]``: curve ``c``'s x never decreases (its
    samples before the view are skipped by bisection); ``bounds[c]``: its x/y min and max
    (curves outside the view are skipped)."""
    x0, sx, y0, sy = view[0], view[1], view[2], view[3]
    diffs = np.zeros((threads, n_groups, width, height + 1), dtype=np.float64)
    counts = np.zeros(threads, dtype=np.int64)
    n_curves = group.shape[0]
    per = (n_curves + threads - 1) // threads
    for t in prange(threads):
        for c in range(t * per, min((t + 1) * per, n_curves)):
            g = group[c]
            if g < 0 or starts[c + 1] == starts[c]:
                continue
            if ((bounds[c, 1] - x0) * sx < 0.0 or (bounds[c, 0] - x0) * sx > width
                    or (bounds[c, 3] - y0) * sy < 0.0 or (bounds[c, 2] - y0) * sy > height):
                continue
            if _curve(x, y, starts[c], starts[c + 1], g, view, diffs[t], sorted_x[c], 0,
                      width):
                counts[t] += 1
    out = np.zeros((n_groups, height, width), dtype=np.float32)
    for g in prange(n_groups):
        for col in range(width):
            running = 0.0
            for r in range(height):
                for t in range(threads):
                    running += diffs[t, g, col, r]
                out[g, r, col] = running if running > 1e-9 else 0.0
    return out, int(counts.sum())


#: A curve's profile (golden curve, outlier scores) is its forward stroke: its samples up to
#: the first one whose x lies more than this share of the profile's x range below the largest
#: x reached so far (a rivet's retraction, a press returning). Noise and holds stay in.
RETURN_FRACTION = 0.02


@njit(parallel=True, cache=True, nogil=True, error_model="numpy", fastmath=True)
def _profiles(x: np.ndarray, y: np.ndarray, starts: np.ndarray, curves: np.ndarray,
             x0: float, x1: float, bins: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean, min and max y per (curve in ``curves``, x bin) over ``[x0, x1]`` (NaN: empty),
    over each curve's forward stroke (see :data:`RETURN_FRACTION`)."""
    n = curves.shape[0]
    mean = np.full((n, bins), np.nan, dtype=np.float32)
    low = np.full((n, bins), np.nan, dtype=np.float32)
    high = np.full((n, bins), np.nan, dtype=np.float32)
    scale = bins / (x1 - x0)
    back = RETURN_FRACTION * (x1 - x0)
    for j in prange(n):
        c = curves[j]
        total = np.zeros(bins, dtype=np.float64)
        count = np.zeros(bins, dtype=np.int64)
        reached = -np.inf
        for i in range(starts[c], starts[c + 1]):
            xv = x[i]
            if xv > reached:
                reached = xv
            elif xv < reached - back:
                break  # x went back: the return stroke is not part of the profile
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


#: Parallel kernels (these and the outlier ranking's) run one at a time: numba's fallback
#: "workqueue" threading layer (used when no OpenMP/TBB runtime is installed) aborts the
#: process on concurrent launches from several Python threads, and two launches would only
#: share the same cores anyway.
LAUNCH = threading.Lock()


def rasterise(*args: Any) -> tuple[np.ndarray, int]:
    """Run :func:`_rasterise` (arguments as documented there)."""
    with LAUNCH:
        return _rasterise(*args)


def profiles(*args: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run :func:`_profiles` (arguments as documented there)."""
    with LAUNCH:
        return _profiles(*args)


def compose(images: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """Run :func:`_compose`."""
    with LAUNCH:
        return _compose(images, rgb)


def threads() -> int:
    """How many threads the kernels split their work into."""
    return int(numba.get_num_threads())


#: Each extra thread of :func:`rasterise` zeroes and sums its own difference images
#: (8 bytes per group pixel); it pays off once there are more samples to draw than about
#: this many times the image cells (measured with 1,500-point curves on 800 × 470: 1,000
#: curves in 10 groups draw in 34 ms on one thread and 56 ms on two; 1,000 curves in 3
#: groups in 23 ms and 18 ms; 3,000 curves in 10 groups take 80 ms either way).
SAMPLES_PER_CELL_FOR_THREADS = 0.8


def threads_for(samples: int, cells: int) -> int:
    """Threads for drawing ``samples`` into images of ``cells`` pixels in all."""
    return threads() if samples > SAMPLES_PER_CELL_FOR_THREADS * cells else 1


def warm_up() -> None:
    """Compile (or load the cached compilation of) both kernels on a tiny input."""
    x = np.array([0.0, 1.0, 2.0], dtype=np.float32)
    starts = np.array([0, 3], dtype=np.int64)
    rasterise(x, x, starts, np.zeros(1, dtype=np.int16), np.ones(1, dtype=np.bool_),
              np.array([[0.0, 2.0, 0.0, 2.0]], dtype=np.float32),
              np.array([0.0, 2.0, 0.0, 2.0]), 1, 4, 4, threads())
    profiles(x, x, starts, np.zeros(1, dtype=np.int64), 0.0, 2.0, 4)
    compose(np.ones((1, 2, 2), dtype=np.float32), np.zeros((1, 3), dtype=np.float32))


@njit(parallel=True, cache=True, nogil=True, error_model="numpy", fastmath=True)
def _compose(images: np.ndarray, rgb: np.ndarray) -> np.ndarray:
    """The groups' images (``[group, row from the bottom, col]``) drawn over each other in
    order as straight RGBA (uint8, top row first). A pixel's opacity is 0 where its group is
    empty, else 0.25…1 on a log scale of its weight between the group's smallest and largest
    (so any touched pixel stays visible); 32 levels per channel keep the PNG small."""
    n_groups, height, width = images.shape
    low = np.full(n_groups, np.inf)
    top = np.ones(n_groups)
    for g in range(n_groups):
        high = 0.0
        for r in range(height):
            for c in range(width):
                v = images[g, r, c]
                if v > 0.0:
                    low[g] = min(low[g], v)
                    high = max(high, v)
        if high > 0.0 and high > low[g]:
            top[g] = np.log10(high / low[g])
    out = np.zeros((height, width, 4), dtype=np.uint8)
    for r in prange(height):
        for c in range(width):
            red, green, blue, alpha = 0.0, 0.0, 0.0, 0.0
            for g in range(n_groups):
                v = images[g, r, c]
                if v > 0.0:
                    a = 0.25 + 0.75 * np.log10(v / low[g]) / top[g]
                    red = red * (1.0 - a) + rgb[g, 0] * a
                    green = green * (1.0 - a) + rgb[g, 1] * a
                    blue = blue * (1.0 - a) + rgb[g, 2] * a
                    alpha = alpha * (1.0 - a) + a
            if alpha > 0.0:
                row = height - 1 - r
                out[row, c, 0] = int(min(red / alpha + 0.5, 255.0)) & 0xF8
                out[row, c, 1] = int(min(green / alpha + 0.5, 255.0)) & 0xF8
                out[row, c, 2] = int(min(blue / alpha + 0.5, 255.0)) & 0xF8
                out[row, c, 3] = int(min(alpha * 255.0 + 0.5, 255.0)) & 0xF8
    return out
