"""Stored density partials against the in-memory kernel on synthetic curves in real chDB:
the same image for the same filter, the newest curves added from samples, a grid widened
(never clipped) for data outside it, a rebuild when curves are replaced, and the filters
that are not unions of stored groups refused."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import numpy as np
import pytest

from data.analytics import density_partials as stored
from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession
from services.core.cache import ProcessCaches
from services.explorer import curve_queries, partials, population, view

PROCESS = "press-fit"
T0 = datetime(2026, 11, 1, 6, tzinfo=UTC)
COLUMNS = ["curve_id", "part_id", "serial", "ts", "process", "line", "station", "product",
           "batch", "result", "defect_mode", "x_name", "x_unit", "y_name", "y_unit",
           "n_points", "x_min", "x_max", "y_min", "y_max"]
#: Stored and in-memory images of the same curves on the same cells agree to float32
#: summation order.
RTOL, ATOL = 1e-4, 1e-5


def _curve(cid: int, *, spike: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(0.0, 10.0, 301)
    y = x * (1.0 + 0.01 * (cid % 17)) + np.sin(x + cid) * 0.3
    if spike is not None:
        y[150] = spike
    return x, y


def insert(ch: ClickHouse, db: str, ids: range, *, spike: dict[int, float] | None = None,
           day: int = 0) -> None:
    """Curves ``ids`` over two lines and three results on day ``day`` (+1 for odd ids)."""
    rows, samples = [], []
    for cid in ids:
        x, y = _curve(cid, spike=(spike or {}).get(cid))
        ts = T0 + timedelta(days=day + cid % 2, minutes=cid)
        result = ("OK", "OK", "WARNING", "NOK")[cid % 4]
        rows.append((cid, cid, f"SN-{cid}", ts, PROCESS, f"Line {1 + cid % 3 % 2}", "OP10",
                     "PH-200", f"LOT-{cid % 5}", result, "", "stroke", "mm", "force", "kN",
                     len(x), float(x.min()), float(x.max()), float(y.min()), float(y.max())))
        samples += [(cid, ts, PROCESS, i, float(a), float(b))
                    for i, (a, b) in enumerate(zip(x, y, strict=True))]
    ch.insert_rows("curves", rows, database=db, column_names=COLUMNS)
    ch.insert_rows("curve_samples", samples, database=db,
                   column_names=["curve_id", "ts", "process", "idx", "x", "y"])


@pytest.fixture
def session(ch: ClickHouse, ch_database: str) -> Iterator[ClusterSession]:
    """A cluster database with 120 curves, one of them with a one-sample spike."""
    for statement in schema_statements(ch_database, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    insert(ch, ch_database, range(1, 121), spike={7: 40.0})
    yield ClusterSession(ch=ch, database=ch_database, limits={}, caches=ProcessCaches())


def _memory(session: ClusterSession, query: CurveQuery, *, groups: list[str],
            x_range: tuple[float, float], y_range: tuple[float, float], width: int,
            height: int) -> list[np.ndarray]:
    pop = population.load(session, PROCESS)
    images, _ = population.density(pop, population.mask(pop, query), color_by="result",
                                   groups=groups, x_range=x_range, y_range=y_range,
                                   width=width, height=height)
    return images


def _grid_view(session: ClusterSession, query: CurveQuery, groups: list[str],
               level: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Stored and in-memory images of ``query`` on exactly the grid's cells of ``level``."""
    grid = partials.ready_grid(session, PROCESS)
    assert grid is not None
    xr, yr = (grid.x0, grid.x1), (grid.y0, grid.y1)
    found = partials.density(session, query, color_by="result", groups=groups, other=-1,
                             x_range=xr, y_range=yr, width=grid.xbins[level],
                             height=grid.ybins)
    assert found is not None and not found.coarse and found.level == level
    return found.images, _memory(session, query, groups=groups, x_range=xr, y_range=yr,
                                 width=grid.xbins[level], height=grid.ybins)


