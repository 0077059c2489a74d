"""The explorer's curve queries on a small known plant (:mod:`tests.data.analytics.plant_rows`):
filters, ranges, per-group counts, the density grid's pixels and weights, profiles, rows,
ids and the population reads, every value bound as a parameter."""

from __future__ import annotations

from datetime import datetime

import pytest

from data.analytics import curves
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession
from tests.data.analytics import plant_rows
from tests.data.analytics.plant_rows import at

HOSTILE = "press' OR 1 = 1 --"


def test_where_clause_binds_every_value() -> None:
    start, end = datetime(2026, 1, 1), datetime(2026, 2, 1)
    where, params = curves.where_clause(CurveQuery(
        process=HOSTILE, lines=("L1",), batches=("B'",), results=("NOK",), start=start,
        end=end), prefix="c.")
    assert where == ("c.process = {process:String} AND c.line IN {lines:Array(String)} AND "
                     "c.batch IN {batches:Array(String)} AND toString(c.result) IN "
                     "{results:Array(String)} AND c.ts >= {start:DateTime64(3, 'UTC')} AND "
                     "c.ts <= {end:DateTime64(3, 'UTC')}")
    assert params == {"process": HOSTILE, "lines": ["L1"], "batches": ["B'"],
                      "results": ["NOK"], "start": start, "end": end}
    assert curves.where_clause(CurveQuery(process="p")) == (
        "process = {process:String}", {"process": "p"})


@pytest.mark.parametrize(("ids", "parts", "want"), [
    ([], 3, []),
    ([5, 1, 3], 1, [(1, 5)]),
    ([5, 1, 3, 2], 2, [(1, 2), (3, 5)]),
    ([4, 1, 3, 2, 9], 2, [(1, 3), (4, 9)]),
    ([7], 4, [(7, 7)]),
    ([1, 2, 3], 10, [(1, 1), (2, 2), (3, 3)]),
])
def test_id_chunks(ids: list[int], parts: int, want: list[tuple[int, int]]) -> None:
    assert curves.id_chunks(ids, parts=parts) == want


def test_processes_values_and_summary(plant: ClusterSession) -> None:
    assert curves.processes(plant) == ["press", "screw"]
    assert curves.known_values(plant, process="press") == {
        "lines": ["L1", "L2"], "stations": ["OP10", "OP20"], "products": ["P1", "P2"],
        "batches": ["B1", "B2"], "axes": ["position", "mm", "force", "kN"]}
    assert curves.known_values(plant, process=HOSTILE)["lines"] == []
    assert curves.summary(plant, CurveQuery(process="press")) == {
        "count": 4, "x": (0.0, 3.0), "y": (0.0, 90.0)}
    assert curves.summary(plant, CurveQuery(process="press", lines=("L2",))) == {
        "count": 1, "x": (0.0, 2.0), "y": (0.0, 28.0)}
    assert curves.summary(plant, CurveQuery(process=HOSTILE)) == {
        "count": 0, "x": (0.0, 0.0), "y": (0.0, 0.0)}


def test_filters_and_time_window(plant: ClusterSession) -> None:
    def ids(query: CurveQuery) -> list[int]:
        return sorted(curves.curve_ids(plant, query))
    assert ids(CurveQuery(process="press")) == [11, 12, 13, 14]
    assert ids(CurveQuery(process="press", results=("NOK", "WARNING"))) == [12, 14]
    assert ids(CurveQuery(process="press", stations=("OP10",), products=("P1",))) == [
        11, 12, 14]
    assert ids(CurveQuery(process="press", start=at(10), end=at(20))) == [12, 13]
    assert ids(CurveQuery(process="press", lines=(HOSTILE,))) == []
    assert curves.count_upto(plant, process="press", last_id=12) == 2
    assert curves.sample_count(plant, process="press") == 12
    assert curves.sample_count(plant, process=HOSTILE) == 0


def test_group_counts(plant: ClusterSession) -> None:
    query = CurveQuery(process="press")
    assert curves.group_counts(plant, query, color_by="result") == {
        "OK": 2, "NOK": 1, "WARNING": 1}
    assert curves.group_counts(plant, query, color_by="line") == {"L1": 3, "L2": 1}
    with pytest.raises(KeyError):
        curves.group_counts(plant, query, color_by="line; DROP TABLE curves")


def test_density_weighs_each_curve_once(plant: ClusterSession) -> None:
    grid = curves.density(plant, CurveQuery(process="press"), x_range=(0.0, 3.0),
                          y_range=(0.0, 90.0), width=3, height=3, color_by="result",
                          groups=["OK", "NOK"])
    cells = {(int(g), int(k)): float(w) for g, k, w in grid.iter_rows()}
    # every curve's weights sum to 1 (its points inside the ranges), whatever its length;
    # group 0 is a value not in ``groups`` (WARNING)
    per_group: dict[int, float] = {}
    for (g, _k), w in cells.items():
        per_group[g] = per_group.get(g, 0.0) + w
    assert {g: round(w, 9) for g, w in per_group.items()} == {1: 2.0, 2: 1.0, 0: 1.0}
    # curve 12 (NOK, group 2): points (0,0) (1,30) (2,60) (3,90); the last sits on the edge
    assert {k: w for (g, k), w in cells.items() if g == 2} == {0: 0.25, 4: 0.25, 8: 0.5}


