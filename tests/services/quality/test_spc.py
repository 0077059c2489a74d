"""SPC statistics against published tables and worked examples; run rules on synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

from lyceum.errors import ValidationError
from services.quality import spc

# NIST/SEMATECH e-Handbook §6.3.2 (and Montgomery Table VI): n -> (A2, D3, D4).
PUBLISHED_R = {2: (1.880, 0.0, 3.267), 3: (1.023, 0.0, 2.574), 4: (0.729, 0.0, 2.282),
               5: (0.577, 0.0, 2.114), 6: (0.483, 0.0, 2.004), 7: (0.419, 0.076, 1.924),
               8: (0.373, 0.136, 1.864), 9: (0.337, 0.184, 1.816), 10: (0.308, 0.223, 1.777)}
# n -> (c4, A3, B3, B4).
PUBLISHED_S = {2: (0.7979, 2.659, 0.0, 3.267), 5: (0.9400, 1.427, 0.0, 2.089),
               6: (0.9515, 1.287, 0.030, 1.970), 9: (0.9693, 1.032, 0.239, 1.761),
               10: (0.9727, 0.975, 0.284, 1.716), 15: (0.9823, 0.789, 0.428, 1.572),
               20: (0.9869, 0.680, 0.510, 1.490), 25: (0.9896, 0.606, 0.565, 1.435)}


@pytest.mark.parametrize("n", sorted(PUBLISHED_R))
def test_range_factors_match_the_published_table(n: int) -> None:
    a2, d3, d4 = PUBLISHED_R[n]
    assert (spc.a2(n), spc.d3_factor(n), spc.d4_factor(n)) == (a2, d3, d4)


@pytest.mark.parametrize("n", sorted(PUBLISHED_S))
def test_s_factors_match_the_published_table(n: int) -> None:
    c4, a3, b3, b4 = PUBLISHED_S[n]
    assert spc.c4(n) == pytest.approx(c4, abs=0.00006)
    assert spc.a3(n) == pytest.approx(a3, abs=0.0015)
    assert spc.b3(n) == pytest.approx(b3, abs=0.0015)
    assert spc.b4(n) == pytest.approx(b4, abs=0.0015)


def test_xbar_r_worked_example() -> None:
    # Three subgroups of 4: means 10, 11, 12 (grand mean 11), ranges 2, 4, 3 (R̄ = 3).
    groups = np.array([[9, 10, 11, 10], [9, 11, 13, 11], [10, 12, 13, 13]], dtype=float)
    limits = spc.xbar_r_limits(groups)
    assert limits.location.center == pytest.approx(11.0)
    assert limits.dispersion.center == pytest.approx(3.0)
    assert limits.location.ucl == pytest.approx(11 + 0.729 * 3, abs=0.005)
    assert limits.location.lcl == pytest.approx(11 - 0.729 * 3, abs=0.005)
    assert limits.dispersion.ucl == pytest.approx(2.282 * 3, abs=0.01)
    assert limits.dispersion.lcl == 0.0
    assert limits.sigma_within == pytest.approx(3 / 2.059, abs=0.001)


def test_xbar_s_for_large_subgroups_and_refusals() -> None:
    rng = np.random.default_rng(1)
    groups = rng.normal(50.0, 2.0, (40, 10))
    limits = spc.xbar_s_limits(groups)
    sbar = groups.std(axis=1, ddof=1).mean()
    assert limits.location.ucl - limits.location.center == pytest.approx(0.975 * sbar, rel=2e-3)
    assert limits.sigma_within == pytest.approx(2.0, rel=0.1)
    with pytest.raises(ValidationError, match="X̄-S chart for subgroups of 9"):
        spc.xbar_r_limits(groups)
    with pytest.raises(ValidationError, match="X̄-R chart for subgroups of 8"):
        spc.xbar_s_limits(groups[:, :5])


def test_individuals_chart_uses_the_mean_moving_range() -> None:
    values = [10.0, 12.0, 11.0, 13.0, 12.0]  # moving ranges 2, 1, 2, 1 -> MR̄ 1.5
    limits = spc.imr_limits(values)
    assert limits.location.center == pytest.approx(11.6)
    assert limits.location.ucl == pytest.approx(11.6 + 3 * 1.5 / 1.128, abs=1e-3)
    assert limits.dispersion.ucl == pytest.approx(3.267 * 1.5, abs=0.005)


def test_p_chart_limits_vary_with_sample_size() -> None:
    chart = spc.p_chart([2, 5], [100, 400], baseline_p=0.02)
    assert chart.p.tolist() == [0.02, 0.0125]
    assert chart.ucl[0] == pytest.approx(0.02 + 3 * np.sqrt(0.02 * 0.98 / 100))
    assert chart.ucl[1] < chart.ucl[0]
    assert chart.lcl[0] == 0.0
    with pytest.raises(ValidationError, match="positive size"):
        spc.p_chart([3], [2], baseline_p=0.1)


def test_capability_worked_examples() -> None:
    centred = spc.capability(10.0, 1.0, lsl=7.0, usl=13.0)
    assert (centred.cp, centred.cpk) == (pytest.approx(1.0), pytest.approx(1.0))
    shifted = spc.capability(11.0, 1.0, lsl=7.0, usl=13.0)
    assert shifted.cp == pytest.approx(1.0)
    assert shifted.cpk == pytest.approx(2 / 3)
    upper_only = spc.capability(160.0, 2.0, lsl=None, usl=166.0)
    assert upper_only.cp is None and upper_only.cpk == pytest.approx(1.0)
    with pytest.raises(ValidationError, match="lower specification limit must be below"):
        spc.capability(1.0, 1.0, lsl=5.0, usl=4.0)


LIMITS = spc.Limits(center=0.0, lcl=-3.0, ucl=3.0)  # σ = 1


def _fires(rule: str, values: list[float]) -> list[int]:
    return spc.run_rules(values, LIMITS, rules=[rule]).flags[rule]


CALM = [0.3, -0.4, 0.5, -0.2, 0.1, -0.6, 0.4, -0.3] * 2  # alternates every point
CASES: dict[str, tuple[list[float], list[float], int]] = {
    # rule: (must trigger, must not trigger, index at which it triggers first)
    "we1": ([0.0, 0.5, 3.2], [0.0, 2.9, -2.9], 2),
    "nelson1": ([0.0, -3.1], [2.99, -2.99], 1),
    "we2": ([0.0, 2.5, 0.0, 2.2], [2.5, 0.0, 0.0, 2.5, 0.0, -2.5], 3),
    "nelson5": ([-2.1, -2.6], [2.1, -2.1, 0.0, 2.1], 1),
    "we3": ([1.5, 1.2, 0.0, 1.1, 1.3], [1.5, 1.2, 0.0, -1.1, 1.3, 0.0], 4),
    "nelson6": ([-1.5, -1.2, -1.1, -1.3], [1.5, 1.2, -1.1, 1.3], 3),
    "we4": ([0.2] * 8, [0.2] * 7 + [-0.2] + [0.2] * 7, 7),
    "nelson2": ([-0.1] * 9, [-0.1] * 8 + [0.1], 8),
    "nelson3": ([0.0, 0.1, 0.2, 0.3, 0.4, 0.5], [0.0, 0.1, 0.2, 0.3, 0.4, 0.4], 5),
    "nelson4": ([0.1, -0.1] * 7, [0.1, -0.1] * 6 + [0.1, 0.2], 13),
    "nelson7": ([0.1, -0.1, 0.2] * 5, [0.1, -0.1, 0.2] * 4 + [1.5, 0.1, 0.1], 14),
    "nelson8": ([1.5, -1.5] * 4, [1.5, -1.5] * 3 + [0.5, 1.5], 7),
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_rule_triggers_on_its_pattern_and_not_on_a_near_miss(rule: str) -> None:
    hit, miss, first = CASES[rule]
    assert _fires(rule, hit)[0] == first
    assert _fires(rule, miss) == []


def test_all_rules_are_covered_and_a_calm_process_flags_nothing_but_alternation() -> None:
    assert set(CASES) == set(spc.WESTERN_ELECTRIC + spc.NELSON)
    calm = spc.run_rules(CALM, LIMITS)
    assert {rule for rule, found in calm.flags.items() if found} == {"nelson4", "nelson7"}
    random = np.random.default_rng(3).normal(0.0, 0.5, 10)
    assert not spc.run_rules(random, LIMITS, rules=["we1", "nelson1"]).any()
    with pytest.raises(ValidationError, match="Unknown rules: bogus"):
        spc.run_rules([1.0], LIMITS, rules=["bogus"])


def test_chart_limits_dispatch_and_plotted_points() -> None:
    values = np.arange(20, dtype=float)
    assert spc.chart_limits("xbar_r", values, size=5).subgroup == 5
    means, ranges = spc.plotted("xbar_r", values, size=5)
    assert means.tolist() == [2.0, 7.0, 12.0, 17.0]
    assert ranges.tolist() == [4.0] * 4
    with pytest.raises(ValidationError, match="Unknown chart type"):
        spc.chart_limits("cusum", values)


# Montgomery, Introduction to Statistical Quality Control (Appendix VI): n -> (d2, E2).
PUBLISHED_D2_E2 = {2: (1.128, 2.660), 3: (1.693, 1.772), 4: (2.059, 1.457), 5: (2.326, 1.290),
                   6: (2.534, 1.184), 7: (2.704, 1.109), 8: (2.847, 1.054), 9: (2.970, 1.010),
                   10: (3.078, 0.975)}


@pytest.mark.parametrize("n", sorted(PUBLISHED_D2_E2))
def test_d2_and_e2_match_the_published_table(n: int) -> None:
    d2, e2 = PUBLISHED_D2_E2[n]
    assert round(spc.d2(n), 3) == d2
    assert round(spc.e2(n), 3) == e2


@pytest.mark.parametrize("n", sorted(PUBLISHED_R))
def test_tabled_range_factors_agree_with_their_definitions(n: int) -> None:
    d2, d3 = spc.D2[n], spc.D3_SD[n]
    assert spc.a2(n) == pytest.approx(3 / (d2 * n ** 0.5), abs=0.0025)
    assert spc.d3_factor(n) == pytest.approx(max(0.0, 1 - 3 * d3 / d2), abs=0.0025)
    assert spc.d4_factor(n) == pytest.approx(1 + 3 * d3 / d2, abs=0.0025)
    assert spc.e2(n) == pytest.approx(3 / d2, abs=0.0025)


@pytest.mark.parametrize("n", sorted(PUBLISHED_S))
def test_s_factors_round_to_the_published_three_decimals(n: int) -> None:
    c4, a3, b3, b4 = PUBLISHED_S[n]
    assert round(spc.c4(n), 4) == c4
    assert (round(spc.a3(n), 3), round(spc.b3(n), 3), round(spc.b4(n), 3)) == (a3, b3, b4)


def test_montgomery_example_6_1_xbar_r_hard_bake_flow_width() -> None:
    # 25 samples of 5 wafers: x̿ = 1.5056, R̄ = 0.32521 -> X̄ UCL 1.6932, LCL 1.3180;
    # R chart UCL 0.68749, LCL 0 (Montgomery, Example 6.1).
    limits = spc.xbar_r_from(1.5056, 0.32521, 5)
    assert round(limits.location.ucl, 3) == 1.693
    assert round(limits.location.lcl, 3) == 1.318
    assert round(limits.dispersion.ucl, 3) == 0.687
    assert limits.dispersion.lcl == 0.0


def test_montgomery_example_6_3_xbar_s_piston_ring_diameter() -> None:
    # 25 samples of 5 rings: x̿ = 74.001, s̄ = 0.0094 -> X̄ 73.988 to 74.014, S UCL 0.0196
    # (this app draws X̄-S for n >= 9, so the factors of n = 5 are checked directly).
    grand, sbar = 74.001, 0.0094
    assert round(grand + spc.a3(5) * sbar, 3) == 74.014
    assert round(grand - spc.a3(5) * sbar, 3) == 73.988
    assert round(spc.b4(5) * sbar, 4) == 0.0196 and spc.b3(5) == 0.0
    limits = spc.xbar_s_from(grand, sbar, 10)
    assert limits.location.ucl == pytest.approx(grand + 0.975 * sbar, abs=1e-5)
    assert limits.sigma_within == pytest.approx(sbar / 0.9727, rel=1e-4)
    with pytest.raises(ValidationError, match="X̄-R chart for subgroups of 8"):
        spc.xbar_s_from(grand, sbar, 5)


def test_montgomery_example_6_5_individuals_mortgage_loan_costs() -> None:
    # x̄ = 300.5, MR̄ = 7.79 -> UCL 321.22, LCL 279.78; MR UCL 25.45.
    limits = spc.imr_from(300.5, 7.79)
    assert round(limits.location.ucl, 2) == 321.22
    assert round(limits.location.lcl, 2) == 279.78
    assert round(limits.dispersion.ucl, 2) == 25.45


def test_run_rules_on_standardised_points_with_varying_sigma() -> None:
    z = [0.0, 0.5, 3.5, -0.2]
    assert spc.run_rules_z(z, rules=["nelson1"]).flags["nelson1"] == [2]
    assert spc.run_rules_z([float("nan"), 0.1], rules=["nelson1"]).flags["nelson1"] == []
