"""Attribute control charts: p (fraction defective), np (number defective), u (defects per
unit) and c (defects per subgroup), from counts per subgroup.

Limits come from a baseline's totals and are applied to the judged subgroups; with unequal
subgroup sizes the p, np and u limits step with each subgroup's n (Montgomery, §7.2.2 and
§7.3.1). Lower limits below zero are drawn at zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lyceum.errors import ValidationError

ATTRIBUTE_KINDS: tuple[str, ...] = ("p", "np", "u", "c")
#: What each chart plots, for titles and the axis.
ATTRIBUTE_LABELS: dict[str, str] = {
    "p": "p: fraction defective", "np": "np: number defective",
    "u": "u: defects per unit", "c": "c: defects per subgroup"}


@dataclass(frozen=True)
class AttributeChart:
    """Points with their centre line and (possibly stepped) limits, one value per point."""

    kind: str
    values: np.ndarray
    center: np.ndarray
    lcl: np.ndarray
    ucl: np.ndarray

    @property
    def z(self) -> np.ndarray:
        """Each point in standard deviations from its centre line (0 where σ is 0)."""
        sigma = (self.ucl - self.center) / 3.0
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(sigma > 0, (self.values - self.center) / sigma, 0.0)


@dataclass(frozen=True)
class Counts:
    """Per subgroup: its size n (units inspected), defective units, and defects found."""

    sizes: np.ndarray
    defective: np.ndarray
    defects: np.ndarray

    @classmethod
    def of(cls, sizes: Sequence[int], defective: Sequence[int],
           defects: Sequence[int] | None = None) -> Counts:
        """Checked counts: positive sizes, 0 ≤ defective ≤ n, defects ≥ 0."""
        n = np.asarray(sizes, dtype=np.float64)
        d = np.asarray(defective, dtype=np.float64)
        c = np.asarray(defective if defects is None else defects, dtype=np.float64)
        if not len(n) == len(d) == len(c) or np.any(n <= 0) or np.any(d < 0) or np.any(
                d > n) or np.any(c < 0):
            raise ValidationError("Each subgroup needs a positive size, 0 to n defective units "
                                  "and no negative defect count.")
        return cls(n, d, c)


def _check(kind: str, baseline: Counts) -> None:
    if kind not in ATTRIBUTE_KINDS:
        raise ValidationError("Choose a p, np, u or c chart.")
    if len(baseline.sizes) < 2:
        raise ValidationError("The baseline needs at least 2 subgroups.")


def attribute_chart(kind: str, points: Counts, *, baseline: Counts) -> AttributeChart:
    """Chart ``kind`` of ``points`` with limits from ``baseline`` (which may be the points)."""
    _check(kind, baseline)
    n = points.sizes
    if kind in ("p", "np"):
        pbar = float(baseline.defective.sum() / baseline.sizes.sum())
        if kind == "p":
            center, half = np.full(len(n), pbar), 3 * np.sqrt(pbar * (1 - pbar) / n)
            values, top = points.defective / n, np.ones(len(n))
        else:
            center, half = n * pbar, 3 * np.sqrt(n * pbar * (1 - pbar))
            values, top = points.defective, n
        return AttributeChart(kind, values, center, np.maximum(0.0, center - half),
                              np.minimum(top, center + half))
    if kind == "u":
        ubar = float(baseline.defects.sum() / baseline.sizes.sum())
        center, half = np.full(len(n), ubar), 3 * np.sqrt(ubar / n)
        return AttributeChart(kind, points.defects / n, center,
                              np.maximum(0.0, center - half), center + half)
    cbar = float(baseline.defects.mean())
    center = np.full(len(n), cbar)
    return AttributeChart(kind, points.defects, center,
                          np.full(len(n), max(0.0, cbar - 3 * math.sqrt(cbar))),
                          np.full(len(n), cbar + 3 * math.sqrt(cbar)))