def test_points_profiles_and_rows(plant: ClusterSession) -> None:
    points = curves.curve_points(plant, process="press", curve_ids=[13, 11])
    assert points.rows() == [(11, 0, 0.0, 0.0), (11, 1, 1.0, 10.0), (11, 2, 2.0, 20.0),
                             (13, 0, 0.0, 0.0), (13, 1, 1.0, 12.0)]
    assert curves.curve_points(plant, process="press", curve_ids=[]).height == 0
    assert curves.curve_points(plant, process="screw", curve_ids=[11]).height == 0
    prof = curves.profile_arrays(plant, process="press", curve_ids=[12, 11],
                                 x_range=(0.0, 2.0), bins=2)
    # x = 2 (the upper edge) falls into the last bin; curve 12's x = 3 is outside
    assert sorted(prof.to_pylist(), key=lambda r: r["curve_id"]) == [
        {"curve_id": 11, "b": [0, 1], "a": [0.0, 15.0], "lo": [0.0, 10.0], "hi": [0.0, 20.0]},
        {"curve_id": 12, "b": [0, 1], "a": [0.0, 45.0], "lo": [0.0, 30.0], "hi": [0.0, 60.0]}]
    assert curves.profile_arrays(plant, process="screw", curve_ids=[11], x_range=(0.0, 2.0),
                                 bins=2).num_rows == 0
    assert curves.profile_arrays(plant, process="press", curve_ids=[], x_range=(0.0, 2.0),
                                 bins=2).column_names == ["curve_id", "b", "a", "lo", "hi"]
    rows = curves.curve_rows(plant, CurveQuery(process="press"), limit=2, offset=1)
    assert [(r["curve_id"], r["serial"], r["result"], r["n_points"]) for r in rows] == [
        (13, "SN-003", "OK", 2), (12, "SN-002", "NOK", 4)]
    picked = curves.curve_rows(plant, CurveQuery(process="press"), limit=10, curve_ids=[11, 21])
    assert [r["curve_id"] for r in picked] == [11]
    assert curves.features(plant, process="press", curve_id=11) == [
        ("knee", 4.0, "mm"), ("peak", 20.0, "kN")]


def test_population_reads(plant: ClusterSession) -> None:
    meta = curves.population_meta(plant, process="press", after_id=12)
    assert meta["curve_id"].to_list() == [13, 14]
    assert meta["ts_ms"].to_list() == [plant_rows.T0_MS + 20 * 60_000,
                                       plant_rows.T0_MS + 70 * 60_000]
    assert meta["result"].to_list() == ["OK", "WARNING"]
    assert meta.columns == ["curve_id", "ts_ms", "n_points", "x_min", "x_max", "y_min",
                            "y_max", "result", "line", "station", "product", "batch"]
    samples = curves.population_samples(plant, process="screw", id_range=(21, 22))
    assert samples.rows() == [(21, 0.0, 0.0), (21, 1.0, 5.0), (22, 0.0, 0.0), (22, 1.0, 7.0),
                              (22, 2.0, 9.0)]


def test_profiles_stop_where_a_curve_goes_back(cluster_session: ClusterSession) -> None:
    """A curve whose x returns (a press retracting) is profiled up to the return only."""
    ch, db = cluster_session.ch, cluster_session.database
    xs, ys = [0.0, 1.0, 2.0, 1.5, 0.5], [0.0, 4.0, 8.0, 100.0, 100.0]
    ch.insert_rows("curves", [(7, 1, "R-1", at(0), "press", "L1", "OP10", "P1", "B1", "OK", "",
                               "x", "", "y", "", 5, 0.0, 2.0, 0.0, 100.0)], database=db,
                   column_names=["curve_id", "part_id", "serial", "ts", "process", "line",
                                 "station", "product", "batch", "result", "defect_mode",
                                 "x_name", "x_unit", "y_name", "y_unit", "n_points", "x_min",
                                 "x_max", "y_min", "y_max"])
    ch.insert_rows("curve_samples", [(7, at(0), "press", i, x, y)
                                     for i, (x, y) in enumerate(zip(xs, ys, strict=True))],
                   database=db, column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    def read(back: float) -> list[dict[str, object]]:
        return curves.profile_arrays(cluster_session, process="press", curve_ids=[7],
                                     x_range=(0.0, 2.0), bins=2, back=back).to_pylist()
    assert read(0.1) == [{"curve_id": 7, "b": [0, 1], "a": [0.0, 6.0], "lo": [0.0, 4.0],
                          "hi": [0.0, 8.0]}]
    loose = read(1.0)[0]
    assert loose["a"] == [50.0, pytest.approx((4.0 + 8.0 + 100.0) / 3)]
    assert (loose["lo"], loose["hi"]) == ([0.0, 4.0], [100.0, 100.0])
