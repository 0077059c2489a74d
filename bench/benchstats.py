"""Percentiles as the benches report them."""

from __future__ import annotations

import math
from collections.abc import Iterable


def percentile(values: Iterable[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (``0 < q <= 1``) of ``values``: the smallest value
    with at least ``q`` of them at or below it (so a p95 of two values is the larger one);
    NaN when there are none."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[max(math.ceil(q * len(ordered)) - 1, 0)]
