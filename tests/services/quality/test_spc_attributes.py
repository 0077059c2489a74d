"""Attribute charts against Montgomery's worked examples and with unequal subgroups."""

from __future__ import annotations

import numpy as np
import pytest

from lyceum.errors import ValidationError
from services.quality.spc_attributes import Counts, attribute_chart


def _constant(n: int, k: int, total_defective: int, total_defects: int | None = None) -> Counts:
    """``k`` subgroups of ``n`` whose totals are the example's (spread evenly)."""
    per, extra = divmod(total_defective, k)
    defective = [per + (1 if i < extra else 0) for i in range(k)]
    if total_defects is None:
        return Counts.of([n] * k, defective)
    per, extra = divmod(total_defects, k)
    return Counts.of([n] * k, defective, [per + (1 if i < extra else 0) for i in range(k)])


def test_montgomery_example_7_1_p_chart_orange_juice_cans() -> None:
    # 30 samples of 50 cans, 347 nonconforming: p̄ = 0.2313, UCL 0.4102, LCL 0.0524.
    base = _constant(50, 30, 347)
    chart = attribute_chart("p", base, baseline=base)
    assert round(chart.center[0], 4) == 0.2313
    assert round(chart.ucl[0], 4) == 0.4102
    assert round(chart.lcl[0], 4) == 0.0524


def test_np_chart_is_n_times_the_p_chart() -> None:
    base = _constant(50, 30, 347)
    chart = attribute_chart("np", base, baseline=base)
    assert round(chart.center[0], 3) == round(50 * 347 / 1500, 3) == 11.567
    assert round(chart.ucl[0], 2) == 20.51  # 50 × 0.4102
    assert round(chart.lcl[0], 2) == 2.62


def test_montgomery_example_7_3_c_chart_circuit_boards() -> None:
    # 26 boards, 516 nonconformities: c̄ = 19.85, UCL 33.22, LCL 6.48.
    base = _constant(1, 26, 0, 516)
    chart = attribute_chart("c", base, baseline=base)
    assert round(chart.center[0], 2) == 19.85
    assert round(chart.ucl[0], 2) == 33.21  # 19.846 + 3 √19.846 (the book rounds c̄ first)
    assert round(chart.lcl[0], 2) == 6.48


def test_montgomery_example_7_4_u_chart_personal_computers() -> None:
    # 20 samples of 5 computers, ū = 1.93: UCL 3.79, LCL 0.07.
    base = _constant(5, 20, 0, 193)
    chart = attribute_chart("u", base, baseline=base)
    assert round(chart.center[0], 2) == 1.93
    assert round(chart.ucl[0], 2) == 3.79
    assert round(chart.lcl[0], 2) == 0.07


def test_p_and_u_limits_step_with_the_subgroup_size() -> None:
    points = Counts.of([100, 400, 100], [2, 8, 9], [3, 10, 12])
    base = Counts.of([200, 200], [4, 4], [6, 6])
    p = attribute_chart("p", points, baseline=base)
    assert p.center.tolist() == [0.02] * 3
    assert p.ucl[0] == pytest.approx(0.02 + 3 * np.sqrt(0.02 * 0.98 / 100))
    assert p.ucl[1] < p.ucl[0] == p.ucl[2]
    assert p.z[2] > 3  # 9 % against 2 % with n = 100
    u = attribute_chart("u", points, baseline=base)
    assert u.ucl[0] == pytest.approx(0.03 + 3 * np.sqrt(0.03 / 100))
    assert u.ucl[1] < u.ucl[0]
    np_chart = attribute_chart("np", points, baseline=base)
    assert np_chart.center.tolist() == [2.0, 8.0, 2.0]


def test_bad_counts_and_kinds_are_refused() -> None:
    with pytest.raises(ValidationError, match="positive size"):
        Counts.of([10, 0], [1, 0])
    with pytest.raises(ValidationError, match="positive size"):
        Counts.of([10], [11])
    base = Counts.of([10, 10], [1, 2])
    with pytest.raises(ValidationError, match="p, np, u or c"):
        attribute_chart("x", base, baseline=base)
    with pytest.raises(ValidationError, match="at least 2 subgroups"):
        attribute_chart("p", base, baseline=Counts.of([10], [1]))