@pytest.mark.parametrize("query", [
    CurveQuery(process=PROCESS),
    CurveQuery(process=PROCESS, lines=("Line 1",), results=("OK", "NOK")),
    CurveQuery(process=PROCESS, start=datetime.combine(T0.date() + timedelta(days=1), time.min),
               end=datetime.combine(T0.date() + timedelta(days=1), time.max)),
    # A whole month (its rollup only) and a range starting inside it (its days, and the
    # rollup of the months after it).
    CurveQuery(process=PROCESS, start=datetime.combine(T0.date(), time.min),
               end=datetime.combine(T0.date() + timedelta(days=29), time.max)),
    CurveQuery(process=PROCESS, start=datetime.combine(T0.date() + timedelta(days=1), time.min)),
])
def test_stored_and_in_memory_images_agree_for_a_union_of_groups(
        session: ClusterSession, query: CurveQuery) -> None:
    built = partials.catch_up(session, PROCESS)
    assert built.curves == 120 and built.rebuilt
    groups = ["NOK", "OK", "WARNING"]
    # The finer levels are stored per month only: views reading days use the day levels.
    days = stored.reads_days(query, months=True)
    for level in range(partials.DAY_LEVELS if days else len(partials.LEVELS)):
        got, want = _grid_view(session, query, groups, level)
        for a, b in zip(got, want, strict=True):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
        assert sum(float(img.sum()) for img in want) > 0


def test_the_days_hold_the_coarse_levels_and_the_months_every_level(
        session: ClusterSession) -> None:
    partials.catch_up(session, PROCESS)
    db = session.database
    levels = {t: [int(r[0]) for r in session.ch.rows(
        f"SELECT DISTINCT level FROM {db}.{t} ORDER BY level")]
        for t in ("density_partials", "density_months")}
    assert levels == {"density_partials": list(range(partials.DAY_LEVELS)),
                      "density_months": list(range(len(partials.LEVELS)))}


def test_a_zoom_over_days_outside_whole_months_is_coarser_and_says_so(
        session: ClusterSession) -> None:
    partials.catch_up(session, PROCESS)
    day = T0.date() + timedelta(days=1)
    query = CurveQuery(process=PROCESS, start=datetime.combine(day, time.min),
                       end=datetime.combine(day, time.max))
    grid = partials.ready_grid(session, PROCESS)
    assert grid is not None
    share = (grid.x1 - grid.x0) / 4  # 1,024 columns of level 1, 256 of level 0
    xr, yr = (grid.x0, grid.x0 + share), (grid.y0, grid.y1)
    found = partials.density(session, query, color_by="result", groups=["OK"], other=-1,
                             x_range=xr, y_range=yr, width=1000, height=500)
    assert found is not None and found.level == partials.DAY_LEVELS - 1 and found.coarse
    whole = partials.density(session, CurveQuery(process=PROCESS), color_by="result",
                             groups=["OK"], other=-1, x_range=xr, y_range=yr, width=1000,
                             height=500)
    assert whole is not None and whole.level == 1 and not whole.coarse  # from the months
    assert (found.images[0] > 0).any()


def test_a_grid_built_before_the_month_rollup_is_filled_from_its_days(
        session: ClusterSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partials, "DAY_LEVELS", len(partials.LEVELS))  # every level per day
    partials.catch_up(session, PROCESS)
    monkeypatch.undo()
    grid = partials.ready_grid(session, PROCESS)
    assert grid is not None and grid.months and grid.day_levels == len(partials.LEVELS)
    db = session.database
    session.ch.command(f"TRUNCATE TABLE {db}.density_months")
    stored.save_grid(session, replace(grid, months=False))
    groups = ["NOK", "OK", "WARNING"]
    from_days, want = _grid_view(session, CurveQuery(process=PROCESS), groups)
    for a, b in zip(from_days, want, strict=True):  # read from the days while unfilled
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)

    assert partials.catch_up(session, PROCESS).curves == 0  # nothing new: fill and trim
    filled = partials.ready_grid(session, PROCESS)
    assert filled is not None and filled.months and filled.grid == grid.grid
    assert filled.day_levels == partials.DAY_LEVELS
    for level in range(len(partials.LEVELS)):  # every level from the months
        from_months, want = _grid_view(session, CurveQuery(process=PROCESS), groups, level)
        for a, b in zip(from_months, want, strict=True):
            np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
    rows = {t: int(session.ch.scalar(f"SELECT count() FROM {db}.{t} FINAL WHERE level = 0"))
            for t in ("density_partials", "density_months")}
    assert 0 < rows["density_months"] < rows["density_partials"]  # two days in one month
    assert int(session.ch.scalar(f"SELECT count() FROM {db}.density_partials "
                                 f"WHERE level >= {partials.DAY_LEVELS}")) == 0  # trimmed


