"""Curves that arrived without features (written before features were computed at import,
or through SQL) get the generic ones, once, with their axes' units."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa

from data.analytics.import_staging import CURVE_FEATURES
from services.clusters import catalog as catalogs
from services.core.runtime import Runtime
from services.imports import features
from tests import plants
from tests.services.import_helpers import make_cluster, table_count


def _write_without_features(rt: Runtime, db: str, table: pa.Table) -> int:
    """The curves of ``table`` written straight into the cluster's tables; how many."""
    ids = {s: i + 1 for i, s in enumerate(dict.fromkeys(table["serial"].to_pylist()))}
    curves = table.to_pylist()
    first: dict[str, dict[str, Any]] = {}
    for row in curves:
        first.setdefault(row["serial"], row)
    counts: dict[str, int] = {}
    for row in curves:
        counts[row["serial"]] = counts.get(row["serial"], 0) + 1
    when = {s: datetime.fromisoformat(r["ts"].replace("Z", "+00:00")) for s, r in first.items()}
    rt.ch.insert_rows("curves", [
        (ids[s], ids[s], s, when[s], r["process"], r["x_name"],
         r["x_unit"], r["y_name"], r["y_unit"], counts[s]) for s, r in first.items()],
        database=db, column_names=["curve_id", "part_id", "serial", "ts", "process", "x_name",
                                   "x_unit", "y_name", "y_unit", "n_points"])
    rt.ch.insert_rows("curve_samples", [
        (ids[r["serial"]], when[r["serial"]], r["process"], r["idx"], r["x"], r["y"])
        for r in curves], database=db,
        column_names=["curve_id", "ts", "process", "idx", "x", "y"])
    return len(ids)


def test_curves_without_features_get_them_once(runtime: Runtime, ch_database: str) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    table = plants.curve_table(curves=3, processes=(plants.process("leak-test"),))
    assert _write_without_features(runtime, ch_database, table) == 3
    assert table_count(runtime, ch_database, "curve_features") == 0
    version = catalogs.data_version(runtime, cluster_id)
    assert features.fill_missing(runtime, cluster_id) == 3
    assert catalogs.data_version(runtime, cluster_id) == version + 1
    units = catalogs.catalog(runtime, cluster_id).feature_units()
    assert {f for (_, f) in units} == {name for name, _, _ in CURVE_FEATURES}
    assert units[("leak-test", "slope_10_90")] == "mbar/s"
    rows = table_count(runtime, ch_database, "curve_features")
    assert features.fill_missing(runtime, cluster_id) == 0  # nothing left to do
    assert features.fill_missing_everywhere(runtime) == 0
    assert table_count(runtime, ch_database, "curve_features") == rows
