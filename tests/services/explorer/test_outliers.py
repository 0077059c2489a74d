"""The outlier ranking on small generated sets: every defect kind above the OK curves with
its reason worded right, stable ties, and degenerate input (one curve, constant curves,
NaNs, curves of different lengths, a golden curve outside the range), a population of two
modes, curves sparser than the grid, determinism and the CPU budget."""

from __future__ import annotations

import re
import time
import warnings

import numpy as np
import pytest

from lyceum.errors import ValidationError
from services.explorer import density_kernel, golden, outlier_space, outliers
from services.explorer.curve_queries import Profiles

BINS = 128
N_OK = 40
DEFECTS = {"shifted": 901, "scaled": 902, "noisy": 903, "missing": 904, "bump": 905,
           "flat": 906, "knee": 907}


def _shape(x: np.ndarray, *, shift: float = 0.0, gain: float = 1.0, knee: float = 0.0
           ) -> np.ndarray:
    t, k = x - shift, x - shift - knee
    return gain * (0.1 + 0.9 / (1 + np.exp(-(k - 0.45) / 0.025))) * (0.6 + 0.5 * np.clip(
        k - 0.45, 0, None)) * np.where(t > 0.85, np.exp(-(((t - 0.85) / 0.08) ** 2)), 1.0)


def _curve(rng: np.random.Generator, kind: str = "ok") -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(0, 1, 1500)
    shift, gain, noise = float(rng.normal(0, 0.01)), 1 + float(rng.normal(0, 0.015)), 0.004
    knee = 0.05 if kind == "knee" else 0.0
    if kind in ("shifted", "knee"):  # exactly known, no jitter on top
        shift = 0.07 if kind == "shifted" else 0.0
    if kind == "shifted":
        shift = 0.07
    elif kind == "scaled":
        gain = 1.12
    elif kind == "noisy":
        noise = 0.03
    y = _shape(x, shift=shift, gain=gain, knee=knee) + rng.normal(0, noise, len(x))
    if kind == "bump":
        y += 0.15 * np.exp(-(((x - 0.3) / 0.012) ** 2))
    if kind == "flat":
        y = np.full_like(x, 0.1)
    if kind == "missing":
        keep = (x < 0.6) | (x > 0.7)
        x, y = x[keep], y[keep]
    return x, y


def _profiles(curves: list[tuple[np.ndarray, np.ndarray]], ids: list[int]) -> Profiles:
    x = np.concatenate([c[0] for c in curves]).astype(np.float32)
    y = np.concatenate([c[1] for c in curves]).astype(np.float32)
    starts = np.concatenate([[0], np.cumsum([len(c[0]) for c in curves])]).astype(np.int64)
    mean, low, high = density_kernel.profiles(x, y, starts, np.arange(len(curves)), 0.0, 1.0,
                                              BINS)
    return Profiles(curve_ids=np.asarray(ids, dtype=np.int64),
                    x=(np.arange(BINS) + 0.5) / BINS, mean=mean, low=low, high=high)


def _known_set(seed: int = 3) -> tuple[Profiles, golden.Golden]:
    rng = np.random.default_rng(seed)
    curves = [_curve(rng) for _ in range(N_OK)] + [_curve(rng, k) for k in DEFECTS]
    prof = _profiles(curves, [*range(1, N_OK + 1), *DEFECTS.values()])
    return prof, golden.build(prof, curve_ids=list(range(1, N_OK + 1)))


def _ranked(prof: Profiles, gold: golden.Golden) -> dict[int, tuple[int, str]]:
    ranking = outliers.rank(prof, gold, reference=prof.curve_ids <= N_OK)
    return {int(c): (i, r) for i, (c, r) in enumerate(zip(ranking.curve_ids.tolist(),
                                                          ranking.reasons, strict=True))}


def test_every_defect_kind_is_ranked_above_every_ok_curve() -> None:
    ranked = _ranked(*_known_set())
    worst_defect = max(ranked[cid][0] for cid in DEFECTS.values())
    assert worst_defect == len(DEFECTS) - 1  # the defects fill the top places
    assert all(ranked[cid][1] == "within the usual variation" for cid in range(1, N_OK + 1))