def test_at_screen_size_every_touched_pixel_stays_and_the_spike_is_visible(
        session: ClusterSession) -> None:
    partials.catch_up(session, PROCESS)
    query = CurveQuery(process=PROCESS)
    xr, yr, size = (-0.2, 10.2), (-1.0, 41.0), (800, 470)
    found = partials.density(session, query, color_by="result", groups=["OK", "WARNING", "NOK"],
                             other=-1, x_range=xr, y_range=yr, width=size[0], height=size[1])
    want = _memory(session, query, groups=["OK", "WARNING", "NOK"], x_range=xr, y_range=yr,
                   width=size[0], height=size[1])
    assert found is not None and found.level == 0 and not found.coarse
    stored_any = np.add.reduce(found.images) > 0
    memory_any = np.add.reduce(want) > 0
    # Every pixel the kernel touches is touched; a cell straddling two pixels also touches
    # its neighbour (a one-cell halo: at most 15 % more pixels).
    assert (stored_any | ~memory_any).all()
    assert stored_any.sum() <= 1.15 * memory_any.sum()
    spike_row = int((40.0 - yr[0]) / (yr[1] - yr[0]) * size[1])
    assert stored_any[spike_row - 2:spike_row + 1].any()  # curve 7's one-sample spike


def test_a_zoom_deeper_than_the_pyramid_says_it_is_coarser(session: ClusterSession) -> None:
    partials.catch_up(session, PROCESS)
    found = partials.density(session, CurveQuery(process=PROCESS), color_by="result",
                             groups=["OK"], other=-1, x_range=(4.0, 5.0), y_range=(0.0, 12.0),
                             width=800, height=470)
    assert found is not None and found.coarse and found.level == len(partials.LEVELS) - 1
    assert found.cells[0] < 800 and (found.images[0] > 0).any()


def test_new_curves_are_drawn_from_samples_until_the_partials_catch_up(
        session: ClusterSession) -> None:
    partials.catch_up(session, PROCESS)
    insert(session.ch, session.database, range(121, 141))
    query, groups = CurveQuery(process=PROCESS), ["NOK", "OK", "WARNING"]
    for got, want in zip(*_grid_view(session, query, groups), strict=True):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)
    built = partials.catch_up(session, PROCESS)
    assert (built.curves, built.rebuilt) == (20, False)
    grid = partials.ready_grid(session, PROCESS)
    assert grid is not None and (grid.built_upto, grid.curves) == (140, 140)
    for got, want in zip(*_grid_view(session, query, groups), strict=True):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


class Cut(Exception):
    """The worker stopped here."""


def _cut_after(monkeypatch: pytest.MonkeyPatch, name: str, calls: int) -> None:
    """Make ``stored.<name>`` fail (as a stopped worker) on its call number ``calls`` + 1."""
    real, seen = getattr(stored, name), []

    def cut(*args: object, **kwargs: object) -> object:
        seen.append(1)
        if len(seen) > calls:
            raise Cut(name)
        return real(*args, **kwargs)
    monkeypatch.setattr(stored, name, cut)


