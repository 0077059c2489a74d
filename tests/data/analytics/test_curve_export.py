"""Export reads on a small known plant: curve sizes in id order, one chunk's samples with
their part columns, and the recorded results a what-if compares with."""

from __future__ import annotations

from data.analytics import curve_export
from data.analytics.curves import CurveQuery
from services.clusters.query_session import ClusterSession
from tests.data.analytics.plant_rows import read_back

PRESS = CurveQuery(process="press")


def test_curve_sizes_in_id_order_and_bounded(plant: ClusterSession) -> None:
    assert curve_export.curve_sizes(plant, PRESS, limit=10) == [(11, 3), (12, 4), (13, 2),
                                                                (14, 3)]
    assert curve_export.curve_sizes(plant, PRESS, limit=2) == [(11, 3), (12, 4)]
    assert curve_export.curve_sizes(plant, CurveQuery(process="press", results=("NOK",)),
                                    limit=10) == [(12, 4)]
    assert curve_export.curve_sizes(plant, CurveQuery(process="press' --"), limit=10) == []


def test_export_chunk_columns_order_and_filter(plant: ClusterSession) -> None:
    chunk = curve_export.export_chunk(plant, PRESS, curve_ids=[13, 11, 21])
    assert tuple(chunk.column_names) == curve_export.EXPORT_COLUMNS
    rows = chunk.to_pylist()
    assert [(r["curve_id"], r["idx"], r["x"], r["y"]) for r in rows] == [
        (11, 0, 0.0, 0.0), (11, 1, 1.0, 10.0), (11, 2, 2.0, 20.0),
        (13, 0, 0.0, 0.0), (13, 1, 1.0, 12.0)]  # 21 is a screw curve: not in the query
    first = rows[0]
    assert (first["part_id"], first["serial"], first["line"], first["batch"], first["result"],
            first["defect_mode"]) == (1, "SN-001", "L1", "B1", "OK", "")
    assert first["ts"].replace(tzinfo=None) == read_back(0)
    only_nok = curve_export.export_chunk(plant, CurveQuery(process="press", results=("NOK",)),
                                         curve_ids=[11, 12])
    assert set(only_nok.column("curve_id").to_pylist()) == {12}
    assert curve_export.export_chunk(plant, PRESS, curve_ids=[]).num_rows == 0


def test_recorded_results(plant: ClusterSession) -> None:
    assert curve_export.recorded_results(plant, PRESS, curve_ids=[12, 14, 22, 99]) == {
        12: "NOK", 14: "WARNING"}
    assert curve_export.recorded_results(plant, PRESS, curve_ids=[]) == {}
