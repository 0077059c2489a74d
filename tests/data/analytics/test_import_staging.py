"""The ClickHouse side of an import on a real cluster database: staging tables per job, the
checks on staged rows (duplicates, rows already in the cluster, mixed units), the commit into
the cluster's tables with the generic curve features, and the rollback of a commit."""

from __future__ import annotations

from datetime import datetime, timedelta

import pyarrow as pa
import pytest

from data.analytics import import_staging as staging
from services.clusters.query_session import ClusterSession
from tests.data.analytics import plant_rows
from tests.data.analytics.plant_rows import T0

TS = pa.timestamp("ms", tz="UTC")


def _parts(rows: list[tuple[str, int, str, str]]) -> pa.Table:
    """(serial, minutes, result, line) per staged part, rows numbered from 1."""
    n = len(rows)
    return pa.table({
        "serial": [r[0] for r in rows], "ts": pa.array([T0 + timedelta(minutes=r[1])
                                                        for r in rows], TS),
        "line": [r[3] for r in rows], "station": ["OP10"] * n, "product": ["P1"] * n,
        "batch": ["B9"] * n, "shift": ["C"] * n, "result": [r[2] for r in rows],
        "first_pass": pa.array([1] * n, pa.uint8()), "defect_mode": [""] * n,
        "row": pa.array(range(1, n + 1), pa.uint64())})


def _samples(points: list[tuple[int, int, float, float]], *, at: datetime = T0) -> pa.Table:
    """(curve_id, idx, x, y) per staged sample of process "press", rows numbered from 1."""
    n = len(points)
    return pa.table({
        "curve_id": pa.array([p[0] for p in points], pa.uint64()),
        "ts": pa.array([at] * n, TS), "process": ["press"] * n,
        "idx": pa.array([p[1] for p in points], pa.uint16()),
        "x": pa.array([p[2] for p in points], pa.float32()),
        "y": pa.array([p[3] for p in points], pa.float32()),
        "row": pa.array(range(1, n + 1), pa.uint64())})


def _curves(rows: list[tuple[int, str, str, str]], *, at: datetime = T0) -> pa.Table:
    """(curve_id, serial, x unit, y unit) per staged curve of process "press"."""
    n = len(rows)
    text = {c: [""] * n for c in ("x_name", "y_name", "defect_mode")}
    return pa.table({
        "curve_id": pa.array([r[0] for r in rows], pa.uint64()),
        "serial": [r[1] for r in rows], "process": ["press"] * n, "ts": pa.array([at] * n, TS),
        "line": ["L9"] * n, "station": ["OP10"] * n, "product": ["P1"] * n,
        "batch": ["B9"] * n, "result": ["OK"] * n, "x_unit": [r[2] for r in rows],
        "y_unit": [r[3] for r in rows], **text,
        "row": pa.array(range(1, n + 1), pa.uint64())})


@pytest.mark.parametrize(("rows", "want"), [
    ([], []),
    ([(1, 5), (2, 5)], [(1, 2)]),
    ([(1, 1_500_000), (2, 600_000), (3, 10), (4, 2_000_000), (7, 1)], [(1, 2), (3, 4), (7, 7)]),
])
def test_feature_chunks_bound_samples_per_query(rows: list[tuple[int, int]],
                                                want: list[tuple[int, int]]) -> None:
    assert staging._chunks(rows) == want  # noqa: SLF001 - the chunking rule itself


def test_names_and_commit_steps() -> None:
    assert staging.stage_table(42) == "import_stage_42"
    assert staging.commit_steps("parts") == ("parts",)
    assert staging.commit_steps("curves") == ("curves", "curve_features", "curve_samples")


def test_parts_job_checks_commit_and_rollback(cluster_session: ClusterSession) -> None:
    cs = cluster_session
    plant_rows.insert(cs)
    assert staging.stage_job_ids(cs) == [] and not staging.stage_exists(cs, job_id=7)
    staging.create_stage(cs, job_id=7, kind="parts")
    staging.create_stage(cs, job_id=12, kind="curves")
    assert staging.stage_exists(cs, job_id=7) and staging.stage_job_ids(cs) == [7, 12]
    staging.insert_stage(cs, job_id=7, table=_parts([
        ("N-1", 200, "OK", "L9"), ("N-2", 201, "NOK", "L9"), ("N-1", 202, "OK", "L9"),
        ("SN-001", 203, "OK", "L9"), ("N-3", 204, "OK", "L9")]))
    assert staging.stage_rows(cs, job_id=7) == 5
    assert staging.duplicate_rows(cs, job_id=7, kind="parts", limit=10) == [
        (3, "serial", "duplicate serial “N-1” (first in row 1)")]
    assert staging.existing_rows(cs, job_id=7, kind="parts", limit=10) == [
        (4, "serial", "a part with serial “SN-001” is already in this cluster")]
    staging.commit_step(cs, job_id=7, step="parts", names={})
    assert staging.count_for_serials(cs, table="parts", serials=["N-1", "N-2", "N-3"]) == 4
    hour = cs.rows("SELECT sum(parts), sum(ok), sum(nok) FROM "
                   f"{cs.database}.hourly_yield WHERE line = 'L9'")
    assert [tuple(r) for r in hour] == [(5, 4, 1)]
    staging.rollback(cs, job_id=7, kind="parts")
    assert staging.count_for_serials(cs, table="parts", serials=["N-1", "N-2", "N-3"]) == 0
    assert staging.count_for_serials(cs, table="parts", serials=["SN-001"]) == 1  # but this
    after = cs.rows(f"SELECT sum(parts) FROM {cs.database}.hourly_yield FINAL "
                    "WHERE line = 'L9'")
    assert after[0][0] in (0, None)
    staging.drop_stage(cs, job_id=7)
    staging.drop_stage(cs, job_id=7)  # dropping twice is fine
    assert staging.stage_job_ids(cs) == [12]