def test_reasons_name_what_is_wrong_and_where() -> None:
    ranked = _ranked(*_known_set())
    reason = {kind: ranked[cid][1] for kind, cid in DEFECTS.items()}
    # the whole curve 0.07 late: its knee (the golden one's steepest rise, ~0.46) too
    shifted = re.fullmatch(r"late knee at x (0\.\d+) \(\+(0\.0\d+)\)", reason["shifted"])
    assert shifted and abs(float(shifted.group(1)) - 0.53) < 0.015
    assert abs(float(shifted.group(2)) - 0.07) < 0.012  # a grid bin and a half
    # only the knee 0.05 late, the end where it was
    knee = re.fullmatch(r"late knee at x (0\.\d+) \(\+(0\.0\d+)\)", reason["knee"])
    assert knee and abs(float(knee.group(1)) - 0.51) < 0.015
    assert abs(float(knee.group(2)) - 0.05) < 0.012
    found = re.fullmatch(r"peak (\d+) % high at x (0\.8\d*)", reason["scaled"])
    assert found and 10 <= int(found.group(1)) <= 14
    assert re.fullmatch(r"noisy \(\d+\.\d× the usual spread\)", reason["noisy"])
    gap = re.fullmatch(r"missing segment x (0\.\d+)–(0\.\d+)", reason["missing"])
    assert gap and abs(float(gap.group(1)) - 0.6) < 0.02 and abs(float(gap.group(2)) - 0.7) < 0.02
    bump = re.fullmatch(r"extra peak at x (0\.\d+) \(\+(\d+) % of the range\)", reason["bump"])
    assert bump and abs(float(bump.group(1)) - 0.3) < 0.02 and 10 <= int(bump.group(2)) <= 20
    assert re.fullmatch(r"peak \d+ % low at x 0\.8\d*", reason["flat"])  # no shift: no shape


def test_bends_from_bin_to_bin_are_jagged_not_noisy() -> None:
    """The noise score is the larger of the spread within bins and the bends between them;
    the reason names the one that made it (a curve noisy at 0.6× the usual spread read as
    a contradiction)."""
    rng = np.random.default_rng(3)
    curves = [_curve(rng) for _ in range(N_OK)]
    x = np.linspace(0, 1, 1500)
    wavy = _shape(x) + rng.normal(0, 0.004, len(x)) + 0.02 * np.sin(2 * np.pi * x * BINS / 4)
    prof = _profiles([*curves, (x, wavy)], [*range(1, N_OK + 1), 999])
    gold = golden.build(prof, curve_ids=list(range(1, N_OK + 1)))
    ranking = outliers.rank(prof, gold, reference=prof.curve_ids <= N_OK)
    assert ranking.curve_ids[0] == 999
    found = re.fullmatch(r"jagged \((\d+\.\d)× the usual curvature\)", ranking.reasons[0])
    assert found and float(found.group(1)) > 3


def test_only_curves_outside_the_usual_variation_are_unusual() -> None:
    prof, gold = _known_set()
    ranking = outliers.rank(prof, gold, reference=prof.curve_ids <= N_OK)
    unusual = set(ranking.curve_ids[ranking.unusual].tolist())
    assert unusual == set(DEFECTS.values())
    within = [r == outliers.WITHIN for r in ranking.reasons]
    assert within == (~ranking.unusual[:len(within)]).tolist()
    few = outliers.rank(_profiles([_curve(rng) for rng in [np.random.default_rng(1)] * 2],
                                  [1, 2]), gold)
    assert not few.unusual.any()


def test_a_late_knee_inside_the_usual_jitter_is_not_an_outlier() -> None:
    rng = np.random.default_rng(5)
    curves = [_curve(rng) for _ in range(N_OK)]
    x = np.linspace(0, 1, 1500)
    curves.append((x, _shape(x, shift=0.012) + rng.normal(0, 0.004, len(x))))
    prof = _profiles(curves, list(range(1, N_OK + 2)))
    ranked = _ranked(prof, golden.build(prof, curve_ids=list(range(1, N_OK + 1))))
    assert ranked[N_OK + 1][1] == "within the usual variation"


def test_ties_keep_curve_id_order_and_constant_curves_rank_as_equals() -> None:
    x = np.linspace(0, 1, 300)
    prof = _profiles([(x, np.full_like(x, 2.0))] * 5, [50, 7, 31, 8, 12])
    ranking = outliers.rank(prof, golden.build(prof))
    assert ranking.curve_ids.tolist() == [7, 8, 12, 31, 50]
    assert ranking.score.tolist() == [0.0] * 5
    assert set(ranking.reasons) == {"within the usual variation"}
    again = outliers.rank(prof, golden.build(prof))
    assert again.curve_ids.tolist() == ranking.curve_ids.tolist()


