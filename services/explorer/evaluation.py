"""Scoring curves against a golden curve, judging them with evaluation objects, and what-if.

Everything works on :class:`services.explorer.curve_queries.Profiles` (each curve's
mean/min/max on a common x grid), vectorised over all curves at once.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lyceum.errors import ValidationError
from services.explorer.curve_queries import Profiles
from services.explorer.golden import Golden
from services.explorer.state import EvalObject


@dataclass(frozen=True)
class Scores:
    """Per curve (aligned with ``curve_ids``): deviation scores, highest first."""

    curve_ids: np.ndarray
    max_abs_dev: np.ndarray
    area_outside: np.ndarray


def score(profiles: Profiles, golden: Golden) -> Scores:
    """Max |mean − centre| and the area of min/max outside the band, ranked by area then max."""
    golden_on = regrid(golden, profiles)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        dev = np.abs(profiles.mean - golden_on.center)
        max_dev = np.nan_to_num(np.nanmax(np.where(np.isnan(dev), -np.inf, dev), axis=1),
                                neginf=0.0)
        above = np.clip(profiles.high - golden_on.upper, 0, None)
        below = np.clip(golden_on.lower - profiles.low, 0, None)
        area = np.nansum(np.fmax(above, below), axis=1) * profiles.dx
    order = np.lexsort((-max_dev, -area))
    return Scores(curve_ids=profiles.curve_ids[order], max_abs_dev=max_dev[order],
                  area_outside=area[order])


def regrid(golden: Golden, profiles: Profiles) -> Golden:
    """``golden`` interpolated onto the profiles' grid (NaN outside its own range)."""
    if len(golden.x) == len(profiles.x) and np.allclose(golden.x, profiles.x):
        return golden

    def on(values: np.ndarray) -> np.ndarray:
        ok = np.isfinite(values)
        if ok.sum() < 2:
            return np.full(len(profiles.x), np.nan)
        return np.interp(profiles.x, golden.x[ok], values[ok], left=np.nan, right=np.nan)

    return Golden(x=profiles.x, center=on(golden.center), lower=on(golden.lower),
                  upper=on(golden.upper), n_curves=golden.n_curves, method=golden.method,
                  band=golden.band, id=golden.id, name=golden.name, version=golden.version)


# ----------------------------------------------------------------------------- objects

def _side_before(prev_y: np.ndarray, prev_in_x: np.ndarray, obj: EvalObject) -> np.ndarray:
    """Side a curve came from into a window, from the grid bin before the first inside."""
    side = np.where(prev_y < obj.y0, "bottom", np.where(prev_y > obj.y1, "top", "left"))
    return np.where(prev_in_x, side, "left")


def _last_finite(y: np.ndarray) -> np.ndarray:
    """Per row and bin, the index of the last bin at or before it that holds a value (-1
    when none): a curve with fewer samples than the grid has bins without data between its
    samples, and a crossing is judged between the samples it has, not across a gap."""
    idx = np.where(np.isfinite(y), np.arange(y.shape[1])[None, :], -1)
    return np.asarray(np.maximum.accumulate(idx, axis=1))


def _next_finite(y: np.ndarray) -> np.ndarray:
    """Per row and bin, the index of the first bin at or after it that holds a value
    (``n`` when none)."""
    n = y.shape[1]
    idx = np.where(np.isfinite(y), np.arange(n)[None, :], n)
    return np.asarray(np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1])


def _window(p: Profiles, obj: EvalObject) -> np.ndarray:
    """True where the curve passes: enters through ``entry`` and leaves through ``exit``."""
    y = p.mean
    in_x = (p.x >= obj.x0) & (p.x <= obj.x1)
    inside = in_x[None, :] & (y >= obj.y0) & (y <= obj.y1)
    ever = inside.any(axis=1)
    n = y.shape[1]
    first = inside.argmax(axis=1)
    last = n - 1 - inside[:, ::-1].argmax(axis=1)
    rows = np.arange(len(y))
    # the curve's own samples just before and after its part inside, skipping empty bins
    prev = _last_finite(y)[rows, np.clip(first - 1, 0, n - 1)]
    nxt = _next_finite(y)[rows, np.clip(last + 1, 0, n - 1)]
    has_prev, has_next = (first > 0) & (prev >= 0), (last < n - 1) & (nxt < n)
    prev, nxt = np.clip(prev, 0, n - 1), np.clip(nxt, 0, n - 1)
    prev_y, next_y = y[rows, prev], y[rows, nxt]
    prev_in = has_prev & in_x[prev] & np.isfinite(prev_y)
    next_in = has_next & in_x[nxt] & np.isfinite(next_y)
    entry = _side_before(prev_y, prev_in, obj)
    exit_ = np.where(next_in, np.where(next_y < obj.y0, "bottom",
                                       np.where(next_y > obj.y1, "top", "right")), "right")
    return ever & (entry == obj.entry) & (exit_ == obj.exit)


