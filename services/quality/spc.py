"""Statistical process control: control limits, run rules and capability.

Charts: X̄-R (subgroups of 2 to 8), X̄-S (9 or more), I-MR (individuals) and the p-chart
(fraction defective, limits per point). Limits always come from a *baseline* sample and are
then applied to the points being judged, so a drifting process cannot widen its own limits.

The range constants d2, d3, A2, D3, D4 and E2 are the published table (NIST/SEMATECH
e-Handbook §6.3.2, Montgomery, Appendix VI); c4 comes from the gamma function and A3, B3, B4
from c4. The tests compare every factor with the published tables to three decimals.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from lyceum.errors import ValidationError

#: Range-chart constants by subgroup size, as published (Montgomery, Appendix VI; NIST
#: e-Handbook §6.3.2): (d2, d3, A2, D3, D4, E2). The tables round each factor from more
#: precise d2 and d3, so the factors are used as printed rather than re-derived.
RANGE_TABLE: dict[int, tuple[float, float, float, float, float, float]] = {
    2: (1.128, 0.853, 1.880, 0.0, 3.267, 2.660), 3: (1.693, 0.888, 1.023, 0.0, 2.574, 1.772),
    4: (2.059, 0.880, 0.729, 0.0, 2.282, 1.457), 5: (2.326, 0.864, 0.577, 0.0, 2.114, 1.290),
    6: (2.534, 0.848, 0.483, 0.0, 2.004, 1.184), 7: (2.704, 0.833, 0.419, 0.076, 1.924, 1.109),
    8: (2.847, 0.820, 0.373, 0.136, 1.864, 1.054), 9: (2.970, 0.808, 0.337, 0.184, 1.816, 1.010),
    10: (3.078, 0.797, 0.308, 0.223, 1.777, 0.975)}
#: d2 (mean of the relative range) by subgroup size.
D2: dict[int, float] = {n: row[0] for n, row in RANGE_TABLE.items()}
#: d3 (standard deviation of the relative range) by subgroup size.
D3_SD: dict[int, float] = {n: row[1] for n, row in RANGE_TABLE.items()}
MAX_RANGE_SUBGROUP = 8
CHART_TYPES: tuple[str, ...] = ("xbar_r", "xbar_s", "imr")
WESTERN_ELECTRIC: tuple[str, ...] = ("we1", "we2", "we3", "we4")
NELSON: tuple[str, ...] = tuple(f"nelson{i}" for i in range(1, 9))
RULE_LABELS: dict[str, str] = {
    "we1": "WE1: one point beyond 3σ",
    "we2": "WE2: 2 of 3 beyond 2σ, same side",
    "we3": "WE3: 4 of 5 beyond 1σ, same side",
    "we4": "WE4: 8 in a row on one side",
    "nelson1": "N1: one point beyond 3σ",
    "nelson2": "N2: 9 in a row on one side",
    "nelson3": "N3: 6 in a row steadily rising or falling",
    "nelson4": "N4: 14 in a row alternating up and down",
    "nelson5": "N5: 2 of 3 beyond 2σ, same side",
    "nelson6": "N6: 4 of 5 beyond 1σ, same side",
    "nelson7": "N7: 15 in a row within 1σ",
    "nelson8": "N8: 8 in a row outside 1σ, either side",
}


def c4(n: int) -> float:
    """c4(n) = sqrt(2/(n-1)) Γ(n/2) / Γ((n-1)/2): the bias of the sample standard deviation."""
    if n < 2:
        raise ValidationError("A subgroup needs at least 2 values.")
    return math.sqrt(2.0 / (n - 1)) * math.exp(math.lgamma(n / 2) - math.lgamma((n - 1) / 2))


def d2(n: int) -> float:
    """d2: the mean of the relative range of ``n`` normal values (published table)."""
    return _d2(n)


def a2(n: int) -> float:
    """A2 ≈ 3 / (d2 √n): X̄ limits from the mean range."""
    return RANGE_TABLE[_check_n(n)][2]


def e2(n: int) -> float:
    """E2 ≈ 3 / d2: individuals limits from the mean moving range of span ``n``."""
    return RANGE_TABLE[_check_n(n)][5]


def d3_factor(n: int) -> float:
    """D3 ≈ max(0, 1 − 3 d3/d2): lower range-chart factor."""
    return RANGE_TABLE[_check_n(n)][3]


def d4_factor(n: int) -> float:
    """D4 ≈ 1 + 3 d3/d2: upper range-chart factor."""
    return RANGE_TABLE[_check_n(n)][4]


def a3(n: int) -> float:
    """A3 = 3 / (c4 √n): X̄ limits from the mean standard deviation."""
    return 3.0 / (c4(n) * math.sqrt(n))


def b3(n: int) -> float:
    """B3 = max(0, 1 − 3 √(1 − c4²) / c4): lower S-chart factor."""
    c = c4(n)
    return max(0.0, 1.0 - 3.0 * math.sqrt(1.0 - c * c) / c)


def b4(n: int) -> float:
    """B4 = 1 + 3 √(1 − c4²) / c4: upper S-chart factor."""
    c = c4(n)
    return 1.0 + 3.0 * math.sqrt(1.0 - c * c) / c


def _check_n(n: int) -> int:
    if n not in D2:
        raise ValidationError(f"Subgroup size must be 2 to {max(D2)} for range-based limits.")
    return n


def _d2(n: int) -> float:
    return D2[_check_n(n)]


@dataclass(frozen=True)
class Limits:
    """Centre line and control limits of one chart (constant across points)."""

    center: float
    lcl: float
    ucl: float

    @property
    def sigma(self) -> float:
        """One standard deviation of the plotted statistic ((UCL − CL) / 3)."""
        return (self.ucl - self.center) / 3.0


@dataclass(frozen=True)
class ChartLimits:
    """Limits of a two-panel chart: the location chart and its dispersion chart."""

    kind: str
    subgroup: int
    location: Limits
    dispersion: Limits
    sigma_within: float


def subgroups(values: Sequence[float] | np.ndarray, size: int) -> np.ndarray:
    """Consecutive values cut into rows of ``size`` (an incomplete last group is dropped)."""
    if size < 2:
        raise ValidationError("A subgroup needs at least 2 values.")
    data = np.asarray(values, dtype=np.float64)
    k = len(data) // size
    return data[: k * size].reshape(k, size)


def _need(groups: np.ndarray, minimum: int = 2) -> None:
    if groups.ndim != 2 or groups.shape[0] < minimum:
        raise ValidationError(f"The baseline needs at least {minimum} subgroups.")


def xbar_r_from(grand: float, rbar: float, n: int) -> ChartLimits:
    """X̄-R limits from a grand mean and a mean range of subgroups of ``n``."""
    if n > MAX_RANGE_SUBGROUP:
        raise ValidationError("Use the X̄-S chart for subgroups of 9 or more.")
    return ChartLimits("xbar_r", n, Limits(grand, grand - a2(n) * rbar, grand + a2(n) * rbar),
                       Limits(rbar, d3_factor(n) * rbar, d4_factor(n) * rbar), rbar / _d2(n))


def xbar_s_from(grand: float, sbar: float, n: int) -> ChartLimits:
    """X̄-S limits from a grand mean and a mean standard deviation of subgroups of ``n``."""
    if n <= MAX_RANGE_SUBGROUP:
        raise ValidationError("Use the X̄-R chart for subgroups of 8 or fewer.")
    return ChartLimits("xbar_s", n, Limits(grand, grand - a3(n) * sbar, grand + a3(n) * sbar),
                       Limits(sbar, b3(n) * sbar, b4(n) * sbar), sbar / c4(n))


def imr_from(mean: float, mrbar: float) -> ChartLimits:
    """Individuals and moving-range limits from a mean and a mean moving range (span 2)."""
    return ChartLimits("imr", 1, Limits(mean, mean - e2(2) * mrbar, mean + e2(2) * mrbar),
                       Limits(mrbar, 0.0, d4_factor(2) * mrbar), mrbar / D2[2])


def xbar_r_limits(groups: np.ndarray) -> ChartLimits:
    """X̄-R limits from baseline subgroups (2 to 8 values each)."""
    groups = np.asarray(groups, dtype=np.float64)
    _need(groups)
    return xbar_r_from(float(groups.mean()), float(np.ptp(groups, axis=1).mean()),
                       groups.shape[1])


def xbar_s_limits(groups: np.ndarray) -> ChartLimits:
    """X̄-S limits from baseline subgroups (9 or more values each)."""
    groups = np.asarray(groups, dtype=np.float64)
    _need(groups)
    return xbar_s_from(float(groups.mean()), float(groups.std(axis=1, ddof=1).mean()),
                       groups.shape[1])


def imr_limits(values: Sequence[float] | np.ndarray) -> ChartLimits:
    """Individuals and moving-range limits (moving ranges of 2, d2 = 1.128)."""
    data = np.asarray(values, dtype=np.float64)
    if len(data) < 3:
        raise ValidationError("The baseline needs at least 3 individual values.")
    return imr_from(float(data.mean()), float(np.abs(np.diff(data)).mean()))


def chart_limits(kind: str, baseline: Sequence[float] | np.ndarray, *,
                 size: int = 5) -> ChartLimits:
    """Limits of chart ``kind`` ("xbar_r", "xbar_s", "imr") from baseline values in order."""
    if kind == "imr":
        return imr_limits(baseline)
    if kind == "xbar_r":
        return xbar_r_limits(subgroups(baseline, size))
    if kind == "xbar_s":
        return xbar_s_limits(subgroups(baseline, size))
    raise ValidationError(f"Unknown chart type; use one of {', '.join(CHART_TYPES)}.")


def plotted(kind: str, values: Sequence[float] | np.ndarray, *,
            size: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The statistics a chart plots for ``values``: (location, dispersion) per point."""
    data = np.asarray(values, dtype=np.float64)
    if kind == "imr":
        return data, np.concatenate(([np.nan], np.abs(np.diff(data))))
    groups = subgroups(data, size)
    spread = np.ptp(groups, axis=1) if kind == "xbar_r" else groups.std(axis=1, ddof=1)
    return groups.mean(axis=1), spread


