"""Nearest-rank percentiles (``bench/benchstats.py``)."""

from __future__ import annotations

import math

from benchstats import percentile


def test_a_p95_is_the_nearest_rank_never_below_the_median() -> None:
    assert percentile([875.0, 1141.0], 0.95) == 1141.0
    assert percentile([3.0, 1.0, 2.0], 0.5) == 2.0
    assert percentile(range(1, 101), 0.95) == 95
    assert percentile(range(1, 21), 0.95) == 19
    assert percentile([7.0], 0.95) == 7.0


def test_no_values_give_nan() -> None:
    assert math.isnan(percentile([], 0.95))
