"""Outlier ranking: which filtered curves deviate most from the golden curve, and why.

Every curve is measured on the explorer's common grid (:class:`Profiles`) against the golden
centre after the small x shifts that fit it best, one for each part of the centre (a banded
warp with one joint, halfway from the golden knee to its end: a knee and an end may move
apart; ``outlier_kernel``), so natural jitter in x does not read as a deviation. The
measures, and per-curve features (peak, final value, area, knee and end x, slopes;
``outlier_features``), become robust z scores against the usual variation (the OK curves,
else all; median and MAD), grouped into scores:

- *shift*: how far either best shift, their mean (where the whole curve went: less noisy
  than either) or their difference is from the usual one (a late or early curve, knee or
  end; the natural jitter moves the whole curve);
- *level*: the gain and offset that best map the centre onto the aligned curve;
- *shape*: what remains after shift, gain and offset: the residual of the values and of
  their slopes, and the largest local deviation in units of the golden band (a bump, a dip);
- *noise*: the spread inside each grid bin beyond the slope, and the bin-to-bin curvature;
- *missing*: the share of the golden curve's bins where the curve has no sample;
- *neighbours*: the distance to the 5th nearest usual curve in a projection of the curves
  onto the usual curves' principal components (``outlier_space``): a shape none of the
  usual curves has, also where the usual curves have several modes (one centre sits
  between them);
- *isolation*: an isolation forest's score over the measures and features at once (an
  unusual mix).

Curves with fewer samples than the grid has bins leave the same bins empty in every curve;
those structural gaps are interpolated first (``outlier_space.gaps``), so that shifts and
slopes see neighbouring bins.

Each score is then mapped so that its tail over the usual variation is a normal one's (a
bounded measure's short tail, a largest-of-several score's long one), and a curve's rank
follows its largest; its reason describes that score in words ("late knee at x 0.51
(+0.05)", "peak 12 % high at x 0.62", "shape differs from its 5 nearest OK curves at
x 40–80 (+12 % of the range)"). Ties keep curve id order; curves without a sample in
the range come last. Cost: linear in curves × grid bins (see docs/benchmarks.md).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from lyceum.errors import ValidationError
from services.explorer import outlier_features
from services.explorer import outlier_kernel as kernel
from services.explorer import outlier_space as space
from services.explorer.curve_queries import Profiles
from services.explorer.evaluation import regrid
from services.explorer.golden import Golden

SCORES = ("shift", "level", "shape", "noise", "missing", "neighbours", "isolation")
NEIGHBOURS = SCORES.index("neighbours")
#: The largest x shift tried when aligning a curve with the golden centre (share of bins).
MAX_SHIFT_SHARE = 0.08
#: Below this score a curve is within the usual variation of the filtered curves.
USUAL = 3.5
#: The reason of a curve no score of which is unusual.
WITHIN = "within the usual variation"
#: A deviation narrower than this share of the grid is a local bump or dip.
LOCAL_WIDTH = 0.08
#: The quantiles of each score over the reference curves (the OK ones) that are mapped to a
#: normal tail's; over every curve, defects included, lower ones (a few percent are defects).
TAIL, TAIL_UNLABELLED = (0.9, 0.99), (0.5, 0.9)
#: A score whose reference tail is short (a bounded measure, a rare one) is stretched at
#: most this much.
MAX_STRETCH = 2.0
#: The isolation score counts at this weight (it sees every measure and is noisier alone).
ISOLATION_WEIGHT = 0.6
#: The neighbour score counts at this weight. More (1.3–1.5) finds more of the archive
#: sets' defects (bench/outliers_archive.py: their usual curves vary so much that every
#: centre score has a long tail) but lets the usual curves' neighbour tail outrank subtle
#: shifts and gains on the generated sets (bench/outliers.py), so it counts as the others.
NEIGHBOUR_WEIGHT = 1.0
N_TREES, TREE_SAMPLE, SEED = 64, 256, 19
#: Reasons are worded for this many curves from the top (the table's length).
EXPLAIN = 500
MIN_CURVES = 3
#: A curve whose fitted gain is below this share of the usual one is not the golden shape
#: moved (a part missing, a flat line): its best shifts mean nothing and are not scored.
MIN_SHAPE_GAIN = 0.5
#: A gain this far from the usual one is a curve's reason whatever else scores higher.
HEADLINE_GAIN = 0.2
#: An unusual level names a curve whose shape scores higher by less than this factor's
#: inverse (a higher or lower curve leaves some residual shape too).
LEVEL_SHARE = 0.5
#: A measure derived from the kernel's: the knee's shift less the end's (the natural x
#: jitter moves both alike; a late or early knee moves one).
KNEE_TO_END = kernel.N_MEASURES
#: Where the curve itself rises and falls most steeply (``outlier_features``), for reasons.
OWN_KNEE_X, OWN_FALL_X = KNEE_TO_END + 1, KNEE_TO_END + 2
#: The mean of the knee's and the end's shift: where the whole curve moved to, measured over
#: both parts at once (less noisy than either alone).
MEAN_SHIFT = KNEE_TO_END + 3
#: The measures of the shift score: the whole curve's, the knee's and the end's shift, and
#: the knee-to-end difference.
SHIFTS = (MEAN_SHIFT, kernel.SHIFT, kernel.SHIFT_END, KNEE_TO_END)
#: Which kernel measures are features, and their names in a reason.
FEATURES = {kernel.SHIFT: "x shift", kernel.SHIFT_END: "x shift of the end",
            KNEE_TO_END: "knee-to-end distance", MEAN_SHIFT: "x shift of the curve",
            kernel.GAIN: "gain", kernel.OFFSET: "offset",
            kernel.RESIDUAL: "shape", kernel.SLOPE_RESIDUAL: "slope",
            kernel.LOCAL: "local deviation", kernel.SPREAD: "noise",
            kernel.CURVATURE: "curvature", kernel.MISSING: "coverage"}
_COLUMN = {measure: i for i, measure in enumerate(FEATURES)}


@dataclass(frozen=True)
class Ranking:
    """Curves most deviating first: ``score`` (robust z units; NaN: no sample in range),
    the reason in words (for the first ``explain`` curves), every score per curve
    (columns in ``SCORES``), and whether each is outside the usual variation (a reason
    other than "within the usual variation")."""

    curve_ids: np.ndarray
    score: np.ndarray
    reasons: list[str]
    scores: np.ndarray
    unusual: np.ndarray


@dataclass(frozen=True)
class _Usual:
    """Medians of the measures a reason compares with."""

    shift: float
    shift_end: float
    gain: float
    offset: float
    spread: float
    curvature: float
    knee_x: float
    fall_x: float


@dataclass(frozen=True)
class _Context:
    x: np.ndarray
    dx: float
    centre: np.ndarray
    sigma: np.ndarray
    y_span: float
    peak_bin: int
    knee_x: float
    fall_x: float


def rank(profiles: Profiles, golden: Golden, *, reference: np.ndarray | None = None,
         explain: int = EXPLAIN) -> Ranking:
    """Rank every curve of ``profiles`` by how far, and how, it deviates from ``golden``.

    ``reference`` (a mask over the curves, e.g. those judged OK) sets the usual variation
    each score is measured against; ``None``, fewer than 3 curves or every curve: all of
    them, with defects possibly among them (nobody has judged the curves). Reasons
    are worded for the first ``explain`` curves of the ranking."""
    ids = np.asarray(profiles.curve_ids, dtype=np.int64)
    n = len(ids)
    if n < MIN_CURVES:
        reason = f"only {n} curve{'' if n == 1 else 's'}: too few to rank ({MIN_CURVES} needed)"
        order = np.argsort(ids, kind="stable")
        return Ranking(curve_ids=ids[order], score=np.zeros(n),
                       reasons=[reason] * min(n, explain),
                       scores=np.zeros((n, len(SCORES))), unusual=np.zeros(n, dtype=bool))
    labelled = bool(reference is not None and MIN_CURVES <= np.count_nonzero(reference) < n)
    mask = np.asarray(reference, dtype=bool) if labelled else np.ones(n, dtype=bool)
    holes = space.gaps(profiles.mean, mask)
    profiles = space.filled(profiles, holes)
    ctx = _context(profiles, golden, holes)
    max_shift = max(int(round(MAX_SHIFT_SHARE * len(ctx.x))), 1)
    measures = kernel.shape_measures(profiles.mean, profiles.low, profiles.high, ctx.centre,
                                     ctx.sigma, max_shift, _joint(ctx))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN curves stay NaN
        shape = outlier_features.curve_features(ctx.x, profiles.mean)
        measures = np.column_stack([
            measures, measures[:, kernel.SHIFT] - measures[:, kernel.SHIFT_END],
            shape[:, outlier_features.KNEE_X], shape[:, outlier_features.FALL_X],
            (measures[:, kernel.SHIFT] + measures[:, kernel.SHIFT_END]) / 2])
        features = measures[:, list(FEATURES)]
        ref = features[mask]
        z = _robust_z(features, _floors(ctx), ref)
        z = np.column_stack([z, _robust_z(shape, _shape_floors(ctx), shape[mask])])
        where = space.project(profiles.mean, ctx.centre, mask)
        near = space.neighbour_distance(where)[:, None]
        floor = np.array([0.002 * ctx.y_span * np.sqrt(max(len(where.bins), 1))])
        scores = _scores(z, _robust_z(near, floor, near[mask])[:, 0])
        gain = measures[:, kernel.GAIN] / np.nanmedian(ref[:, _COLUMN[kernel.GAIN]])
        scores[gain < MIN_SHAPE_GAIN, 0] = 0.0  # not the golden shape moved: no shift
        scores = _calibrated(scores, scores[mask], labelled=labelled)
        combined = np.max(np.nan_to_num(scores, nan=0.0), axis=1)
    empty = np.all(np.isnan(profiles.mean), axis=1)
    combined = np.where(empty, np.nan, combined)
    order = np.lexsort((ids, np.where(empty, np.inf, -combined)))
    usual = _Usual(shift=float(np.nanmedian(measures[:, kernel.SHIFT])),
                   shift_end=float(np.nanmedian(measures[:, kernel.SHIFT_END])),
                   gain=float(np.nanmedian(measures[:, kernel.GAIN])),
                   offset=float(np.nanmedian(measures[:, kernel.OFFSET])),
                   spread=float(np.nanmedian(measures[:, kernel.SPREAD])),
                   curvature=float(np.nanmedian(measures[:, kernel.CURVATURE])),
                   knee_x=float(np.nanmedian(measures[:, OWN_KNEE_X])),
                   fall_x=float(np.nanmedian(measures[:, OWN_FALL_X])))
    shown = order[:explain]
    unlike = _unlike(ctx, profiles.mean, where, shown, "OK curves" if labelled else "curves")
    reasons = [_reason(ctx, usual, measures[i], z[i], scores[i], unlike[j])
               if not empty[i] else "no samples in this x range" for j, i in enumerate(shown)]
    unusual = np.array([_headline(row) >= 0 for row in scores], dtype=bool) & ~empty
    return Ranking(curve_ids=ids[order], score=combined[order], reasons=reasons,
                   scores=scores[order], unusual=unusual[order])


def _context(profiles: Profiles, golden: Golden, holes: space.Gaps) -> _Context:
    on = regrid(golden, profiles)
    on = Golden(x=on.x, center=holes.fill(on.center), lower=holes.fill(on.lower),
                upper=holes.fill(on.upper), n_curves=on.n_curves, method=on.method,
                band=on.band)
    centre = on.center.astype(np.float64)
    finite = np.isfinite(centre)
    if finite.sum() < 2:
        raise ValidationError("The golden curve has no values in this x range: zoom out or "
                              "choose another golden curve.")
    span = float(np.nanmax(centre) - np.nanmin(centre))
    span = span if span > 0 else max(float(np.nanmax(np.abs(centre))), 1.0)
    x = np.asarray(profiles.x, dtype=np.float64)
    own = outlier_features.curve_features(x, centre[None, :])[0]
    return _Context(x=x, dx=profiles.dx, centre=centre, sigma=_sigma(on, span), y_span=span,
                    peak_bin=int(np.nanargmax(centre)),
                    knee_x=float(own[outlier_features.KNEE_X]),
                    fall_x=float(own[outlier_features.FALL_X]))


def _joint(ctx: _Context) -> int:
    """Where the centre's two separately aligned parts meet: halfway from its steepest rise
    (the knee) to its steepest fall (the end), so each part holds one of them; the middle
    of the grid when the centre does not rise before it falls."""
    if np.isfinite(ctx.knee_x) and np.isfinite(ctx.fall_x) and ctx.knee_x < ctx.fall_x:
        return int(round(((ctx.knee_x + ctx.fall_x) / 2 - ctx.x[0]) / ctx.dx))
    return len(ctx.x) // 2


def _sigma(golden: Golden, span: float) -> np.ndarray:
    """The golden band as a standard deviation per bin (a floor where it is narrow or
    missing): the unit of a local deviation."""
    if golden.method == "mean-sigma":
        per = golden.band
    else:
        per = NormalDist().inv_cdf(1 - min(max(golden.band, 0.5), 49.5) / 100)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sigma = (golden.upper - golden.lower).astype(np.float64) / (2 * per)
        typical = np.nanmedian(sigma) if np.isfinite(sigma).any() else 0.0
    floor = max(0.25 * float(np.nan_to_num(typical)), 0.002 * span)
    return np.fmax(np.nan_to_num(sigma, nan=floor), floor)


def _floors(ctx: _Context) -> np.ndarray:
    """The smallest scale of each feature (identical curves have a MAD of 0)."""
    y = 0.002 * ctx.y_span
    per_feature = {kernel.SHIFT: 0.5, kernel.SHIFT_END: 0.5, KNEE_TO_END: 0.5,
                   MEAN_SHIFT: 0.5, kernel.GAIN: 0.002,
                   kernel.OFFSET: y,
                   kernel.RESIDUAL: y, kernel.SLOPE_RESIDUAL: y, kernel.LOCAL: 0.25,
                   kernel.SPREAD: y, kernel.CURVATURE: y,
                   kernel.MISSING: 2.0 / max(int(np.isfinite(ctx.centre).sum()), 1)}
    return np.array([per_feature[k] for k in FEATURES])


def _shape_floors(ctx: _Context) -> np.ndarray:
    """The smallest scale of each of the curve features (``outlier_features.NAMES``)."""
    y, width = 0.002 * ctx.y_span, ctx.dx * len(ctx.x)
    return np.array([y, ctx.dx, y, y * width, ctx.dx, y / width, ctx.dx, y / width])


def _robust_z(values: np.ndarray, floors: np.ndarray, ref: np.ndarray | None = None
              ) -> np.ndarray:
    """(value − median) / max(1.4826 · MAD, floor), per column, median and MAD of ``ref``
    (default ``values``)."""
    ref = values if ref is None else ref
    median = np.nanmedian(ref, axis=0)
    mad = 1.4826 * np.nanmedian(np.abs(ref - median), axis=0)
    scale = np.fmax(np.nan_to_num(mad), floors)
    return (values - np.nan_to_num(median)) / scale


def _col(z: np.ndarray, measure: int) -> np.ndarray:
    return z[..., _COLUMN[measure]]


def _scores(z: np.ndarray, near: np.ndarray) -> np.ndarray:
    """The ``SCORES`` columns from the features' z scores and the neighbour distance's."""
    up = np.clip(z, 0, None)
    unique = np.delete(z, _COLUMN[MEAN_SHIFT], axis=1)  # the forest sees each shift once
    forest = _isolation(np.clip(np.nan_to_num(unique), -1e3, 1e3))
    return np.column_stack([
        np.fmax.reduce(np.abs(z[:, [_COLUMN[m] for m in SHIFTS]]), axis=1),
        np.abs(_col(z, kernel.GAIN)),
        np.fmax(np.fmax(_col(up, kernel.RESIDUAL), _col(up, kernel.SLOPE_RESIDUAL)),
                _col(up, kernel.LOCAL)),
        np.fmax(_col(up, kernel.SPREAD), _col(up, kernel.CURVATURE)),
        _col(up, kernel.MISSING), np.clip(near, 0, None), forest])


def _calibrated(scores: np.ndarray, ref: np.ndarray, *, labelled: bool) -> np.ndarray:
    """Each score mapped so that its tail over the reference curves is a normal one's: the
    reference's two ``TAIL`` quantiles (``TAIL_UNLABELLED`` when the reference is every
    curve, defects included) go to the half-normal's, linearly, and on beyond them. A score
    that is the largest of several measures (shape) has a longer tail than a single one
    (level), a measure the process bounds (x shift within a tolerance) a shorter one; after
    this the same value is about equally rare for every score, so the largest can rank.
    With labelled reference curves (all OK), a score whose tail beyond the upper quantile is
    longer than a normal one's (a few OK curves with a residual far out) is compressed
    there, so that the largest reference value goes to the normal's largest of as many
    draws, and goes on at the usual slope beyond it: an OK curve's rare residual does not
    outrank a defect that is beyond every OK curve on a bounded measure (a shift just past
    the tolerance). The isolation score then counts at ``ISOLATION_WEIGHT``, the
    neighbour score at ``NEIGHBOUR_WEIGHT``."""
    levels = TAIL if labelled else TAIL_UNLABELLED
    low, high = np.quantile(np.nan_to_num(ref, nan=0.0), levels, axis=0)
    n_low, n_high = (NormalDist().inv_cdf(0.5 + q / 2) for q in levels)
    slope = (n_high - n_low) / np.clip(high - low, (n_high - n_low) / MAX_STRETCH, None)
    mapped = n_low + (scores - low) * slope
    if labelled:  # a long tail among the OK curves: their largest goes to a normal's largest
        top = np.max(np.nan_to_num(ref, nan=0.0), axis=0)
        n_top = NormalDist().inv_cdf(1 - 0.25 / len(ref))
        between = np.fmin((n_top - n_high) / np.fmax(top - high, 1e-9), slope)
        at_top = n_high + (top - high) * between
        mapped = np.where(scores <= high, mapped, np.where(
            scores <= top, n_high + (scores - high) * between,
            at_top + (scores - top) * slope))
    out = np.where(scores > 0, np.fmax(mapped, 0.0), 0.0)
    out[np.isnan(scores)] = np.nan
    out[:, -1] *= ISOLATION_WEIGHT
    out[:, NEIGHBOURS] *= NEIGHBOUR_WEIGHT
    return out


def _isolation(points: np.ndarray) -> np.ndarray:
    """Robust z of each curve's isolation-forest anomaly score (shorter paths: higher)."""
    sample = min(TREE_SAMPLE, len(points))
    forest = kernel.grow_forest(points, n_trees=N_TREES, sample=sample, seed=SEED)
    depth = kernel.path_lengths(points, *forest)
    anomaly = 2.0 ** (-depth / max(kernel.average_path(sample), 1.0))
    return np.clip(_robust_z(anomaly[:, None], np.array([0.01]))[:, 0], 0, None)