@dataclass(frozen=True)
class PChart:
    """A p-chart: fraction defective per sample with limits per sample size."""

    p: np.ndarray
    center: float
    lcl: np.ndarray
    ucl: np.ndarray


def p_chart(defective: Sequence[int], sizes: Sequence[int], *, baseline_p: float) -> PChart:
    """Fractions ``defective/sizes`` judged against ``baseline_p`` (limits vary with n)."""
    d, n = np.asarray(defective, dtype=np.float64), np.asarray(sizes, dtype=np.float64)
    if len(d) != len(n) or np.any(n <= 0) or np.any(d < 0) or np.any(d > n):
        raise ValidationError("Each sample needs a positive size and 0 to n defectives.")
    if not 0.0 <= baseline_p <= 1.0:
        raise ValidationError("The baseline fraction defective must be between 0 and 1.")
    half = 3.0 * np.sqrt(baseline_p * (1.0 - baseline_p) / n)
    return PChart(d / n, baseline_p, np.maximum(0.0, baseline_p - half),
                  np.minimum(1.0, baseline_p + half))


@dataclass(frozen=True)
class Capability:
    """Process capability against specification limits (σ within subgroups)."""

    cp: float | None
    cpk: float | None
    mean: float
    sigma: float


def capability(mean: float, sigma: float, *, lsl: float | None,
               usl: float | None) -> Capability:
    """Cp = (USL − LSL)/6σ; Cpk = min(USL − μ, μ − LSL)/3σ (one-sided if a limit is missing)."""
    if sigma <= 0 or not math.isfinite(sigma):
        raise ValidationError("Capability needs a positive, finite standard deviation.")
    if lsl is None and usl is None:
        raise ValidationError("Capability needs at least one specification limit.")
    if lsl is not None and usl is not None and not lsl < usl:
        raise ValidationError("The lower specification limit must be below the upper one.")
    cp = (usl - lsl) / (6 * sigma) if lsl is not None and usl is not None else None
    sides = [(usl - mean) / (3 * sigma)] if usl is not None else []
    sides += [(mean - lsl) / (3 * sigma)] if lsl is not None else []
    return Capability(cp, min(sides), mean, sigma)