def _envelope(p: Profiles, obj: EvalObject, golden: Golden | None) -> np.ndarray:
    if golden is None:
        raise ValidationError(f"The envelope “{obj.name}” needs a golden curve; choose or "
                              "build one first.")
    g = regrid(golden, p)
    cols = (p.x >= obj.x0) & (p.x <= obj.x1) & np.isfinite(g.lower) & np.isfinite(g.upper)
    with np.errstate(invalid="ignore"):
        out = (p.high[:, cols] > g.upper[cols] + obj.margin) | \
              (p.low[:, cols] < g.lower[cols] - obj.margin)
    return ~out.any(axis=1)


def _threshold(p: Profiles, obj: EvalObject) -> np.ndarray:
    cols = np.flatnonzero((p.x >= obj.x0) & (p.x <= obj.x1))
    if len(cols) < 2:
        return np.zeros(len(p.mean), dtype=bool)
    line = obj.y0 + (p.x[cols] - obj.x0) * (obj.y1 - obj.y0) / (obj.x1 - obj.x0)
    with np.errstate(invalid="ignore"):
        diff = p.mean[:, cols] - line
        rows = np.arange(len(diff))[:, None]
        # each value against the curve's previous value, across bins without data
        carried = diff[rows, np.clip(_last_finite(diff), 0, None)]
        carried[_last_finite(diff) < 0] = np.nan
        before, after = carried[:, :-1], diff[:, 1:]
        if obj.direction == "up":
            crossed = (before < 0) & (after >= 0)
        else:
            crossed = (before > 0) & (after <= 0)
    found: np.ndarray = np.asarray(crossed.any(axis=1))
    return found


def judge(profiles: Profiles, objects: Sequence[EvalObject], *,
          golden: Golden | None) -> np.ndarray:
    """Per curve, the name of the first failing object, or ``""`` when all pass (OK)."""
    failing = np.full(len(profiles.curve_ids), "", dtype=object)
    for obj in objects:
        if obj.kind == "window":
            passed = _window(profiles, obj)
        elif obj.kind == "envelope":
            passed = _envelope(profiles, obj, golden)
        else:
            passed = _threshold(profiles, obj)
        failing[(failing == "") & ~passed] = obj.name
    return failing


@dataclass(frozen=True)
class WhatIf:
    """How a draft set of objects changes the verdicts of the filtered curves."""

    n_curves: int
    n_nok_before: int
    n_nok_after: int
    ok_to_nok: list[tuple[int, str]]
    nok_to_ok: list[tuple[int, str]]


def what_if(profiles: Profiles, applied: Sequence[EvalObject], draft: Sequence[EvalObject], *,
            golden: Golden | None) -> WhatIf:
    """Verdicts with ``applied`` vs ``draft``: curves flipping OK→NOK (with the failing
    draft object) and NOK→OK (with the object that failed before)."""
    before = judge(profiles, applied, golden=golden)
    after = judge(profiles, draft, golden=golden)
    ids = profiles.curve_ids
    to_nok = np.flatnonzero((before == "") & (after != ""))
    to_ok = np.flatnonzero((before != "") & (after == ""))
    return WhatIf(n_curves=len(ids), n_nok_before=int((before != "").sum()),
                  n_nok_after=int((after != "").sum()),
                  ok_to_nok=[(int(ids[i]), str(after[i])) for i in to_nok],
                  nok_to_ok=[(int(ids[i]), str(before[i])) for i in to_ok])


def placement(golden: Golden | None, x_range: Sequence[float], y_range: Sequence[float]
              ) -> dict[str, list[float]]:
    """Where a new object goes in a view of ``x_range`` × ``y_range``: the middle quarter of
    x and, when a golden curve is drawn, the golden band over that stretch with a tenth of
    its height to spare (so the usual curve passes through it), else the middle quarter of
    y. Plain lists, rounded, for the browser."""
    x0, x1 = float(x_range[0]), float(x_range[1])
    y0, y1 = float(y_range[0]), float(y_range[1])
    mid, half = (x0 + x1) / 2, (x1 - x0) / 8
    lo, hi = (y0 + y1) / 2 - (y1 - y0) / 8, (y0 + y1) / 2 + (y1 - y0) / 8
    if golden is not None and len(golden.x):
        near = (golden.x >= mid - half) & (golden.x <= mid + half)
        band = np.concatenate([golden.lower[near], golden.upper[near]])
        band = band[np.isfinite(band)]
        if band.size:
            spare = max(float(band.max() - band.min()), (y1 - y0) / 100) / 10
            lo, hi = float(band.min()) - spare, float(band.max()) + spare
    return {"x": [round(mid - half, 6), round(mid + half, 6)],
            "y": [round(lo, 6), round(hi, 6)]}
