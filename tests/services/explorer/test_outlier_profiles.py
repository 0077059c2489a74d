"""The ranking's profile read: every filtered curve within the bounds, else an even sample
that says which share and why; the same profiles as the unbounded read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession
from services.core.cache import ProcessCaches
from services.explorer import curve_queries, outlier_profiles, population
from services.explorer.outlier_profiles import BLOCK, chosen, ranked_profiles, spread_order

DB = "test_outlier_profiles"
T0 = datetime(2026, 11, 1, tzinfo=UTC)
N = 300  # curves: ids 1 … 300
QUERY = CurveQuery(process="press-fit")
COLUMNS = ["curve_id", "part_id", "serial", "ts", "process", "line", "station", "product",
           "batch", "result", "defect_mode", "x_name", "x_unit", "y_name", "y_unit",
           "n_points", "x_min", "x_max", "y_min", "y_max"]


@pytest.fixture(scope="module")
def session(ch: ClickHouse) -> Iterator[ClusterSession]:
    """A cluster database of ``N`` rising curves of 20 samples on x 0…1."""
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    for statement in schema_statements(DB, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    x = np.linspace(0.0, 1.0, 20)
    rows, samples = [], []
    for cid in range(1, N + 1):
        y = x * (1 + cid / 1000)
        rows.append((cid, cid, f"SN-{cid}", T0 + timedelta(minutes=cid), "press-fit", "L1",
                     "OP10", "P1", "B1", "OK", "", "x", "mm", "y", "kN", len(x), 0.0, 1.0,
                     0.0, float(y.max())))
        samples += [(cid, T0, "press-fit", i, float(a), float(b))
                    for i, (a, b) in enumerate(zip(x, y, strict=True))]
    ch.insert_rows("curves", rows, database=DB, column_names=COLUMNS)
    ch.insert_rows("curve_samples", samples, database=DB,
                   column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    yield ClusterSession(ch=ch, database=DB, limits={}, caches=ProcessCaches())
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


def _fresh(session: ClusterSession, *, held: bool = False) -> ClusterSession:
    """The same database with empty caches: no profiles kept, no population held (and,
    unless ``held``, none ever loaded: a process too big to hold)."""
    caches = ProcessCaches()
    if not held:
        population.set_budget(caches, 0)
    return ClusterSession(ch=session.ch, database=session.database, limits={}, caches=caches)


def test_every_prefix_of_the_spread_order_is_spread_evenly() -> None:
    assert spread_order(8).tolist() == [0, 4, 2, 6, 1, 5, 3, 7]
    assert spread_order(5).tolist() == [0, 4, 2, 1, 3]
    assert spread_order(1).tolist() == [0] and spread_order(0).tolist() == []
    order = spread_order(1000)
    assert sorted(order.tolist()) == list(range(1000))
    for k in (2, 10, 100, 333):  # no gap between chosen blocks wider than ~2 strides
        gaps = np.diff(np.sort(order[:k]))
        assert gaps.max() <= 2 * 1000 / k + 1


def test_chosen_takes_whole_blocks_spread_over_the_ids() -> None:
    ids = np.arange(1, 1001) * 3
    assert chosen(ids, 5000) is ids
    picked = chosen(ids, 2 * BLOCK)
    assert len(picked) == 2 * BLOCK and np.all(np.diff(picked) > 0)
    assert picked[:BLOCK].tolist() == ids[:BLOCK].tolist()  # block 0, then the middle one
    assert picked[BLOCK] == ids[8 * BLOCK]


def test_within_the_bounds_every_curve_is_read_as_the_unbounded_read_has_it(
        session: ClusterSession) -> None:
    fresh = _fresh(session)
    read = ranked_profiles(fresh, QUERY)
    assert (read.n_matching, read.n_read, read.bound, read.words()) == (N, N, "", "")
    full = curve_queries.profiles(_fresh(session), QUERY)
    assert read.profiles.curve_ids.tolist() == full.curve_ids.tolist() == list(range(1, N + 1))
    for a, b in ((read.profiles.mean, full.mean), (read.profiles.low, full.low),
                 (read.profiles.high, full.high)):
        assert np.array_equal(a, b, equal_nan=True)
    assert ranked_profiles(fresh, QUERY) is read  # kept: a redraw does not read again


def test_the_memory_bound_reads_an_even_sample_and_says_so(session: ClusterSession) -> None:
    read = ranked_profiles(_fresh(session), QUERY, max_curves=2 * BLOCK)
    assert read.bound == "curves" and read.n_read == 2 * BLOCK and read.n_matching == N
    assert read.profiles.curve_ids.tolist() == chosen(np.arange(1, N + 1), 2 * BLOCK).tolist()
    assert read.words() == (
        f"an even sample of 128 of the 300 filtered curves (43 %: blocks of {BLOCK} "
        "consecutive curves spread over all of them), as the ranking holds at most 128 "
        "curves in memory")


def test_the_time_bound_starts_no_chunk_that_would_end_too_late(
        session: ClusterSession, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chunk takes as long as the one before: with chunks of 1 s and 2.5 s to read, two
    are read (the third would end at 3 s); the words estimate the whole read from the part
    read. The clock: began 0; chunk 1 from 0 to 1; chunk 2 from 1 to 2; then at 2 + 1 > 2.5
    it stops, at 3 when asked how long it took."""
    monkeypatch.setattr(outlier_profiles, "CHUNK", BLOCK)
    ticks = iter([0.0, 0.0, 1.0, 1.0, 2.0, 2.0, 3.0])
    read = ranked_profiles(_fresh(session), QUERY, read_s=2.5, clock=lambda: next(ticks))
    assert read.bound == "time" and read.n_read == 2 * BLOCK and read.read_s == 3.0
    assert read.profiles.curve_ids.tolist() == chosen(np.arange(1, N + 1), 2 * BLOCK).tolist()
    assert read.words() == (
        f"an even sample of 128 of the 300 filtered curves (43 %: blocks of {BLOCK} "
        "consecutive curves spread over all of them): reading every curve's samples from "
        "the database would take about 7 s here, and the ranking after a draw reads for at "
        "most 2.5 s")


def test_a_held_process_is_bounded_by_memory_only(session: ClusterSession) -> None:
    fresh = _fresh(session, held=True)
    assert population.load(fresh, "press-fit") is not None
    read = ranked_profiles(fresh, QUERY, read_s=0.0)
    assert (read.n_read, read.bound, read.read_s) == (N, "", 0.0)
    sampled = ranked_profiles(fresh, QUERY, max_curves=BLOCK)
    assert sampled.bound == "curves" and sampled.n_read == BLOCK