def test_the_same_curves_always_rank_the_same() -> None:
    prof, gold = _known_set(seed=11)
    first, second = outliers.rank(prof, gold), outliers.rank(prof, gold)
    assert first.curve_ids.tolist() == second.curve_ids.tolist()
    assert np.array_equal(first.score, second.score)


def test_one_or_two_curves_are_too_few_to_rank() -> None:
    x = np.linspace(0, 1, 100)
    prof = _profiles([(x, x), (x, 2 * x)], [4, 3])
    gold = golden.Golden(x=prof.x, center=prof.mean[0], lower=prof.mean[0],
                         upper=prof.mean[1], n_curves=2, method="median-percentile", band=5)
    ranking = outliers.rank(prof, gold)
    assert ranking.curve_ids.tolist() == [3, 4]
    assert ranking.reasons == ["only 2 curves: too few to rank (3 needed)"] * 2
    one = outliers.rank(_profiles([(x, x)], [9]), gold)
    assert one.reasons == ["only 1 curve: too few to rank (3 needed)"]


def test_curves_without_samples_in_range_come_last_with_a_reason() -> None:
    rng = np.random.default_rng(2)
    curves = [_curve(rng) for _ in range(10)] + [(np.array([5.0, 6.0]), np.array([1.0, 1.0]))]
    prof = _profiles(curves, [*range(1, 11), 99])
    ranking = outliers.rank(prof, golden.build(prof, curve_ids=list(range(1, 11))))
    assert ranking.curve_ids[-1] == 99 and np.isnan(ranking.score[-1])
    assert ranking.reasons[-1] == "no samples in this x range"
    assert np.isfinite(ranking.score[:-1]).all()


def test_curves_of_different_lengths_shorter_ones_end_early() -> None:
    rng = np.random.default_rng(4)
    curves = [_curve(rng) for _ in range(20)]
    x, y = _curve(rng)
    curves.append((x[x < 0.8], y[x < 0.8]))
    prof = _profiles(curves, list(range(1, 22)))
    ranking = outliers.rank(prof, golden.build(prof, curve_ids=list(range(1, 21))))
    assert ranking.curve_ids[0] == 21
    assert re.fullmatch(r"ends early at x 0\.8\d*", ranking.reasons[0])


def test_nan_bins_inside_the_golden_curve_are_tolerated() -> None:
    prof, gold = _known_set()
    holed = np.array(gold.center)
    holed[10:14] = np.nan
    gapped = golden.Golden(x=gold.x, center=holed, lower=gold.lower, upper=gold.upper,
                           n_curves=gold.n_curves, method=gold.method, band=gold.band)
    ranked = _ranked(prof, gapped)
    assert max(ranked[cid][0] for cid in DEFECTS.values()) == len(DEFECTS) - 1


def test_a_golden_curve_outside_the_range_is_refused_clearly() -> None:
    prof, gold = _known_set()
    far = golden.Golden(x=gold.x + 10, center=gold.center, lower=gold.lower, upper=gold.upper,
                        n_curves=gold.n_curves, method=gold.method, band=gold.band)
    with pytest.raises(ValidationError, match="no values in this x range"):
        outliers.rank(prof, far)


def test_a_dip_and_a_wide_sag_are_worded_apart() -> None:
    rng = np.random.default_rng(8)
    curves = [_curve(rng) for _ in range(N_OK)]
    x = np.linspace(0, 1, 1500)
    dip = _shape(x) - 0.15 * np.exp(-(((x - 0.7) / 0.012) ** 2))
    sag = _shape(x) - 0.12 * np.exp(-(((x - 0.3) / 0.08) ** 2))
    curves += [(x, dip + rng.normal(0, 0.004, len(x))), (x, sag + rng.normal(0, 0.004, len(x)))]
    prof = _profiles(curves, list(range(1, N_OK + 3)))
    ranked = _ranked(prof, golden.build(prof, curve_ids=list(range(1, N_OK + 1))))
    assert re.fullmatch(r"dip at x 0\.(69|7|70|71)\d* \(-\d+ % of the range\)",
                        ranked[N_OK + 1][1])
    assert re.fullmatch(r"low around x 0\.(29|3|30|31)\d* \(-\d+ % of the range\)",
                        ranked[N_OK + 2][1])
    assert {ranked[N_OK + 1][0], ranked[N_OK + 2][0]} == {0, 1}


