"""The stored partials' queries in real chDB: which months of a day range the month rollup
answers, the rollup kept current by its materialized view, and the cell query reading whole
months from it and the other days from the day partials (the same sums either way)."""

from __future__ import annotations

from datetime import date, datetime, time

import numpy as np
import pyarrow as pa
import pytest

from data.analytics import density_partials as stored
from data.analytics.ch_schema import density_statements, schema_statements
from data.analytics.clickhouse import ClickHouse
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession
from services.core.cache import ProcessCaches


@pytest.mark.parametrize(("start", "end", "want"), [
    (None, None, (None, None)),
    (date(2026, 11, 1), date(2026, 11, 30), (date(2026, 11, 1), date(2026, 11, 1))),
    (date(2026, 11, 2), None, (date(2026, 12, 1), None)),
    (None, date(2026, 11, 29), (None, date(2026, 10, 1))),
    (date(2026, 10, 15), date(2027, 1, 31), (date(2026, 11, 1), date(2027, 1, 1))),
    (date(2024, 2, 1), date(2024, 2, 29), (date(2024, 2, 1), date(2024, 2, 1))),  # leap day
    (date(2026, 12, 31), date(2027, 1, 1), None),
    (date(2026, 11, 2), date(2026, 11, 30), None),
])
def test_whole_months_of_a_day_range(start: date | None, end: date | None,
                                     want: tuple[date | None, date | None] | None) -> None:
    assert stored.whole_months(start, end) == want


def _range(start: date | None, end: date | None) -> CurveQuery:
    return CurveQuery(process="p", start=None if start is None else _day(start),
                      end=None if end is None else _day(end, True))


@pytest.mark.parametrize(("start", "end", "months", "want"), [
    (None, None, True, False),
    (None, None, False, True),  # a rollup not filled yet: every day
    (date(2026, 11, 1), date(2026, 11, 30), True, False),
    (date(2026, 11, 1), None, True, False),
    (None, date(2026, 12, 31), True, False),
    (date(2026, 11, 2), None, True, True),
    (None, date(2026, 11, 29), True, True),
    (date(2026, 10, 15), date(2027, 1, 31), True, True),
    (date(2024, 2, 1), date(2024, 2, 29), True, False),  # leap day
    (date(2026, 11, 2), date(2026, 11, 30), True, True),
])
def test_which_day_ranges_read_day_partials(start: date | None, end: date | None,
                                            months: bool, want: bool) -> None:
    assert stored.reads_days(_range(start, end), months=months) is want


GROUPS = ["OK", "NOK"]
COLUMNS = ["process", "grid", "level", "day", "line", "station", "product", "result", "xb",
           "yb", "w"]
#: (day, line, result, xb, yb, w) rows of the day partials of grid 1, level 0.
ROWS = [
    (date(2026, 10, 31), "L1", "OK", 5, 7, 1.0),
    (date(2026, 11, 1), "L1", "OK", 5, 7, 0.5),
    (date(2026, 11, 2), "L1", "OK", 5, 7, 0.25),
    (date(2026, 11, 2), "L2", "NOK", 6, 8, 2.0),
    (date(2026, 11, 30), "L2", "OK", 900, 500, 4.0),
    (date(2026, 12, 1), "L1", "NOK", 6, 8, 8.0),
]


