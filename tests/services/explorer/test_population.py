"""The explorer's in-memory population of a process, on a hand-made cluster: what a load
holds, filters as masks, colour groups, points, top-ups that take only complete new curves,
reloads when curves vanish, and being served from ClickHouse while behind an import."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession, for_cluster
from services.core.runtime import Runtime
from services.explorer import population
from tests.access_world import register_cluster

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
CURVE_COLUMNS = ["curve_id", "part_id", "serial", "ts", "process", "line", "station",
                 "product", "batch", "result", "defect_mode", "x_name", "x_unit", "y_name",
                 "y_unit", "n_points", "x_min", "x_max", "y_min", "y_max"]
_names = itertools.count(1)


def _add(ch: ClickHouse, db: str, cid: int, *, line: str = "L1", result: str = "OK",
         points: int = 5, stored: int | None = None, process: str = "press") -> None:
    """Curve ``cid``: y = cid * x on ``points`` samples (``stored``: the point count its row
    claims, as while its samples are still being inserted)."""
    ts = T0 + timedelta(minutes=cid)
    x = np.linspace(0.0, 1.0, points)
    ch.insert_rows("curves", [(cid, cid, f"S{cid}", ts, process, line, "ST1", "P", "B",
                               result, "", "travel", "mm", "force", "kN",
                               points if stored is None else stored, 0.0, 1.0, 0.0,
                               float(cid))], database=db, column_names=CURVE_COLUMNS)
    ch.insert_rows("curve_samples", [(cid, ts, process, i, float(a), float(cid * a))
                                     for i, a in enumerate(x)], database=db,
                   column_names=["curve_id", "ts", "process", "idx", "x", "y"])


@pytest.fixture
def db(ch: ClickHouse) -> Iterator[str]:
    """A fresh cluster database with curves 1–3 (L1 OK, L1 NOK, L2 OK) of ``press`` and one
    curve of another process."""
    name = f"population_{next(_names)}"
    ch.command(f"DROP DATABASE IF EXISTS {name}")
    for statement in schema_statements(name, tiered=False, with_ttl=False, fresh=True):
        ch.command(statement)
    _add(ch, name, 1)
    _add(ch, name, 2, result="NOK", points=4)
    _add(ch, name, 3, line="L2")
    _add(ch, name, 50, process="glue")
    yield name
    ch.command(f"DROP DATABASE IF EXISTS {name}")


@pytest.fixture
def session(runtime: Runtime, db: str) -> ClusterSession:
    return for_cluster(runtime, register_cluster(runtime, db))


def test_a_load_holds_every_curve_of_the_process_in_id_order(session: ClusterSession) -> None:
    pop = population.load(session, "press")
    assert pop.curve_ids.tolist() == [1, 2, 3] and pop.max_id == 3
    assert pop.starts.tolist() == [0, 5, 9, 14] and pop.n_samples == 14
    assert pop.y[5:9].tolist() == pytest.approx([0.0, 2 / 3, 4 / 3, 2.0])
    assert pop.bounds.tolist() == [[0, 1, 0, 1], [0, 1, 0, 2], [0, 1, 0, 3]]
    assert pop.sorted_x.tolist() == [True, True, True]
    assert pop.ts_ms[0] == int((T0 + timedelta(minutes=1)).timestamp() * 1000)
    assert pop.names["line"] == ["L1", "L2"] and pop.codes["line"].tolist() == [0, 0, 1]
    assert population.get(session, "press") is pop


def test_filters_are_masks_and_unknown_values_match_nothing(session: ClusterSession) -> None:
    pop = population.load(session, "press")
    assert population.mask(pop, CurveQuery(process="press")).tolist() == [True] * 3
    keep = population.mask(pop, CurveQuery(process="press", lines=("L1",), results=("OK",)))
    assert keep.tolist() == [True, False, False]
    assert not population.mask(pop, CurveQuery(process="press", lines=("L9",))).any()
    late = population.mask(pop, CurveQuery(process="press", start=T0 + timedelta(minutes=2),
                                           end=T0 + timedelta(minutes=2)))
    assert late.tolist() == [False, True, False]
    assert population.summary(pop, population.mask(pop, CurveQuery(
        process="press", lines=("L1",)))) == {"count": 2, "x": (0.0, 1.0), "y": (0.0, 2.0)}
    assert population.summary(pop, np.zeros(3, dtype=bool)) == {
        "count": 0, "x": (0.0, 0.0), "y": (0.0, 0.0)}


def test_colour_groups_keep_the_most_frequent_and_gather_the_rest() -> None:
    few = {"B": 3, "A": 1, "C": 0}
    assert population.top_groups(few) == ["A", "B"]
    many = {f"v{i:02d}": 100 - i for i in range(12)}
    found = population.top_groups(many)
    assert found == [*(f"v{i:02d}" for i in range(9)), population.OTHER]
    assert len(found) == population.MAX_GROUPS


def test_groups_and_points_of_the_kept_curves(session: ClusterSession) -> None:
    pop = population.load(session, "press")
    keep = np.array([True, True, False])
    assert population.groups(pop, keep, color_by="result") == ["NOK", "OK"]
    found = population.points(pop, [3, 99])
    assert list(found) == [3] and found[3][1].tolist() == pytest.approx(
        [0.0, 0.75, 1.5, 2.25, 3.0])
    ids, mean, _low, _high = population.profiles(pop, keep, x_range=(0.0, 1.0), bins=4)
    assert ids.tolist() == [1, 2] and mean.shape == (2, 4)


def test_a_top_up_takes_complete_new_curves_only(ch: ClickHouse, db: str,
                                                 session: ClusterSession) -> None:
    pop = population.load(session, "press")
    _add(ch, db, 4, line="L3")
    _add(ch, db, 5, points=3, stored=6)  # its samples are still arriving
    _add(ch, db, 6)
    new = population.append_new(session, pop)
    assert new is not pop and pop.curve_ids.tolist() == [1, 2, 3]
    assert new.curve_ids.tolist() == [1, 2, 3, 4] and new.max_id == 4
    assert new.version == 1 and new.names["line"] == ["L1", "L2", "L3"]
    assert new.starts.tolist() == [0, 5, 9, 14, 19] and new.bounds[3].tolist() == [0, 1, 0, 4]
    assert population.get(session, "press") is new
    same = population.append_new(session, new)  # curve 5 still incomplete: nothing new
    assert same is new


def test_curves_with_ids_below_the_held_ones_are_put_in_their_place(
        ch: ClickHouse, db: str, session: ClusterSession) -> None:
    """An import numbers its curves far above the demo feed's, which goes on below them:
    the feed's curves are added where their ids go, not a reason to read everything."""
    _add(ch, db, 9000, line="L9", points=3)  # the import
    pop = population.load(session, "press")
    _add(ch, db, 4, line="L3")                # the feed goes on
    _add(ch, db, 5, points=3, stored=6)       # its samples are still arriving
    _add(ch, db, 9001)                        # the import's next one
    new = population.append_new(session, pop)
    assert new.version == 1 and new.max_id == 9001
    assert new.curve_ids.tolist() == [1, 2, 3, 4, 9000, 9001]
    assert new.starts.tolist() == [0, 5, 9, 14, 19, 22, 27]
    assert new.bounds[:, 3].tolist() == [1, 2, 3, 4, 9000, 9001]  # y max = id
    assert new.names["line"] == ["L1", "L2", "L9", "L3"]
    assert [new.names["line"][c] for c in new.codes["line"]] == [
        "L1", "L1", "L2", "L3", "L9", "L1"]
    found = population.points(new, [4, 9000])
    assert found[4][1].tolist() == pytest.approx([0.0, 1.0, 2.0, 3.0, 4.0])
    assert found[9000][1].tolist() == pytest.approx([0.0, 4500.0, 9000.0])
    ch.command(f"DELETE FROM {db}.curve_samples WHERE curve_id = 5")
    _add(ch, db, 5)                           # complete now (a second row of 5 points)
    ch.command(f"DELETE FROM {db}.curves WHERE curve_id = 5 AND n_points = 6")
    done = population.append_new(session, new)
    assert done.curve_ids.tolist() == [1, 2, 3, 4, 5, 9000, 9001] and done.version == 2
    assert population.points(done, [5])[5][1].tolist() == pytest.approx(
        [0.0, 1.25, 2.5, 3.75, 5.0])


def test_vanished_curves_make_the_process_load_again(ch: ClickHouse, db: str,
                                                     session: ClusterSession) -> None:
    pop = population.load(session, "press")
    ch.command(f"DELETE FROM {db}.curves WHERE curve_id = 2")
    again = population.append_new(session, pop)
    assert again.curve_ids.tolist() == [1, 3] and again.version == 0


def test_behind_an_import_the_process_is_not_served_until_topped_up(
        ch: ClickHouse, db: str, session: ClusterSession) -> None:
    population.load(session, "press")
    _add(ch, db, 7)
    population.mark_behind(session)
    assert population.is_marked_behind(session, "press")
    assert not population.is_marked_behind(session, "glue")
    caught_up = population.get(session, "press", wait=True)
    assert caught_up is not None and caught_up.curve_ids.tolist() == [1, 2, 3, 7]
    assert not population.is_marked_behind(session, "press")


def test_a_process_too_big_to_hold_stays_in_clickhouse(
        session: ClusterSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(population, "MAX_SAMPLES", 10)
    assert population.get(session, "press", wait=True) is None
    assert population.get(session, "press") is None  # remembered, not asked again yet
    assert population.get(session, "glue", wait=True) is not None