def test_a_shift_just_past_a_bounded_jitter_outranks_the_usual_variation() -> None:
    """The OK curves' x jitter is bounded (±0.02): a curve 0.04 late is rarer than any OK
    curve's largest score, though under 3 of their robust standard deviations away."""
    rng = np.random.default_rng(12)
    x = np.linspace(0, 1, 1500)
    curves = [(x, _shape(x, shift=float(s), gain=1 + float(rng.normal(0, 0.015)))
               + rng.normal(0, 0.004, len(x))) for s in rng.uniform(-0.02, 0.02, 60)]
    curves.append((x, _shape(x, shift=0.04) + rng.normal(0, 0.004, len(x))))
    prof = _profiles(curves, list(range(1, 62)))
    ranking = outliers.rank(prof, golden.build(prof, curve_ids=list(range(1, 61))),
                            reference=prof.curve_ids <= 60)
    assert int(ranking.curve_ids[0]) == 61
    assert ranking.score[0] >= outliers.USUAL
    assert re.fullmatch(r"late knee at x 0\.(48|49|50)\d* \(\+0\.0[34]\d*\)",  # ± a bin
                        ranking.reasons[0])


def test_a_rare_ok_residual_does_not_outrank_a_shift_past_every_ok_curve() -> None:
    """Two OK curves (in the reference) carry a small bump: the shape score's tail among
    the OK curves is long. A curve moved just past the OK curves' bounded jitter still
    ranks above them: beyond every OK curve on a bounded measure is the rarer."""
    rng = np.random.default_rng(21)
    x = np.linspace(0, 1, 1500)
    curves = [(x, _shape(x, shift=float(s), gain=1 + float(rng.normal(0, 0.015)))
               + rng.normal(0, 0.004, len(x))) for s in rng.uniform(-0.02, 0.02, 60)]
    for i, at in ((3, 0.3), (7, 0.7)):
        curves[i] = (x, curves[i][1] + 0.03 * np.exp(-(((x - at) / 0.03) ** 2)))
    curves.append((x, _shape(x, shift=-0.03) + rng.normal(0, 0.004, len(x))))
    prof = _profiles(curves, list(range(1, 62)))
    ranking = outliers.rank(prof, golden.build(prof, curve_ids=list(range(1, 61))),
                            reference=prof.curve_ids <= 60)
    assert int(ranking.curve_ids[0]) == 61, ranking.reasons[:3]
    assert ranking.reasons[0].startswith("early knee")


def test_an_early_end_alone_is_worded_as_the_end() -> None:
    rng = np.random.default_rng(6)
    curves = [_curve(rng) for _ in range(N_OK)]
    x = np.linspace(0, 1, 1500)
    early = _shape(x) / np.where(x > 0.85, np.exp(-(((x - 0.85) / 0.08) ** 2)), 1.0) \
        * np.where(x > 0.80, np.exp(-(((x - 0.80) / 0.08) ** 2)), 1.0)  # the drop 0.05 early
    curves.append((x, early + rng.normal(0, 0.004, len(x))))
    prof = _profiles(curves, list(range(1, N_OK + 2)))
    ranked = _ranked(prof, golden.build(prof, curve_ids=list(range(1, N_OK + 1))))
    assert ranked[N_OK + 1][0] == 0
    assert re.fullmatch(r"early drop at x 0\.8\d* \(-0\.0\d+\)", ranked[N_OK + 1][1])


def _two_modes(rng: np.random.Generator, n_ok: int, n_bad: int
               ) -> tuple[Profiles, set[int]]:
    """OK curves of two modes (a bump at x 0.3 or at x 0.7, as from two tools), and
    defects halfway between (a half bump at both): the pointwise median of the OK curves
    has half a bump at both too, so the defects are the curves nearest to it."""
    x = np.linspace(0, 1, 1500)

    def bump(at: float) -> np.ndarray:
        return np.exp(-(((x - at) / 0.05) ** 2))

    curves = []
    for i in range(n_ok + n_bad):
        size = 1 + float(rng.normal(0, 0.05))
        if i < n_ok:
            y = size * bump(0.3 if i % 2 else 0.7)
        else:
            y = 0.5 * size * (bump(0.3) + bump(0.7))
        curves.append((x, y + rng.normal(0, 0.01, len(x))))
    order = rng.permutation(n_ok + n_bad) + 1
    return _profiles(curves, order.tolist()), set(order[n_ok:].tolist())