def test_curves_job_features_samples_and_rollback(cluster_session: ClusterSession) -> None:
    cs = cluster_session
    staging.create_stage(cs, job_id=3, kind="curves")
    staging.insert_stage(cs, job_id=3, table=_samples([
        (101, 0, 0.0, 0.0), (101, 1, 1.0, 5.0), (101, 2, 2.0, 10.0), (101, 3, 3.0, 8.0),
        (102, 0, 0.0, 2.0), (102, 1, 2.0, 4.0), (102, 1, 2.0, 4.0)]))
    staging.insert_stage(cs, job_id=3, curves=True, table=_curves([
        (101, "C-1", "mm", "kN"), (102, "C-2", "mm", "N"), (103, "C-3", "", "kN")]))
    assert staging.duplicate_rows(cs, job_id=3, kind="curves", limit=10) == [
        (7, "idx", "sample 1 of this curve appears twice (first in row 6)")]
    assert staging.mixed_units(cs, job_id=3, limit=10) == [
        (2, "y_unit", "“N” is not the unit of press y given earlier in the file (“kN”)")]
    assert staging.existing_rows(cs, job_id=3, kind="curves", limit=10) == []
    # a curve of the plant at the same serial, process and time is already there
    staging.create_stage(cs, job_id=4, kind="curves")
    staging.insert_stage(cs, job_id=4, curves=True,
                         table=_curves([(500, "SN-001", "mm", "kN")]))
    plant_rows.insert(cs)
    assert staging.existing_rows(cs, job_id=4, kind="curves", limit=10) == [
        (1, "serial", "a curve of serial “SN-001” with this process and time is already in "
         "this cluster")]
    staging.drop_stage(cs, job_id=4)

    staging.create_stage(cs, job_id=3, kind="curves")  # afresh: only clean rows this time
    staging.insert_stage(cs, job_id=3, table=_samples([
        (101, 0, 0.0, 0.0), (101, 1, 1.0, 5.0), (101, 2, 2.0, 10.0), (101, 3, 3.0, 8.0)]))
    staging.insert_stage(cs, job_id=3, curves=True, table=_curves([(101, "C-1", "", "kN")]))
    names = {"procs": ["press"], "xn": ["position"], "xu": ["mm"], "yn": ["force"],
             "yu": ["N"]}
    for step in staging.commit_steps("curves"):
        staging.commit_step(cs, job_id=3, step=step, names=names)
    db = cs.database
    assert [tuple(r) for r in cs.rows(
        f"SELECT x_name, x_unit, y_name, y_unit, n_points, x_max, y_max FROM {db}.curves "
        "WHERE curve_id = 101")] == [("position", "mm", "force", "kN", 4, 3.0, 10.0)]
    features = dict(cs.rows(f"SELECT feature, value FROM {db}.curve_features "
                            "WHERE curve_id = 101"))
    assert {k: round(v, 6) for k, v in features.items()} == {
        "peak_y": 10.0, "peak_x": 2.0, "final_y": 8.0, "final_x": 3.0, "min_y": 0.0,
        "x_max": 3.0, "area": 2.5 + 7.5 + 9.0, "x_at_10pct": 1.0, "x_at_50pct": 1.0,
        "x_at_90pct": 2.0, "slope_10_90": 5.0}
    assert dict(cs.rows(f"SELECT feature, unit FROM {db}.curve_features WHERE curve_id = 101 "
                        "AND feature IN ('area', 'slope_10_90', 'peak_x')")) == {
        "area": "kN·mm", "slope_10_90": "kN/mm", "peak_x": "mm"}
    assert cs.scalar(f"SELECT count() FROM {db}.curve_samples WHERE curve_id = 101") == 4
    exported = staging.export_curves(cs, serials=["C-1"], limit=10).to_pylist()
    assert [(r["serial"], r["result"], r["n_points"]) for r in exported] == [("C-1", "OK", 4)]
    assert staging.export_curves(cs, serials=None, limit=2).num_rows == 2
    staging.rollback(cs, job_id=3, kind="curves")
    for table in ("curves", "curve_features", "curve_samples"):
        assert cs.scalar(f"SELECT count() FROM {db}.{table} WHERE curve_id = 101") == 0
    assert staging.count_for_serials(cs, table="curves", serials=["SN-001"]) == 2


def test_fill_missing_features_only_for_curves_without_any(
        cluster_session: ClusterSession) -> None:
    cs = cluster_session
    plant_rows.insert(cs)
    db = cs.database
    before = cs.scalar(f"SELECT count() FROM {db}.curve_features")
    assert staging.fill_missing_features(cs) == 0
    cs.command(f"ALTER TABLE {db}.curve_features DELETE WHERE curve_id = 12",
               settings={"mutations_sync": 2})
    assert staging.fill_missing_features(cs) == 1
    found = dict(cs.rows(f"SELECT feature, value FROM {db}.curve_features "
                         "WHERE curve_id = 12"))
    assert (found["peak_y"], found["final_x"], found["x_max"]) == (90.0, 3.0, 3.0)
    assert cs.scalar(f"SELECT count() FROM {db}.curve_features") == before - 1 + len(
        staging.CURVE_FEATURES)
    assert staging.fill_missing_features(cs) == 0
