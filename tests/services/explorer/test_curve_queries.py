"""The explorer's density, lines, golden curve, scores and evaluation on synthetic curves in
real chDB, plus filter validation against known values."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import polars as pl
import pytest

from data.analytics import curves as curve_data
from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from data.analytics.curves import CurveQuery
from lyceum.errors import NotFound, ValidationError
from services.clusters.query_session import ClusterSession
from services.core.cache import ProcessCaches
from services.explorer import curve_queries, evaluation, golden, population, view
from services.explorer import density_kernel as kernel
from services.explorer.curve_queries import ExplorerCaches, Profiles
from services.explorer.state import EvalObject, ExplorerState

DB = "test_explorer_synth"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
N_OK = 30
SPIKE_ID = 1000  # one NOK curve with a single extreme sample
FLAT_ID = 1001   # one NOK curve that never rises


def _curve_rows(cid: int, *, result: str, line: str, y: np.ndarray, x: np.ndarray) -> tuple:
    return (cid, cid, f"SN-{cid}", T0 + timedelta(minutes=cid), "press-fit", line, "OP10",
            "PH-200", "LOT-1", result, "", "stroke", "mm", "force", "kN", len(x),
            float(x.min()), float(x.max()), float(y.min()), float(y.max()))


CURVE_COLUMNS = ["curve_id", "part_id", "serial", "ts", "process", "line", "station", "product",
                 "batch", "result", "defect_mode", "x_name", "x_unit", "y_name", "y_unit",
                 "n_points", "x_min", "x_max", "y_min", "y_max"]


def _synthetic() -> dict[int, tuple[np.ndarray, np.ndarray, str, str]]:
    """OK curves: y = 10·x/10 + small offset; a spike curve; a flat curve."""
    x = np.linspace(0.0, 10.0, 201)
    curves = {}
    for i in range(N_OK):
        curves[i + 1] = (x, x + 0.02 * (i - N_OK / 2), "OK", "Line 1" if i % 2 else "Line 2")
    spike = x.copy()
    spike[100] = 95.0
    curves[SPIKE_ID] = (x, spike, "NOK", "Line 1")
    curves[FLAT_ID] = (x, np.zeros_like(x), "NOK", "Line 2")
    return curves


@pytest.fixture(scope="module")
def session(ch: ClickHouse) -> Iterator[ClusterSession]:
    """A cluster database holding the synthetic curves."""
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    for statement in schema_statements(DB, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    rows, samples = [], []
    for cid, (x, y, result, line) in _synthetic().items():
        rows.append(_curve_rows(cid, result=result, line=line, y=y, x=x))
        samples += [(cid, T0, "press-fit", i, float(a), float(b))
                    for i, (a, b) in enumerate(zip(x, y, strict=True))]
    ch.insert_rows("curves", rows, database=DB, column_names=CURVE_COLUMNS)
    ch.insert_rows("curve_samples", samples, database=DB,
                   column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    yield ClusterSession(ch=ch, database=DB, limits={}, caches=ProcessCaches())
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


QUERY = CurveQuery(process="press-fit")


def test_density_weighs_each_curve_once_and_keeps_the_extreme(session: ClusterSession) -> None:
    dens = curve_queries.density(session, QUERY, color_by="result", x_range=None, y_range=None,
                            width=100, height=200, use_memory=False)
    assert dens.groups == ["NOK", "OK"] and dens.n_curves == N_OK + 2
    totals = [float(img.sum()) for img in dens.images]
    assert totals == pytest.approx([2.0, float(N_OK)], rel=1e-4)
    nok = dens.images[0]
    top_rows = np.flatnonzero(nok.sum(axis=1) > 0).max()
    y_at = dens.y_range[0] + (top_rows + 0.5) * (dens.y_range[1] - dens.y_range[0]) / 200
    assert y_at == pytest.approx(95.0, abs=0.6)  # the one-sample spike is kept


def test_zoomed_density_covers_only_the_visible_range(
        session: ClusterSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(curve_queries, "WINDOW_SAMPLES", 0)  # too many to draw as lines
    dens = curve_queries.density(session, QUERY, color_by="line", x_range=(0.0, 5.0),
                            y_range=(0.0, 5.0), width=50, height=50, use_memory=False)
    assert dens.groups == ["Line 1", "Line 2"] and dens.n_in_view is None  # sampled points
    assert sum(float(i.sum()) for i in dens.images) == pytest.approx(16.0, rel=0.05)


@pytest.mark.parametrize("x_range", [(0.0, 5.0), (3.73, 4.19), (4.01, 4.03), (-3.0, 250.0)])
def test_a_zoom_not_in_memory_is_drawn_as_the_same_lines_from_its_window(
        session: ClusterSession, x_range: tuple[float, float]) -> None:
    """The samples in the window (and just beyond its edges) drawn by the in-memory kernel:
    the same image as the held population's, segments crossing the edges included."""
    kwargs: dict[str, Any] = {"color_by": "result", "x_range": x_range,
                              "y_range": (0.0, 60.0), "width": 90, "height": 70}
    window = curve_queries.density(session, QUERY, use_memory=False, **kwargs)
    population.load(session, "press-fit")
    memory = curve_queries.density(session, QUERY, **kwargs)
    assert window.groups == memory.groups and window.n_in_view == memory.n_in_view
    assert "drawn as lines from their samples in this range" in view.summary_text(window)
    for got, want in zip(window.images, memory.images, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_filters_narrow_the_density(session: ClusterSession) -> None:
    query = replace(QUERY, results=("NOK",), lines=("Line 2",))
    dens = curve_queries.density(session, query, color_by="result", x_range=None, y_range=None,
                            width=40, height=40, use_memory=False)
    assert dens.groups == ["NOK"] and dens.n_curves == 1


def test_hostile_filter_values_are_bound_parameters(session: ClusterSession) -> None:
    query = replace(QUERY, lines=("x') OR 1=1 --", "Line 1"), batches=("'; DROP TABLE x",))
    dens = curve_queries.density(session, query, color_by="result", x_range=None, y_range=None,
                            width=20, height=20, use_memory=False)
    assert dens.n_curves == 0
    assert int(session.scalar(f"SELECT count() FROM {DB}.curves")) == N_OK + 2


def test_population_draws_each_curve_once_per_column_and_keeps_the_spike(
        session: ClusterSession) -> None:
    pop = population.load(session, "press-fit")
    dens = curve_queries.density(session, QUERY, color_by="result", x_range=None, y_range=None,
                            width=100, height=200)
    assert dens.groups == ["NOK", "OK"] and dens.n_curves == dens.n_in_view == N_OK + 2
    nok, ok = dens.images
    inside = slice(5, 95)  # columns within the data (the view is padded by 2 %)
    assert np.allclose(ok.sum(axis=0)[inside], N_OK, atol=1e-3)
    assert np.allclose(nok.sum(axis=0)[inside], 2, atol=1e-3)
    top_row = np.flatnonzero(nok.sum(axis=1) > 0).max()
    y_at = dens.y_range[0] + (top_row + 0.5) * (dens.y_range[1] - dens.y_range[0]) / 200
    assert y_at == pytest.approx(95.0, abs=0.6)  # the one-sample spike is kept
    assert pop.sorted_x.all() and pop.n_samples == (N_OK + 2) * 201


def test_top_groups_keep_every_value_when_they_fit_and_pool_the_rest() -> None:
    few = {"B": 2, "A": 5, "gone": 0}
    assert population.top_groups(few) == ["A", "B"]
    many = {f"LOT-{i:02d}": 1 for i in range(20)} | {"LOT-99": 9, "LOT-50": 4}
    chosen = population.top_groups(many)
    assert len(chosen) == population.MAX_GROUPS and chosen[-1] == population.OTHER
    assert chosen[:-1] == sorted(["LOT-99", "LOT-50", *[f"LOT-{i:02d}" for i in range(7)]])


BATCH_DB = "test_explorer_batches"


@pytest.fixture
def batches(ch: ClickHouse) -> Iterator[ClusterSession]:
    """16 curves in 14 batches: more batches than colours."""
    ch.command(f"DROP DATABASE IF EXISTS {BATCH_DB}")
    for statement in schema_statements(BATCH_DB, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    x = np.linspace(0.0, 10.0, 51)
    names = ["LOT-A"] * 3 + ["LOT-B"] * 2 + [f"LOT-{c}" for c in "CDEFGHIJKLM"]
    rows, samples = [], []
    for cid, batch in enumerate(names, start=1):
        row = list(_curve_rows(cid, result="OK", line="Line 1", y=x + cid, x=x))
        row[CURVE_COLUMNS.index("batch")] = batch
        rows.append(tuple(row))
        samples += [(cid, T0, "press-fit", i, float(a), float(a + cid)) for i, a in enumerate(x)]
    ch.insert_rows("curves", rows, database=BATCH_DB, column_names=CURVE_COLUMNS)
    ch.insert_rows("curve_samples", samples, database=BATCH_DB,
                   column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    yield ClusterSession(ch=ch, database=BATCH_DB, limits={}, caches=ProcessCaches())
    ch.command(f"DROP DATABASE IF EXISTS {BATCH_DB}")


def test_colouring_by_more_values_than_colours_leaves_no_curve_out(
        batches: ClusterSession) -> None:
    engine = curve_queries.density(batches, QUERY, color_by="batch", x_range=None, y_range=None,
                              width=60, height=60, use_memory=False)
    population.load(batches, "press-fit")
    memory = curve_queries.density(batches, QUERY, color_by="batch", x_range=None, y_range=None,
                              width=60, height=60)
    expected = ["LOT-A", "LOT-B", *[f"LOT-{c}" for c in "CDEFGHI"], population.OTHER]
    assert engine.groups == memory.groups == expected
    assert memory.n_curves == memory.n_in_view == 16
    # every curve weighs 1 in total (engine) or 1 per column (memory): the 4 pooled count
    assert float(engine.images[-1].sum()) == pytest.approx(4.0, rel=1e-4)
    assert sum(float(i.sum()) for i in engine.images) == pytest.approx(16.0, rel=1e-4)
    column = np.sum([i[:, 30] for i in memory.images], axis=0)
    assert float(column.sum()) == pytest.approx(16.0, abs=1e-3)
    assert float(memory.images[-1][:, 30].sum()) == pytest.approx(4.0, abs=1e-3)


def test_population_filters_ranges_and_zoom_match_clickhouse(session: ClusterSession) -> None:
    pop = population.load(session, "press-fit")
    for query in (QUERY, replace(QUERY, results=("NOK",)), replace(QUERY, lines=("Line 2",)),
                  replace(QUERY, results=("OK",), lines=("Line 1",)),
                  replace(QUERY, start=T0 + timedelta(minutes=10),
                          end=T0 + timedelta(minutes=20)),
                  replace(QUERY, lines=("x') OR 1=1 --",))):
        memory = population.summary(pop, population.mask(pop, query))
        engine = curve_data.summary(session, query)
        assert memory["count"] == engine["count"]
        if engine["count"]:
            assert memory["x"] == pytest.approx(engine["x"])
            assert memory["y"] == pytest.approx(engine["y"])
    up_high = curve_queries.density(session, QUERY, color_by="result", x_range=(0.0, 10.0),
                               y_range=(50.0, 100.0), width=40, height=40)
    assert up_high.n_in_view == 1 and float(up_high.images[1].sum()) == 0.0  # the spike only


def _engine_profiles(session: ClusterSession, query: CurveQuery, *,
                     x_range: tuple[float, float], bins: int) -> curve_queries.Profiles:
    """The matching curves' profiles as ClickHouse computes them (as the explorer reads
    them for a process it does not hold)."""
    ids = sorted(curve_data.curve_ids(session, query))
    table = curve_data.profile_arrays(session, process=query.process, curve_ids=ids,
                                      x_range=x_range, bins=bins, back=kernel.RETURN_FRACTION)
    return curve_queries.from_arrays([table], x_range=x_range, bins=bins)


def test_population_lines_and_profiles_match_clickhouse(session: ClusterSession) -> None:
    pop = population.load(session, "press-fit")
    engine = curve_data.curve_points(session, process="press-fit", curve_ids=[SPIKE_ID, 3])
    held = population.points(pop, [SPIKE_ID, 3, 999_999])
    assert set(held) == {SPIKE_ID, 3}
    for cid in (SPIKE_ID, 3):
        part = engine.filter(pl.col("curve_id") == cid)
        assert np.array_equal(held[cid][1], part["y"].to_numpy())
    ids, mean, low, high = population.profiles(pop, population.mask(pop, QUERY),
                                               x_range=(0.0, 10.0), bins=50)
    reference = _engine_profiles(session, QUERY, x_range=(0.0, 10.0), bins=50)
    assert np.array_equal(ids, reference.curve_ids)
    for a, b in ((mean, reference.mean), (low, reference.low), (high, reference.high)):
        assert np.allclose(a, b, atol=1e-4, equal_nan=True)


def test_profiles_of_curves_whose_x_goes_back_keep_the_forward_stroke(
        session: ClusterSession, ch: ClickHouse) -> None:
    """A rivet: force rises with displacement to the stroke, then the tool retracts (x goes
    back, force 0). The profile (golden curve, outlier scores) is the rise alone, in memory
    and in ClickHouse alike; a small jitter of x on the way is no return."""
    process = "z-return-test"
    query = CurveQuery(process=process)
    t = np.linspace(0.0, 1.0, 101)
    x = np.where(t < 0.7, t / 0.7 * 5.0, 5.0 - (t - 0.7) / 0.3 * 4.0)
    x[20] -= 0.05  # jitter: 1 % of the range
    y = np.where(t < 0.7, 1000.0 * (t / 0.7) ** 2, 0.0)
    rows, samples = [], []
    for cid in (3001, 3002, 3003):
        row = list(_curve_rows(cid, result="OK", line="Line 1", y=y, x=x))
        row[4] = process
        rows.append(tuple(row))
        samples += [(cid, T0, process, i, float(a), float(b))
                    for i, (a, b) in enumerate(zip(x, y, strict=True))]
    ch.insert_rows("curves", rows, database=DB, column_names=CURVE_COLUMNS)
    ch.insert_rows("curve_samples", samples, database=DB,
                   column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    pop = population.load(session, process)
    ids, mean, _low, _high = population.profiles(pop, population.mask(pop, query),
                                                 x_range=(0.0, 5.0), bins=10)
    reference = _engine_profiles(session, query, x_range=(0.0, 5.0), bins=10)
    assert ids.tolist() == reference.curve_ids.tolist() == [3001, 3002, 3003]
    assert np.allclose(mean, reference.mean, atol=1e-3)
    rise = np.array([np.mean(y[(x >= lo) & (x < lo + 0.5) & (t < 0.7)])
                     for lo in np.arange(0.0, 5.0, 0.5)])
    assert np.allclose(mean[0, :-1], rise[:-1], rtol=0.05)  # no zero force of the return
    centre = golden.build(reference).center
    assert centre[5] == pytest.approx(rise[5], rel=0.05)  # the return would pull it to ~190


def test_new_curves_are_appended_once_complete_and_top_up_the_whole_view(
        session: ClusterSession, ch: ClickHouse) -> None:
    process = "z-append-test"  # sorts after press-fit: the default stays
    query = CurveQuery(process=process)
    x = np.linspace(0.0, 10.0, 11)

    def add(cid: int, *, with_samples: bool) -> None:
        row = list(_curve_rows(cid, result="OK", line="Line 1", y=x, x=x))
        row[4] = process
        ch.insert_rows("curves", [tuple(row)], database=DB, column_names=CURVE_COLUMNS)
        if with_samples:
            ch.insert_rows("curve_samples", [(cid, T0, process, i, float(v), float(v))
                                             for i, v in enumerate(x)],
                           database=DB, column_names=["curve_id", "ts", "process", "idx", "x",
                                                      "y"])
    for cid in (2001, 2002, 2003):
        add(cid, with_samples=True)
    pop = population.load(session, process)
    first = curve_queries.density(session, query, color_by="result", x_range=None, y_range=None,
                             width=30, height=30)
    add(2004, with_samples=True)
    add(2005, with_samples=False)  # its samples are still being inserted
    pop = population.append_new(session, pop)
    assert pop.curve_ids.tolist() == [2001, 2002, 2003, 2004] and pop.max_id == 2004
    topped = curve_queries.density(session, query, color_by="result", x_range=None, y_range=None,
                              width=30, height=30)
    assert first.x_range == topped.x_range and topped.n_in_view == 4
    scratch, n = population.density(pop, population.mask(pop, query), color_by="result",
                                    groups=["OK"], x_range=topped.x_range,
                                    y_range=topped.y_range, width=30, height=30)
    assert n == 4 and np.allclose(scratch[0], topped.images[0])
    ch.insert_rows("curve_samples", [(2005, T0, process, i, float(v), float(v))
                                     for i, v in enumerate(x)],
                   database=DB, column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    pop = population.append_new(session, pop)
    assert pop.curve_ids.tolist()[-1] == 2005
    ch.command(f"DELETE FROM {DB}.curves WHERE process = {{p:String}} AND curve_id = 2001",
               parameters={"p": process})
    reread = population.append_new(session, pop)  # a held curve is gone: read it all again
    assert reread.curve_ids.tolist() == [2002, 2003, 2004, 2005] and reread.version == 0


def test_lines_keep_extremes_after_min_max_reduction(session: ClusterSession) -> None:
    lines = curve_queries.lines(session, QUERY, curve_ids=[SPIKE_ID, 1], x_range=None, width=30)
    x, y = lines[SPIKE_ID]
    assert len(x) <= 100 and float(np.max(y)) == pytest.approx(95.0)
    with pytest.raises(ValidationError, match="At most 500"):
        curve_queries.lines(session, QUERY, curve_ids=list(range(501)), x_range=None, width=30)


@pytest.mark.parametrize("held", [True, False], ids=["held", "from-clickhouse"])
def test_owned_ids_are_the_filtered_curves_in_their_order(session: ClusterSession,
                                                          held: bool) -> None:
    session.caches.clear()
    if held:
        population.load(session, "press-fit")
    assert (population.get(session, "press-fit") is not None) == held
    ids = [SPIKE_ID, 999_999, 3, FLAT_ID, 3]  # a foreign id, and one twice
    assert curve_queries.owned_subset(session, QUERY, ids) == [SPIKE_ID, 3, FLAT_ID, 3]
    noks = replace(QUERY, results=("NOK",))
    assert curve_queries.owned_subset(session, noks, ids) == [SPIKE_ID, FLAT_ID]
    assert curve_queries.owned_subset(session, QUERY, []) == []
    assert curve_queries.owned(session, QUERY, [3, SPIKE_ID, 3])
    assert curve_queries.owned(session, QUERY, [])
    assert not curve_queries.owned(session, QUERY, [3, 999_999])
    assert not curve_queries.owned(session, noks, [SPIKE_ID, 3])
    session.caches.clear()


def test_golden_median_band_and_outlier_ranking(session: ClusterSession) -> None:
    prof = curve_queries.profiles(session, QUERY, x_range=(0.0, 10.0), bins=50)
    ok_ids = list(range(1, N_OK + 1))
    gold = golden.build(prof, curve_ids=ok_ids, band=5)
    assert gold.n_curves == N_OK
    assert np.allclose(gold.center, prof.x, atol=0.06)
    assert np.all(gold.lower <= gold.center) and np.all(gold.center <= gold.upper)
    scores = evaluation.score(prof, gold)
    assert set(scores.curve_ids[:2].tolist()) == {SPIKE_ID, FLAT_ID}
    assert scores.curve_ids[0] == FLAT_ID  # larger area outside the band
    spike_rank = scores.curve_ids.tolist().index(SPIKE_ID)
    assert scores.max_abs_dev[spike_rank] > 10  # the spike's bin mean is far off


def test_golden_needs_three_curves_and_a_valid_band() -> None:
    prof = _profiles(np.array([[1.0, 2.0], [1.0, 2.0]]))
    with pytest.raises(ValidationError, match="at least 3 curves"):
        golden.build(prof)
    with pytest.raises(ValidationError, match="band"):
        golden.build(_profiles(np.ones((4, 2))), band=60)
    mean_sigma = golden.build(_profiles(np.array([[0.0], [1.0], [2.0], [3.0]])),
                              method="mean-sigma", band=2)
    assert mean_sigma.center[0] == pytest.approx(1.5)
    assert mean_sigma.upper[0] == pytest.approx(1.5 + 2 * np.std([0, 1, 2, 3]))


def _profiles(mean: np.ndarray, *, x: np.ndarray | None = None) -> Profiles:
    xs = np.arange(mean.shape[1], dtype=float) if x is None else x
    return Profiles(curve_ids=np.arange(len(mean)), x=xs, mean=mean.astype(np.float32),
                    low=mean.astype(np.float32), high=mean.astype(np.float32))


def _ramp_profiles() -> Profiles:
    """Curve 0 rises steadily through (5, 5); curve 1 jumps over the window; curve 2 falls."""
    x = np.arange(11, dtype=float)
    rise = x.copy()
    jump = np.where(x < 5, 0.0, 10.0)
    fall = 10.0 - x
    return _profiles(np.vstack([rise, jump, fall]), x=x)


def test_window_judges_entry_and_exit_sides() -> None:
    prof = _ramp_profiles()
    left_right = EvalObject(kind="window", name="W", x0=4, x1=6, y0=3, y1=7)
    assert evaluation.judge(prof, [left_right], golden=None).tolist() == ["", "W", ""]
    bottom_top = EvalObject(kind="window", name="B", x0=4, x1=6, y0=4.5, y1=5.5,
                            entry="bottom", exit="top")
    assert evaluation.judge(prof, [bottom_top], golden=None).tolist() == ["", "B", "B"]
    top_bottom = EvalObject(kind="window", name="T", x0=4, x1=6, y0=4.5, y1=5.5,
                            entry="top", exit="bottom")
    assert evaluation.judge(prof, [top_bottom], golden=None).tolist() == ["T", "T", ""]


def test_threshold_is_crossed_in_its_direction() -> None:
    prof = _ramp_profiles()
    up = EvalObject(kind="threshold", name="Up", x0=0, x1=10, y0=5, y1=5, direction="up")
    down = EvalObject(kind="threshold", name="Down", x0=0, x1=10, y0=5, y1=5,
                      direction="down")
    assert evaluation.judge(prof, [up], golden=None).tolist() == ["", "", "Up"]
    assert evaluation.judge(prof, [down], golden=None).tolist() == ["Down", "Down", ""]


def test_envelope_needs_a_golden_curve_and_names_the_failing_object() -> None:
    prof = _ramp_profiles()
    env = EvalObject(kind="envelope", name="E", x0=0, x1=10, margin=0.5)
    with pytest.raises(ValidationError, match="needs a golden curve"):
        evaluation.judge(prof, [env], golden=None)
    gold = golden.Golden(x=prof.x, center=prof.x, lower=prof.x - 1, upper=prof.x + 1,
                         n_curves=3, method="median-percentile", band=5)
    assert evaluation.judge(prof, [env], golden=gold).tolist() == ["", "E", "E"]


def test_what_if_lists_the_parts_that_flip() -> None:
    prof = _ramp_profiles()
    applied = [EvalObject(kind="window", name="W", x0=4, x1=6, y0=3, y1=7)]
    wider = [EvalObject(kind="window", name="W", x0=4, x1=6, y0=-1, y1=11)]
    result = evaluation.what_if(prof, applied, wider, golden=None)
    assert (result.n_nok_before, result.n_nok_after) == (1, 0)
    assert result.nok_to_ok == [(1, "W")] and result.ok_to_nok == []
    narrow = [EvalObject(kind="window", name="N", x0=4, x1=6, y0=4.9, y1=5.1)]
    flipped = evaluation.what_if(prof, applied, narrow, golden=None)
    assert [cid for cid, _ in flipped.ok_to_nok] == [0, 2]
    assert all(name == "N" for _, name in flipped.ok_to_nok)


def test_resolve_refuses_unknown_values_before_any_curve_query(runtime: object,
                                                               ch: ClickHouse) -> None:
    from data.metadata.models import DatabaseCluster
    from services.core.runtime import Runtime

    assert isinstance(runtime, Runtime)
    with runtime.db.session() as s:
        row = DatabaseCluster(name="Synth", database_name=DB, cluster_type="manufacturing",
                              region_code="local", status="running", nodes=1,
                              vcpu_per_node=2, memory_gb_per_node=4, storage={},
                              retention={}, query_limits={})
        s.add(row)
        s.flush()
        cid = row.id
    with pytest.raises(ValidationError, match="Unknown line"):
        curve_queries.resolve(runtime, cid, ExplorerState(lines=("x') OR 1=1 --",)))
    with pytest.raises(ValidationError, match="Unknown process"):
        curve_queries.resolve(runtime, cid, ExplorerState(process="nope"))
    with pytest.raises(NotFound):
        curve_queries.resolve(runtime, cid + 99, ExplorerState())
    found, query, opts = curve_queries.resolve(runtime, cid, ExplorerState(lines=("Line 1",)))
    assert query.lines == ("Line 1",) and opts.values["lines"] == ["Line 1", "Line 2"]
    # the options are remembered by this runtime, and its sessions share its caches
    assert found.caches is runtime.caches
    assert list(runtime.caches.of(ExplorerCaches).options) == [(DB, None)]


def test_the_caches_belong_to_the_session_s_runtime_and_clear_together(
        session: ClusterSession) -> None:
    session.caches.clear()  # what earlier tests of this module left
    held = population.load(session, "press-fit")
    curve_queries.density(session, QUERY, color_by="result", x_range=None, y_range=None,
                     width=40, height=30)
    curve_queries.profiles(session, QUERY, bins=16)
    kept, pops = session.caches.of(ExplorerCaches), session.caches.of(population.Held)
    assert len(kept.views) == 1 and len(kept.profiles) == 1
    assert pops.populations[(DB, "press-fit")] is held
    other = replace(session, caches=ProcessCaches())  # another runtime: nothing shared
    assert not other.caches.of(ExplorerCaches).views
    assert not other.caches.of(population.Held).populations
    session.caches.clear()
    assert not kept.views and not kept.profiles and not kept.facts
    assert not pops.populations and not pops.too_big
    assert session.caches.of(ExplorerCaches) is kept  # emptied, not replaced


def test_a_curve_that_comes_back_through_the_window_counts_once(ch: ClickHouse) -> None:
    """A press that returns: its forward and return strokes both cross the zoom; drawn as
    two runs of samples, counted as one curve in view."""
    db = "test_explorer_return"
    ch.command(f"DROP DATABASE IF EXISTS {db}")
    for statement in schema_statements(db, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    x = np.concatenate([np.linspace(0.0, 10.0, 101), np.linspace(9.9, 0.0, 100)])
    y = np.concatenate([np.linspace(0.0, 20.0, 101), np.linspace(19.0, 5.0, 100)])
    ch.insert_rows("curves", [_curve_rows(1, result="OK", line="Line 1", y=y, x=x)],
                   database=db, column_names=CURVE_COLUMNS)
    ch.insert_rows("curve_samples", [(1, T0, "press-fit", i, float(a), float(b))
                                     for i, (a, b) in enumerate(zip(x, y, strict=True))],
                   database=db, column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    session = ClusterSession(ch=ch, database=db, limits={}, caches=ProcessCaches())
    try:
        dens = curve_queries.density(session, QUERY, color_by="result", x_range=(4.0, 6.0),
                                     y_range=(0.0, 20.0), width=40, height=40,
                                     use_memory=False)
        assert dens.from_window and dens.n_curves == 1 and dens.n_in_view == 1
        ok = dens.images[0]
        assert np.allclose(ok.sum(axis=0)[1:-1], 2.0, atol=1e-3)  # both strokes drawn
    finally:
        ch.command(f"DROP DATABASE IF EXISTS {db}")