@pytest.fixture
def session(ch: ClickHouse, ch_database: str) -> ClusterSession:
    """A cluster database holding :data:`ROWS` (the materialized view rolls them up)."""
    for statement in schema_statements(ch_database, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    ch.insert_rows("density_partials", [
        ("p", 1, 0, day, line, "OP10", "P1", result, xb, yb, w)
        for day, line, result, xb, yb, w in ROWS], database=ch_database,
        column_names=COLUMNS)
    return ClusterSession(ch=ch, database=ch_database, limits={}, caches=ProcessCaches())


def _sums(session: ClusterSession, query: CurveQuery, *, months: bool,
          cols: tuple[int, int] = (0, 1024)) -> dict[tuple[int, int, int], float]:
    found = stored.cells(session, query, grid=1, level=0, color_by="result", groups=GROUPS,
                         cols=cols, rows=(0, 512), months=months)
    assert found.schema.field("w").type == pa.float32()  # 10 bytes a cell over HTTP
    return {(g, x, y): w for g, x, y, w in zip(*(found[c].to_pylist()
                                                 for c in ("g", "xb", "yb", "w")), strict=True)}


def _want(query: CurveQuery, cols: tuple[int, int] = (0, 1024)) -> dict[tuple[int, int, int],
                                                                      float]:
    out: dict[tuple[int, int, int], float] = {}
    for day, line, result, xb, yb, w in ROWS:
        if (query.start and day < query.start.date()) or (query.end and day > query.end.date()) \
                or (query.lines and line not in query.lines) or not cols[0] <= xb < cols[1]:
            continue
        key = (GROUPS.index(result) + 1, xb, yb)
        out[key] = out.get(key, 0.0) + w
    return out


def _day(d: date, end: bool = False) -> datetime:
    return datetime.combine(d, time.max if end else time.min)


@pytest.mark.parametrize("query", [
    CurveQuery(process="p"),
    CurveQuery(process="p", lines=("L1",)),
    CurveQuery(process="p", start=_day(date(2026, 11, 1)), end=_day(date(2026, 11, 30), True)),
    CurveQuery(process="p", start=_day(date(2026, 11, 2))),
    CurveQuery(process="p", end=_day(date(2026, 11, 29), True)),
    CurveQuery(process="p", start=_day(date(2026, 10, 31)), end=_day(date(2026, 12, 1), True)),
    CurveQuery(process="p", start=_day(date(2026, 11, 2)), end=_day(date(2026, 11, 2), True)),
])
def test_the_rollup_and_the_days_give_the_same_sums(session: ClusterSession,
                                                    query: CurveQuery) -> None:
    want = _want(query)
    assert _sums(session, query, months=True) == pytest.approx(want)
    assert _sums(session, query, months=False) == pytest.approx(want)


def test_the_cell_window_bounds_both_tables(session: ClusterSession) -> None:
    query = CurveQuery(process="p")
    assert _sums(session, query, months=True, cols=(0, 100)) == pytest.approx(
        _want(query, cols=(0, 100)))


def test_filling_the_months_replaces_what_the_view_already_rolled_up(
        session: ClusterSession) -> None:
    stored.fill_months(session, process="p", grid=1, levels=1)  # not doubled
    query = CurveQuery(process="p")
    assert _sums(session, query, months=True) == pytest.approx(_want(query))
    months = session.ch.rows(f"SELECT month, count() FROM {session.database}.density_months "
                             "FINAL GROUP BY month ORDER BY month")
    assert [(m, int(n)) for m, n in months] == [
        (date(2026, 10, 1), 1), (date(2026, 11, 1), 3), (date(2026, 12, 1), 1)]


def test_a_batch_inserted_again_under_its_token_adds_nothing_but_another_batch_adds(
        session: ClusterSession) -> None:
    """Identical cells of two batches both count (never dropped as equal content); the
    same batch repeated under its token counts once, in the days and their month rollup."""
    before = _sums(session, CurveQuery(process="p"), months=True)
    groups = [(date(2026, 11, 3), "L1", "OP10", "P1", "OK")]
    for token in ("a", "a", "b"):
        stored.insert_cells(session, process="p", grid=1, level=0, groups=groups,
                            token=token, group=np.array([0, 0]), xb=np.array([900, 901]),
                            yb=np.array([7, 7]), w=np.array([1.0, 2.0]))
    for months in (False, True):
        found = _sums(session, CurveQuery(process="p"), months=months)
        assert found[(1, 900, 7)] == pytest.approx(before.get((1, 900, 7), 0.0) + 2.0)
        assert found[(1, 901, 7)] == pytest.approx(before.get((1, 901, 7), 0.0) + 4.0)


def test_a_level_the_days_do_not_hold_goes_to_its_month_only(
        session: ClusterSession) -> None:
    cells = {"group": np.array([0, 1, 1]), "xb": np.array([3, 4, 4]),
             "yb": np.array([5, 6, 6]), "w": np.array([1.0, 0.5, 0.25])}
    written = stored.insert_cells(
        session, process="p", grid=1, level=1, months=True, token="t1",
        groups=[(date(2026, 11, 2), "L1", "OP10", "P1", "OK"),
                (date(2026, 11, 30), "L1", "OP10", "P1", "NOK")], **cells)
    assert written == 3
    db = session.database
    assert int(session.ch.scalar(f"SELECT count() FROM {db}.density_partials "
                                 "WHERE level = 1")) == 0
    found = stored.cells(session, CurveQuery(process="p"), grid=1, level=1,
                         color_by="result", groups=GROUPS, cols=(0, 4096), rows=(0, 512),
                         months=True)
    assert sorted(zip(*(found[c].to_pylist() for c in ("g", "xb", "yb", "w")),
                      strict=True)) == [(1, 3, 5, 1.0), (2, 4, 6, 0.75)]
    assert session.ch.rows(f"SELECT DISTINCT month FROM {db}.density_months "
                           "WHERE level = 1") == [(date(2026, 11, 1),)]


def test_trimming_a_grids_days_keeps_the_coarse_levels_and_other_grids(
        session: ClusterSession) -> None:
    session.ch.insert_rows("density_partials", [
        ("p", grid, level, date(2026, 11, 2), "L1", "OP10", "P1", "OK", 1, 2, 0.5)
        for grid in (1, 2) for level in (1, 2)], database=session.database,
        column_names=COLUMNS)
    stored.trim_days(session, process="p", grid=1, levels=1)
    left = session.ch.rows(f"SELECT grid, level, count() FROM {session.database}."
                           "density_partials GROUP BY grid, level ORDER BY grid, level")
    assert [tuple(int(v) for v in r) for r in left] == [(1, 0, len(ROWS)), (2, 1, 1),
                                                        (2, 2, 1)]


def test_filling_the_months_leaves_the_levels_stored_per_month_only(
        session: ClusterSession) -> None:
    session.ch.insert_rows("density_months", [
        ("p", 1, 1, date(2026, 11, 1), "L1", "OP10", "P1", "OK", 1, 2, 0.5)],
        database=session.database, column_names=["month" if c == "day" else c
                                                 for c in COLUMNS])
    stored.fill_months(session, process="p", grid=1, levels=1)
    query = CurveQuery(process="p")
    assert _sums(session, query, months=True) == pytest.approx(_want(query))
    level1 = stored.cells(session, query, grid=1, level=1, color_by="result",
                          groups=GROUPS, cols=(0, 4096), rows=(0, 512), months=True)
    assert level1["w"].to_pylist() == [0.5]


def test_a_dropped_grid_leaves_no_rollup(session: ClusterSession) -> None:
    stored.drop_grid(session, process="p", grid=1)
    assert _sums(session, CurveQuery(process="p"), months=True) == {}


def test_the_statements_bring_a_cluster_made_before_the_rollup_up_to_date(
        ch: ClickHouse, ch_database: str) -> None:
    for statement in schema_statements(ch_database, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    for table in ("density_months_mv", "density_months"):  # as made before the rollup
        ch.command(f"DROP TABLE {ch_database}.{table}")
    for column in ("months", "day_levels", "pending_upto", "pending_curves", "pending_token"):
        ch.command(f"ALTER TABLE {ch_database}.density_grids DROP COLUMN {column}")
    ch.command(f"ALTER TABLE {ch_database}.density_partials MODIFY COLUMN yb UInt16 "
               "CODEC(ZSTD(1))")
    ch.command(f"INSERT INTO {ch_database}.density_grids VALUES ('p', 1, 0, 1, 0, 1, "
               "[1024, 4096], 512, 10, 10, 1, now64(6))")
    for _ in range(2):  # at every start-up: idempotent
        for statement in density_statements(ch_database, with_ttl=False, tiered=False):
            ch.command(statement)
    session = ClusterSession(ch=ch, database=ch_database, limits={}, caches=ProcessCaches())
    [grid] = stored.grids(session, process="p")
    assert grid.ready and not grid.months  # read from its days until its months are filled
    assert grid.day_levels == 2  # every level in its days until the next catch-up trims
    assert (grid.pending_upto, grid.pending_curves, grid.pending_token) == (0, 0, "")
    create = str(ch.scalar("SELECT create_table_query FROM system.tables WHERE database = "
                           "{db:String} AND name = 'density_partials'",
                           parameters={"db": ch_database}))
    assert "`yb` UInt16 CODEC(Delta(2), ZSTD(9))" in create
    assert "`w` Float32 CODEC(ZSTD(15))" in create
    assert "min_bytes_for_wide_part = 0" in create
    assert "non_replicated_deduplication_window = 10000" in create
    ch.insert_rows("density_partials", [("p", 1, 0, date(2026, 11, 2), "L1", "OP10", "P1",
                                         "OK", 1, 2, 0.5)], database=ch_database,
                   column_names=COLUMNS)
    assert _sums(session, CurveQuery(process="p"), months=True) == {(1, 1, 2): 0.5}