# ----------------------------------------------------------------------------- reasons

def _x(value: float) -> str:
    return f"{value:.3g}"


def _percent(dev: float, base: float) -> str:
    return f"{abs(dev) / base * 100:.0f} % {'high' if dev > 0 else 'low'}"


def _headline(s: np.ndarray) -> int:
    """The score (index in ``SCORES``) a curve's reason names: of the scores that name a
    deviation, the largest when it is unusual; else the nearest usual curves' or the
    mix's when unusual (before its weight); -1 when every one is within the usual
    variation."""
    concrete = np.nan_to_num(s[:NEIGHBOURS], nan=-1.0)
    which = int(np.argmax(concrete))
    if concrete[which] >= USUAL:
        return which
    if s[NEIGHBOURS] >= NEIGHBOUR_WEIGHT * USUAL:
        return NEIGHBOURS
    return len(SCORES) - 1 if s[-1] >= USUAL else -1


def _reason(ctx: _Context, usual: _Usual, m: np.ndarray, z: np.ndarray, s: np.ndarray,
            unlike: str) -> str:
    """One curve's largest score in words: of the scores that name a deviation (a shift,
    a level, a bump, noise, a gap) when one is unusual, else where the curve differs from
    its nearest usual curves (``unlike``), else the isolation score's mix: a named
    deviation says more."""
    which = _headline(s)
    if which < 0:
        return WITHIN
    name = SCORES[which]
    level = SCORES.index("level")
    if usual.gain and abs(m[kernel.GAIN] / usual.gain - 1) >= HEADLINE_GAIN or (
            name == "shape" and s[level] >= max(USUAL, LEVEL_SHARE * s[which])):
        name = "level"  # a curve this much higher or lower: that is the news
    if name == "shift":
        knee, end = abs(_col(z, kernel.SHIFT)), abs(_col(z, kernel.SHIFT_END))
        if knee >= end or abs(_col(z, KNEE_TO_END)) < USUAL:  # the whole curve: its knee
            return _moved("knee", (m[kernel.SHIFT] - usual.shift) * ctx.dx, ctx.knee_x,
                          m[OWN_KNEE_X], usual.knee_x, ctx.dx)
        return _moved("drop", (m[kernel.SHIFT_END] - usual.shift_end) * ctx.dx, ctx.fall_x,
                      m[OWN_FALL_X], usual.fall_x, ctx.dx)
    if name == "level":
        return _level(ctx, usual, m, z)
    if name == "noise":
        return _noise(usual, m, z)
    if name == "missing":
        return _gap(ctx, m)
    if name == "neighbours":
        return unlike
    if name == "isolation":
        top = np.argsort(-np.abs(np.nan_to_num(z)), kind="stable")[:2]
        words = [*FEATURES.values(), *outlier_features.NAMES]
        return "unusual mix of " + " and ".join(words[k] for k in top)
    return _shape(ctx, m)


