"""The per-cluster catalog on real chDB: a plant unlike the demo (tests/plants.py) imported as
CSV and Parquet files and through the ingest path; the catalog names its processes, axes,
units, lines, stations, products, results, defect modes and computed features, and follows
new data at once; units are checked against the cluster's own processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from data.analytics.import_staging import CURVE_FEATURES
from services.clusters import catalog as catalogs
from services.core.runtime import Runtime
from services.imports.upload import ingest
from tests import plants
from tests.services.import_helpers import ACTOR, import_bytes, make_cluster, table_count

FEATURES = {name for name, _, _ in CURVE_FEATURES}


@pytest.fixture(scope="module")
def plant(mod_runtime: Runtime, tmp_path_factory: pytest.TempPathFactory
          ) -> Iterator[tuple[Runtime, int, str, pa.Table]]:
    """The test plant: riveting and leak-test curves from a CSV file, spot-weld curves from
    a Parquet file, crimping curves through the ingest API, and the parts as CSV."""
    rt, database = mod_runtime, "catalog_plant"
    rt.ch.command(f"DROP DATABASE IF EXISTS {database}")
    cluster_id = make_cluster(rt, database)
    tmp = tmp_path_factory.mktemp("catalog")
    table = plants.curve_table(curves=6)
    by = table["process"].to_pylist()
    rows = {p.name: pa.array([v == p.name for v in by]) for p in plants.PROCESSES}
    csv_part = table.filter(pa.compute.or_(rows["riveting"], rows["leak-test"]))
    for body, name in ((plants.to_csv(csv_part), "curves.csv"),
                       (plants.to_parquet(table.filter(rows["spot-weld"])), "weld.parquet"),
                       (plants.to_csv(plants.parts_table(table)), "parts.csv")):
        job = import_bytes(rt, cluster_id, tmp, body, name=name,
                           kind="parts" if name == "parts.csv" else "curves")
        assert job.status == "done", job.message
    job, _ = ingest(rt, cluster_id=cluster_id, actor=ACTOR, kind="curves", batch_id="crimp-1",
                    table=table.filter(rows["crimping"]))
    assert job.status == "done", job.message
    yield rt, cluster_id, database, table
    rt.ch.command(f"DROP DATABASE IF EXISTS {database}")


def test_the_catalog_names_the_plants_processes_with_their_axes_and_units(
        plant: tuple[Runtime, int, str, pa.Table]) -> None:
    rt, cluster_id, _db, table = plant
    found = catalogs.catalog(rt, cluster_id)
    assert [(p.name, p.x_name, p.x_unit, p.y_name, p.y_unit) for p in found.processes] == sorted(
        (p.name, p.x_name, p.x_unit, p.y_name, p.y_unit) for p in plants.PROCESSES)
    for expected in plants.PROCESSES:
        info = found.process(expected.name)
        assert info is not None and info.curves == 6
        assert set(info.stations) <= set(expected.stations) and len(info.stations) >= 2
    assert found.lines == tuple(sorted(plants.LINES))
    assert found.products == tuple(sorted(plants.PRODUCTS))
    assert set(found.stations) == set(table["station"].to_pylist())
    assert set(found.results) <= {"OK", "NOK"} and "OK" in found.results
    assert set(found.defect_modes) <= {d for p in plants.PROCESSES for d in p.defects}
    assert found.defect_modes


def test_curves_imported_without_features_get_the_generic_ones_with_units(
        plant: tuple[Runtime, int, str, pa.Table]) -> None:
    rt, cluster_id, database, _table = plant
    found = catalogs.catalog(rt, cluster_id)
    units = found.feature_units()
    for p in plants.PROCESSES:
        assert {f for (proc, f) in units if proc == p.name} == FEATURES
        assert units[(p.name, "peak_y")] == p.y_unit
        assert units[(p.name, "peak_x")] == p.x_unit
        assert units[(p.name, "area")] == f"{p.y_unit}·{p.x_unit}"
        assert units[(p.name, "slope_10_90")] == f"{p.y_unit}/{p.x_unit}"
    per_curve = rt.ch.rows(f"SELECT count() FROM {database}.curve_features GROUP BY curve_id")
    assert len(per_curve) == 4 * 6 and all(n >= len(FEATURES) - 4 for (n,) in per_curve)


def test_computed_features_match_numpy_on_the_samples(
        plant: tuple[Runtime, int, str, pa.Table]) -> None:
    rt, _cluster_id, database, _table = plant
    curve_id = int(rt.ch.scalar(f"SELECT min(curve_id) FROM {database}.curves "
                                "WHERE process = 'riveting'"))
    rows = rt.ch.rows(f"SELECT x, y FROM {database}.curve_samples WHERE curve_id = {curve_id} "
                      "ORDER BY idx")
    x = np.array([r[0] for r in rows], dtype=np.float64)
    y = np.array([r[1] for r in rows], dtype=np.float64)
    got = dict(rt.ch.rows(f"SELECT feature, value FROM {database}.curve_features "
                          f"WHERE curve_id = {curve_id}"))
    top = y.max()
    i50 = int(np.argmax(y >= y[0] + 0.5 * (top - y[0])))
    assert got["peak_y"] == pytest.approx(top)
    assert got["peak_x"] == pytest.approx(x[int(np.argmax(y))])
    assert (got["final_x"], got["final_y"]) == pytest.approx((x[-1], y[-1]))
    assert got["x_max"] == pytest.approx(x.max())
    assert got["x_at_50pct"] == pytest.approx(x[i50])
    assert got["area"] == pytest.approx(float(np.sum(np.diff(x) * (y[1:] + y[:-1]) / 2)),
                                        rel=1e-6)
    assert x.argmax() < len(x) - 1  # this curve's x goes back (riveting retracts)


def test_an_import_is_in_the_catalog_at_once(runtime: Runtime, ch_database: str,
                                             tmp_path: Path) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    assert catalogs.catalog(runtime, cluster_id).processes == ()
    before = catalogs.data_version(runtime, cluster_id)
    table = plants.curve_table(curves=3, processes=(plants.process("riveting"),))
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(table)).status == "done"
    assert catalogs.data_version(runtime, cluster_id) == before + 1
    found = catalogs.catalog(runtime, cluster_id)
    assert [p.name for p in found.processes] == ["riveting"]


def test_units_must_be_those_the_cluster_has_for_the_process(
        runtime: Runtime, ch_database: str, tmp_path: Path) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    riveting = (plants.process("riveting"),)
    first = plants.curve_table(curves=2, processes=riveting)
    assert import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(first)).status == "done"
    again = plants.curve_table(curves=2, processes=riveting, serial_prefix="TQ")
    wrong = again.set_column(again.schema.get_field_index("y_unit"), "y_unit",
                             pa.array(["kN"] * again.num_rows))
    rows = table_count(runtime, ch_database, "curves")
    job = import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(wrong))
    assert job.status == "failed"
    assert job.errors[0]["message"] == "“kN” is not the unit of riveting y (N)"
    assert table_count(runtime, ch_database, "curves") == rows


def test_one_new_process_has_one_unit_per_axis_within_a_file(
        runtime: Runtime, ch_database: str, tmp_path: Path) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    table = plants.curve_table(curves=2, processes=(plants.process("crimping"),))
    units = ["kgf" if s.endswith("00000") else "daN" for s in table["serial"].to_pylist()]
    mixed = table.set_column(table.schema.get_field_index("y_unit"), "y_unit", pa.array(units))
    job = import_bytes(runtime, cluster_id, tmp_path, plants.to_csv(mixed))
    assert job.status == "failed"
    assert "“daN” is not the unit of crimping y given earlier in the file (“kgf”)" in (
        job.errors[0]["message"])
    assert table_count(runtime, ch_database, "curves") == 0
    assert table_count(runtime, ch_database, "curve_features") == 0


def test_features_are_named_in_words() -> None:
    assert catalogs.feature_words("peak_force") == "Peak force"
    assert catalogs.feature_label("riveting", "peak_y") == "Peak y (riveting)"
    info = catalogs.FeatureInfo(process="press-fit", feature="force_at_knee", unit="kN",
                                values=3)
    assert info.label == "Force at knee (press-fit)"
