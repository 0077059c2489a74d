"""Traceability on a small known plant: serial search (prefix or part id), a part's curves,
results, features, gauge readings, alerts and samples; hostile text stays a value."""

from __future__ import annotations

from data.analytics import trace
from services.clusters.query_session import ClusterSession
from tests.data.analytics import plant_rows
from tests.data.analytics.plant_rows import read_back


def test_search_serials_by_prefix_or_part_id(plant: ClusterSession) -> None:
    found = trace.search_serials(plant, prefix="SN-00", part_id=None, limit=10)
    assert [(r["serial"], r["part_id"], r["n_curves"]) for r in found] == [
        ("SN-001", 1, 2), ("SN-002", 2, 1), ("SN-003", 3, 1), ("SN-004", 4, 1)]
    assert (found[0]["first"], found[0]["last"]) == (read_back(0), read_back(1))
    assert [r["serial"] for r in trace.search_serials(plant, prefix="SN-00", part_id=None,
                                                      limit=2)] == ["SN-001", "SN-002"]
    by_id = trace.search_serials(plant, prefix="nothing", part_id=5, limit=10)
    assert [(r["serial"], r["n_curves"]) for r in by_id] == [("XK-100", 1)]
    for hostile in ("' OR 1=1 --", "%", "SN-00%"):
        assert trace.search_serials(plant, prefix=hostile, part_id=None, limit=10) == []


def test_a_parts_record(plant: ClusterSession) -> None:
    found = trace.part_curves(plant, serial="SN-001", limit=10)
    assert [(c["curve_id"], c["process"], c["result"], c["x_unit"], c["n_points"])
            for c in found] == [(11, "press", "OK", "mm", 3), (21, "screw", "OK", "deg", 2)]
    assert list(found[0]) == list(trace.CURVE_COLUMNS)
    assert [c["curve_id"] for c in trace.part_curves(plant, serial="SN-001", limit=1)] == [11]
    assert trace.part_curves(plant, serial="SN-001' OR '1'='1", limit=10) == []
    results = trace.part_results(plant, serial="SN-002", limit=10)
    assert [(r["part_id"], r["result"], r["first_pass"], r["defect_mode"], r["shift"])
            for r in results] == [(2, "NOK", 1, "crack", "A")]
    assert trace.curve_features(plant, curve_ids=[11, 21]) == [
        {"curve_id": 11, "process": "press", "feature": "knee", "value": 4.0, "unit": "mm"},
        {"curve_id": 11, "process": "press", "feature": "peak", "value": 20.0, "unit": "kN"},
        {"curve_id": 21, "process": "screw", "feature": "final", "value": 5.0, "unit": "Nm"}]
    assert trace.curve_features(plant, curve_ids=[]) == []


def test_gauges_alerts_and_samples(plant: ClusterSession) -> None:
    gauges = trace.measurements(plant, part_ids=[1], limit=10)
    assert [(g["characteristic"], g["value"], g["lsl"], g["usl"]) for g in gauges] == [
        ("depth", 5.0, None, 5.5), ("bore", 10.01, 9.9, 10.1)]
    assert len(trace.measurements(plant, part_ids=[1, 2], limit=2)) == 2
    assert trace.measurements(plant, part_ids=[], limit=10) == []
    alerts = trace.curve_alerts(plant, curve_ids=[12], limit=10)
    assert alerts == [{"alert_id": str(plant_rows.ALERT_ID), "ts": read_back(15), "rule": "spec",
                       "severity": "warning", "line": "L1", "station": "OP10",
                       "feature": "peak", "message": "peak above USL"}]
    assert trace.curve_alerts(plant, curve_ids=[11], limit=10) == []
    assert trace.curve_alerts(plant, curve_ids=[], limit=10) == []
    samples = trace.samples(plant, curve_ids=[21, 22])
    assert samples.rows() == [(21, 0, 0.0, 0.0), (21, 1, 1.0, 5.0), (22, 0, 0.0, 0.0),
                              (22, 1, 1.0, 7.0), (22, 2, 2.0, 9.0)]
    empty = trace.samples(plant, curve_ids=[])
    assert empty.height == 0 and empty.columns == ["curve_id", "idx", "x", "y"]