@dataclass(frozen=True)
class RuleResult:
    """Indices of the points at which each rule fired (the point completing the pattern)."""

    flags: dict[str, list[int]] = field(default_factory=dict)

    def flagged(self) -> list[int]:
        """Every flagged index, sorted, once."""
        return sorted({i for found in self.flags.values() for i in found})

    def any(self) -> bool:
        """True if any rule fired."""
        return any(self.flags.values())


def _k_of_m(cond: np.ndarray, k: int, m: int) -> np.ndarray:
    """Index i where at least k of the m points ending at i satisfy ``cond``, i itself too."""
    counts = np.convolve(cond.astype(np.int64), np.ones(m, dtype=np.int64))[: len(cond)]
    return (counts >= k) & cond


def _run(cond: np.ndarray, length: int) -> np.ndarray:
    """Index i where ``cond`` held for the ``length`` points ending at i."""
    out, streak = np.zeros(len(cond), dtype=bool), 0
    for i, ok in enumerate(cond):
        streak = streak + 1 if ok else 0
        out[i] = streak >= length
    return out


def run_rules(values: Sequence[float] | np.ndarray, limits: Limits,
              *, rules: Sequence[str] = WESTERN_ELECTRIC + NELSON) -> RuleResult:
    """Western Electric and Nelson rules on ``values`` judged against ``limits``."""
    sigma = limits.sigma
    if sigma <= 0:
        raise ValidationError("The control limits must be wider than the centre line.")
    z = (np.asarray(values, dtype=np.float64) - limits.center) / sigma
    return run_rules_z(z, rules=rules)