def _noise(usual: _Usual, m: np.ndarray, z: np.ndarray) -> str:
    """"noisy (4.1× the usual spread)" when the spread within each bin made the noise
    score, "jagged (2.3× the usual curvature)" when the bin-to-bin bends did."""
    jagged = _col(z, kernel.CURVATURE) > _col(z, kernel.SPREAD)
    word, measure, base = ("jagged", "curvature", usual.curvature) if jagged else (
        "noisy", "spread", usual.spread)
    times = m[kernel.CURVATURE if jagged else kernel.SPREAD] / base if base > 0 else np.nan
    return f"{word} ({times:.1f}× the usual {measure})" if np.isfinite(times) else word


def _moved(what: str, shift: float, golden_at: float, own_at: float, usual_at: float,
           dx: float) -> str:
    """"late knee at x 0.51 (+0.05)": where the curve's own knee (steepest rise) or drop
    (steepest fall) is when it agrees with the aligned part's shift, else the golden one's
    moved by that shift."""
    moved = own_at - usual_at
    if not (np.isfinite(moved) and moved * shift > 0
            and abs(moved - shift) <= max(0.5 * abs(shift), 2 * dx)):
        own_at, moved = golden_at + shift, shift
    return f"{'late' if moved > 0 else 'early'} {what} at x {_x(own_at)} ({moved:+.2g})"