@pytest.mark.parametrize(("name", "calls"), [
    ("insert_members", 0),  # the batch recorded as pending, its members and cells not in
    ("insert_cells", 0),    # its members in, no cell
    ("insert_cells", 1),    # the day level (and its month rollup) in, the finer month level not
    ("save_grid", 1),       # every cell in, the watermark not moved
])
def test_an_update_cut_short_is_completed_and_never_counted_twice(
        session: ClusterSession, monkeypatch: pytest.MonkeyPatch, name: str,
        calls: int) -> None:
    partials.catch_up(session, PROCESS)
    insert(session.ch, session.database, range(121, 161))
    with monkeypatch.context() as patch:
        _cut_after(patch, name, calls)
        with pytest.raises(Cut):
            partials.catch_up(session, PROCESS)
    cut = partials.ready_grid(session, PROCESS)
    assert cut is not None and (cut.built_upto, cut.pending_upto, cut.pending_curves) == (
        120, 160, 40)
    built = partials.catch_up(session, PROCESS)
    grid = partials.ready_grid(session, PROCESS)
    assert not built.rebuilt and grid is not None and grid.grid == cut.grid
    assert (grid.built_upto, grid.curves, grid.pending_upto) == (160, 160, 0)
    for level in range(len(partials.LEVELS)):  # the days' level and the months' levels
        for got, want in zip(*_grid_view(session, CurveQuery(process=PROCESS),
                                         ["NOK", "OK", "WARNING"], level), strict=True):
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_an_update_cut_short_whose_curves_changed_rebuilds(
        session: ClusterSession, monkeypatch: pytest.MonkeyPatch) -> None:
    partials.catch_up(session, PROCESS)
    insert(session.ch, session.database, range(121, 161))
    with monkeypatch.context() as patch:
        _cut_after(patch, "insert_cells", 1)
        with pytest.raises(Cut):
            partials.catch_up(session, PROCESS)
    session.command(f"ALTER TABLE {session.database}.curves DELETE WHERE curve_id = 150",
                    settings={"mutations_sync": 2})
    built = partials.catch_up(session, PROCESS)
    assert built.rebuilt and built.curves == 159
    assert built.reason == "an update cut short cannot be repeated with the same curves"
    for got, want in zip(*_grid_view(session, CurveQuery(process=PROCESS),
                                     ["NOK", "OK", "WARNING"]), strict=True):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_a_curve_outside_the_grid_widens_it_and_is_not_clipped(
        session: ClusterSession) -> None:
    first = partials.catch_up(session, PROCESS)
    insert(session.ch, session.database, range(200, 202), spike={200: 400.0, 201: -50.0})
    built = partials.catch_up(session, PROCESS)
    grid = partials.ready_grid(session, PROCESS)
    assert built.rebuilt and built.reason == "new curves fall outside its grid"
    assert grid is not None and grid.grid == first.grid + 1
    assert grid.y0 < -50.0 and grid.y1 > 400.0 and grid.curves == 122
    assert [g.grid for g in stored.grids(session, process=PROCESS)] == [grid.grid]
    for got, want in zip(*_grid_view(session, CurveQuery(process=PROCESS), ["NOK", "OK",
                                                                            "WARNING"]),
                         strict=True):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_replaced_curves_rebuild_the_partials(session: ClusterSession) -> None:
    partials.catch_up(session, PROCESS)
    session.command(f"ALTER TABLE {session.database}.curves DELETE WHERE curve_id <= 10",
                    settings={"mutations_sync": 2})
    session.command(f"ALTER TABLE {session.database}.curve_samples DELETE WHERE "
                    "curve_id <= 10", settings={"mutations_sync": 2})
    built = partials.catch_up(session, PROCESS)
    assert built.rebuilt and built.reason == "curves it holds were deleted or replaced"
    assert built.curves == 110


def test_curves_arriving_below_the_watermark_are_added_not_rebuilt(
        session: ClusterSession) -> None:
    """An import numbers its curves far above the demo feed's: the feed's next curves get
    ids below the watermark, and are added (a rebuild each round was the cost before)."""
    insert(session.ch, session.database, range(5000, 5040))  # the import
    first = partials.catch_up(session, PROCESS)
    insert(session.ch, session.database, range(121, 131))    # the feed goes on
    built = partials.catch_up(session, PROCESS)
    grid = partials.ready_grid(session, PROCESS)
    assert (built.curves, built.rebuilt, built.reason) == (10, False, "")
    assert grid is not None and grid.grid == first.grid
    assert (grid.built_upto, grid.curves) == (5039, 170)
    assert partials.catch_up(session, PROCESS).curves == 0  # nothing left to add
    for level in range(len(partials.LEVELS)):
        for got, want in zip(*_grid_view(session, CurveQuery(process=PROCESS),
                                         ["NOK", "OK", "WARNING"], level), strict=True):
            np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_a_late_curve_still_being_inserted_waits_alone(session: ClusterSession) -> None:
    insert(session.ch, session.database, range(5000, 5010))
    partials.catch_up(session, PROCESS)
    session.ch.insert_rows("curves", [(300, 300, "SN-300", T0, PROCESS, "Line 1", "OP10",
                                       "PH-200", "LOT-1", "OK", "", "stroke", "mm", "force",
                                       "kN", 301, 0.0, 10.0, 0.0, 10.0)],
                           database=session.database, column_names=COLUMNS)
    insert(session.ch, session.database, range(121, 126))
    built = partials.catch_up(session, PROCESS)
    assert (built.curves, built.rebuilt) == (5, False)  # 300 has no samples yet
    x, y = _curve(300)
    session.ch.insert_rows("curve_samples", [(300, T0, PROCESS, i, float(a), float(b))
                                             for i, (a, b) in enumerate(zip(x, y, strict=True))],
                           database=session.database,
                           column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    assert partials.catch_up(session, PROCESS).curves == 1
    grid = partials.ready_grid(session, PROCESS)
    assert grid is not None and grid.curves == 136


def test_a_grid_without_its_record_of_curves_is_rebuilt(session: ClusterSession) -> None:
    """A grid built before the partials recorded which curves they hold."""
    partials.catch_up(session, PROCESS)
    session.command(f"TRUNCATE TABLE {session.database}.density_members")
    built = partials.catch_up(session, PROCESS)
    assert built.rebuilt and built.reason == "the curves it holds are not all recorded"
    assert built.curves == 120
    for got, want in zip(*_grid_view(session, CurveQuery(process=PROCESS),
                                     ["NOK", "OK", "WARNING"]), strict=True):
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=ATOL)