def run_rules_z(z: Sequence[float] | np.ndarray, *,
                rules: Sequence[str] = WESTERN_ELECTRIC + NELSON) -> RuleResult:
    """The rules on standardised points ``(x − CL) / σ`` (σ may vary per point, as on p and
    u charts with unequal subgroups)."""
    unknown = set(rules) - set(RULE_LABELS)
    if unknown:
        raise ValidationError(f"Unknown rules: {', '.join(sorted(unknown))}.")
    z = np.nan_to_num(np.asarray(z, dtype=np.float64))
    diff = np.sign(np.diff(z))
    above, below = z > 0, z < 0
    checks = {
        "we1": np.abs(z) > 3, "nelson1": np.abs(z) > 3,
        "we2": _k_of_m(z > 2, 2, 3) | _k_of_m(z < -2, 2, 3),
        "nelson5": _k_of_m(z > 2, 2, 3) | _k_of_m(z < -2, 2, 3),
        "we3": _k_of_m(z > 1, 4, 5) | _k_of_m(z < -1, 4, 5),
        "nelson6": _k_of_m(z > 1, 4, 5) | _k_of_m(z < -1, 4, 5),
        "we4": _run(above, 8) | _run(below, 8),
        "nelson2": _run(above, 9) | _run(below, 9),
        "nelson3": np.concatenate(([False], _run(diff > 0, 5) | _run(diff < 0, 5))),
        "nelson4": np.concatenate(([False], _run(np.concatenate(
            ([False], diff[1:] * diff[:-1] < 0)), 12))),
        "nelson7": _run(np.abs(z) < 1, 15),
        "nelson8": _run(np.abs(z) > 1, 8),
    }
    return RuleResult({rule: np.flatnonzero(checks[rule]).tolist() for rule in rules})