def _level(ctx: _Context, usual: _Usual, m: np.ndarray, z: np.ndarray) -> str:
    peak = float(ctx.centre[ctx.peak_bin])
    off_gain = usual.gain != 0 and abs(m[kernel.GAIN] / usual.gain - 1) >= HEADLINE_GAIN
    if (off_gain or abs(_col(z, kernel.GAIN)) >= abs(_col(z, kernel.OFFSET))) and peak != 0 \
            and usual.gain != 0:
        gain = m[kernel.GAIN] / usual.gain - 1
        return f"peak {_percent(gain * peak, abs(peak))} at x {_x(ctx.x[ctx.peak_bin])}"
    offset = m[kernel.OFFSET] - usual.offset
    return f"offset {offset / ctx.y_span * 100:+.0f} % of the range"


def _gap(ctx: _Context, m: np.ndarray) -> str:
    first, last = int(m[kernel.GAP_FIRST]), int(m[kernel.GAP_LAST])
    if first < 0:
        return "missing samples"
    x0, x1 = ctx.x[first] - ctx.dx / 2, ctx.x[last] + ctx.dx / 2
    valid = np.flatnonzero(np.isfinite(ctx.centre))
    if last >= valid[-1]:
        return f"ends early at x {_x(x0)}"
    if first <= valid[0]:
        return f"starts late at x {_x(x1)}"
    return f"missing segment x {_x(x0)}–{_x(x1)}"