def test_a_curve_still_being_inserted_waits(session: ClusterSession) -> None:
    session.ch.insert_rows("curves", [(500, 500, "SN-500", T0, PROCESS, "Line 1", "OP10",
                                       "PH-200", "LOT-1", "OK", "", "stroke", "mm", "force",
                                       "kN", 301, 0.0, 10.0, 0.0, 10.0)],
                           database=session.database, column_names=COLUMNS)
    built = partials.catch_up(session, PROCESS)
    grid = partials.ready_grid(session, PROCESS)
    assert built.curves == 120 and grid is not None and grid.built_upto == 120


@pytest.mark.parametrize(("query", "color_by"), [
    (CurveQuery(process=PROCESS, batches=("LOT-1",)), "result"),
    (CurveQuery(process=PROCESS), "batch"),
    (CurveQuery(process=PROCESS, start=T0.replace(hour=7)), "result"),
    (CurveQuery(process=PROCESS, end=T0.replace(hour=7)), "result"),
])
def test_curve_level_conditions_use_todays_paths(session: ClusterSession, query: CurveQuery,
                                                 color_by: str) -> None:
    partials.catch_up(session, PROCESS)
    assert not partials.answers(query, color_by=color_by)
    assert partials.density(session, query, color_by=color_by, groups=["OK"], other=-1,
                            x_range=(0.0, 10.0), y_range=(0.0, 12.0), width=100,
                            height=100) is None


def test_the_explorer_draws_a_big_process_from_the_partials(
        session: ClusterSession, monkeypatch: pytest.MonkeyPatch) -> None:
    partials.catch_up(session, PROCESS)
    monkeypatch.setattr(population, "MAX_SAMPLES", 10)  # too big to hold
    dens = curve_queries.density(session, CurveQuery(process=PROCESS), color_by="result",
                                 x_range=None, y_range=None, width=800, height=470)
    assert dens.stored_cells is not None and dens.n_curves == 120
    assert "stored partial images" in view.summary_text(dens)
    fine = curve_queries.density(session, CurveQuery(process=PROCESS), color_by="result",
                                 x_range=None, y_range=None, width=800, height=470,
                                 use_stored=False)
    assert fine.stored_cells is None


@pytest.mark.parametrize(("points", "chunks"), [
    ([3, 3, 3, 3, 3], [(0, 2), (2, 2), (4, 1)]),   # the curve cap
    ([4, 4, 1, 9, 1], [(0, 1), (1, 2), (3, 1), (4, 1)]),  # the sample cap; a big curve alone
    ([], []),
])
def test_chunks_hold_at_most_so_many_curves_and_samples(
        points: list[int], chunks: list[tuple[int, int]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(partials, "CHUNK_CURVES", 2)
    assert partials._chunks(np.array(points, dtype=np.int64), samples=6) == chunks


def test_a_build_reads_its_samples_under_the_clusters_result_cap(
        session: ClusterSession) -> None:
    # 120 curves of 301 samples: one read of them all is above this cluster's cap
    capped = ClusterSession(ch=session.ch, database=session.database,
                            limits={"max_result_rows": 20_000}, caches=ProcessCaches())
    built = partials.catch_up(capped, PROCESS)
    assert built.curves == 120
    got, want = _grid_view(session, CurveQuery(process=PROCESS), ["NOK", "OK", "WARNING"])
    for a, b in zip(got, want, strict=True):
        np.testing.assert_allclose(a, b, rtol=RTOL, atol=ATOL)