def test_a_population_of_two_modes_ranks_the_curves_between_them_first() -> None:
    prof, bad = _two_modes(np.random.default_rng(19), 60, 4)
    ok = ~np.isin(prof.curve_ids, list(bad))
    median = np.nanmedian(prof.mean[ok], axis=0)
    by_median = prof.curve_ids[np.argsort(-np.nanmean((prof.mean - median) ** 2, axis=1),
                                          kind="stable")]
    assert not bad & set(by_median[:len(bad)].tolist())  # the obvious ranking misses all
    for reference in (ok, None):  # judged, and not yet judged
        ranking = outliers.rank(prof, golden.build(prof, curve_ids=prof.curve_ids[ok].tolist()),
                                reference=reference)
        assert set(ranking.curve_ids[:len(bad)].tolist()) == bad
    reason = ranking.reasons[0]
    assert re.fullmatch(r"shape differs from its 5 nearest curves at x [\d.]+–[\d.]+ "
                        r"\([+-]\d+ % of the range\)", reason), reason
    labelled = outliers.rank(prof, golden.build(prof, curve_ids=prof.curve_ids[ok].tolist()),
                             reference=ok)
    assert labelled.reasons[0].startswith("shape differs from its 5 nearest OK curves at x ")
    assert labelled.scores[:len(bad), outliers.NEIGHBOURS].min() > \
        labelled.scores[len(bad):, outliers.NEIGHBOURS].max()


def test_the_neighbour_score_is_the_same_every_time_with_sampled_references() -> None:
    prof, _bad = _two_modes(np.random.default_rng(3), 700, 6)  # more than are searched
    gold = golden.build(prof)
    first, second = outliers.rank(prof, gold), outliers.rank(prof, gold)
    assert first.curve_ids.tolist() == second.curve_ids.tolist()
    assert np.array_equal(first.scores, second.scores, equal_nan=True)
    assert first.reasons == second.reasons


def test_curves_with_fewer_samples_than_bins_are_ranked_on_their_samples() -> None:
    rng = np.random.default_rng(8)
    x = np.linspace(0, 1, 24)  # 24 samples on 128 bins: most bins empty in every curve
    base = np.sin(2 * np.pi * x)
    curves = [(x, base + rng.normal(0, 0.05, len(x))) for _ in range(40)]
    curves.append((x, base + 0.6 * np.exp(-(((x - 0.5) / 0.08) ** 2))))  # a bump at 0.5
    prof = _profiles(curves, list(range(1, 42)))
    assert np.isnan(prof.mean[0]).mean() > 0.7
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no all-NaN measures any more
        ranking = outliers.rank(prof, golden.build(prof, curve_ids=list(range(1, 41))),
                                reference=prof.curve_ids <= 40)
    assert ranking.curve_ids[0] == 41
    assert np.isfinite(ranking.score).all()
    at = float(re.findall(r"x ([\d.]+)", ranking.reasons[0])[0])
    assert 0.4 <= at <= 0.6, ranking.reasons[0]


def test_ranking_stays_within_its_cpu_budget_and_searches_few_neighbours() -> None:
    rng = np.random.default_rng(4)
    curves = [_curve(rng) for _ in range(200)]
    small = _profiles(curves, list(range(1, 201)))
    reps = 50  # 10,000 curves
    prof = Profiles(curve_ids=np.arange(1, 200 * reps + 1), x=small.x,
                    mean=np.tile(small.mean, (reps, 1)), low=np.tile(small.low, (reps, 1)),
                    high=np.tile(small.high, (reps, 1)))
    gold = golden.build(prof)
    outliers.rank(prof, gold)  # compiled once
    started = time.process_time()
    outliers.rank(prof, gold)
    spent = time.process_time() - started
    assert spent < 1.0  # 0.25 s budget; generous for a shared machine (docs/benchmarks.md)
    where = outlier_space.project(prof.mean, gold.center, np.ones(len(prof.mean), bool))
    assert len(where.refs) == outlier_space.NEIGHBOURS_FROM
    assert where.points.shape[1] <= outlier_space.MAX_DIMS + 1