def _shape(ctx: _Context, m: np.ndarray) -> str:
    dev, at = float(m[kernel.LOCAL_DEV]), float(m[kernel.LOCAL_BIN])
    if not np.isfinite(dev):
        return "shape differs"
    x = ctx.x[0] + at * ctx.dx
    near_peak = abs(at - ctx.peak_bin) <= max(2, int(0.03 * len(ctx.x)))
    if near_peak and ctx.centre[ctx.peak_bin] != 0:
        return f"peak {_percent(dev, abs(ctx.centre[ctx.peak_bin]))} at x {_x(x)}"
    if m[kernel.LOCAL_WIDTH] <= LOCAL_WIDTH:
        kind = "extra peak" if dev > 0 else "dip"
        return f"{kind} at x {_x(x)} ({dev / ctx.y_span * 100:+.0f} % of the range)"
    return f"{'high' if dev > 0 else 'low'} around x {_x(x)} ({dev / ctx.y_span * 100:+.0f} % " \
        "of the range)"


def _unlike(ctx: _Context, mean: np.ndarray, where: space.Space, rows: np.ndarray,
            who: str) -> list[str]:
    """Per curve of ``rows``: "shape differs from its 5 nearest OK curves at x 40–80
    (+12 % of the range)" (``outlier_space.differences``)."""
    first, last, dev, k = space.differences(where, mean, rows)
    out = []
    for a, b, d in zip(first.tolist(), last.tolist(), dev.tolist(), strict=True):
        if not np.isfinite(d):
            out.append(f"shape differs from its nearest {who}")
            continue
        x0, x1 = ctx.x[a] - ctx.dx / 2, ctx.x[b] + ctx.dx / 2
        out.append(f"shape differs from its {k} nearest {who} at x {_x(x0)}–{_x(x1)} "
                   f"({d / ctx.y_span * 100:+.0f} % of the range)")
    return out
