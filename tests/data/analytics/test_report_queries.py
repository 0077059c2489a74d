"""A report's numbers on a small known plant: the WHERE built from the explorer's filters,
KPIs per process and station, robust outliers, sample curves and peaks."""

from __future__ import annotations

from typing import Any

import pytest

from data.analytics import report_queries as rq
from services.clusters.query_session import ClusterSession


def test_where_clause_binds_filters_and_aliases_columns() -> None:
    where, params = rq.where_clause({"process": "p'", "lines": ["L1"], "results": ["NOK"],
                                     "start": "2026-12-01", "end": "", "stations": []},
                                    alias="c.")
    assert where == ("1 AND c.process = {process:String} AND c.line IN {lines:Array(String)} "
                     "AND toString(c.result) IN {results:Array(String)} AND c.ts >= "
                     "parseDateTime64BestEffort({start:String}, 3, 'UTC')")
    assert params == {"process": "p'", "lines": ["L1"], "results": ["NOK"],
                      "start": "2026-12-01"}
    assert rq.where_clause({}) == ("1", {})


@pytest.mark.parametrize(("filters", "want"), [
    ({}, [("press", "OP10", 3, 1, 1, 46.0), ("press", "OP20", 1, 1, 0, 12.0),
          ("screw", "OP10", 1, 1, 0, 5.0), ("screw", "OP20", 1, 0, 1, 9.0)]),
    ({"process": "press", "lines": ["L1"]}, [("press", "OP10", 2, 1, 1, 55.0),
                                             ("press", "OP20", 1, 1, 0, 12.0)]),
    ({"results": ["NOK"], "batches": ["B2"]}, [("screw", "OP20", 1, 0, 1, 9.0)]),
    ({"start": "2026-12-01T08:10:00Z", "end": "2026-12-01T09:10:00Z"},
     [("press", "OP10", 1, 0, 1, 90.0), ("press", "OP20", 1, 1, 0, 12.0)]),
    ({"process": "press' OR 1=1 --"}, []),
])
def test_kpis(plant: ClusterSession, filters: dict[str, Any],
              want: list[tuple[str, str, int, int, int, float]]) -> None:
    found = rq.kpis(plant, filters=filters)
    assert [(*r[:5], round(r[5], 6)) for r in found] == want


def test_outliers_rank_by_robust_score(plant: ClusterSession) -> None:
    found = rq.outliers(plant, filters={"process": "press"}, limit=2)
    # press peaks 20, 90, 12, 28: median 24, MAD median(4, 66, 12, 4) = 8
    assert [(r[0], r[1], r[2], r[4], round(r[6], 6)) for r in found] == [
        (12, "SN-002", "press", "NOK", 8.25), (13, "SN-003", "press", "OK", 1.5)]
    assert rq.outliers(plant, filters={"process": "none"}) == []


def test_sample_curves_latest_per_process(plant: ClusterSession) -> None:
    table = rq.sample_curves(plant, filters={}, limit=3, per_process=1)
    rows = table.to_pylist()
    assert sorted({(r["process"], r["curve_id"]) for r in rows}) == [("press", 14),
                                                                     ("screw", 22)]
    assert [(r["curve_id"], r["idx"], r["y"]) for r in rows if r["curve_id"] == 22] == [
        (22, 0, 0.0), (22, 1, 7.0), (22, 2, 9.0)]
    assert rq.sample_curves(plant, filters={"process": "press"}, limit=1,
                            per_process=5).column("curve_id").to_pylist() == [14, 14, 14]


def test_peaks_newest_first(plant: ClusterSession) -> None:
    assert rq.peaks(plant, filters={"process": "press"}, limit=3).to_pylist() == [
        {"process": "press", "y_max": 28.0}, {"process": "press", "y_max": 12.0},
        {"process": "press", "y_max": 90.0}]
