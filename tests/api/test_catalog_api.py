"""The catalog over the API: a plant unlike the demo sent through the ingest API (Parquet and
JSON) is listed with its own names, units and computed features; viewers read it, other
clusters' tokens, forged ids and anonymous calls are refused alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from flask.testing import FlaskClient

from data.analytics.import_staging import CURVE_FEATURES
from services.core.runtime import Runtime
from services.demo import plant as demo_plant
from services.demo.curves import PROCESSES as DEMO_PROCESSES
from tests import plants
from tests.access_world import ed_bearer, editor_of_a


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A and B (empty); Ed edits A."""
    with editor_of_a(runtime, ("catalog_api_a", "catalog_api_b")) as world:
        yield world


def _of(table: pa.Table, name: str) -> pa.Table:
    return table.filter(pa.array([p == name for p in table["process"].to_pylist()]))


def test_ingested_plant_is_listed_with_its_names_and_units(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor, viewer = ed_bearer(runtime, world, "editor"), ed_bearer(runtime, world, "viewer")
    table = plants.curve_table(curves=3, processes=(plants.process("leak-test"),
                                                    plants.process("crimping")))
    url = f"/api/v1/clusters/{world['a']}/ingest"
    sent = client.post(f"{url}?kind=curves&batch_id=leak-1", headers={
        **editor, "Content-Type": "application/vnd.apache.parquet"},
        data=plants.to_parquet(_of(table, "leak-test")))
    assert sent.status_code == 201, sent.json
    rows = _of(table, "crimping").to_pylist()
    sent = client.post(url, headers=editor, json={"batch_id": "crimp-1", "kind": "curves",
                                                  "rows": rows})
    assert sent.status_code == 201, sent.json
    got = client.get(f"/api/v1/clusters/{world['a']}/catalog", headers=viewer)
    assert got.status_code == 200
    body: dict[str, Any] = got.get_json()
    assert [(p["name"], p["x_name"], p["x_unit"], p["y_name"], p["y_unit"], p["curves"])
            for p in body["processes"]] == [
        ("crimping", "crank angle", "deg", "force", "kgf", 3),
        ("leak-test", "time", "s", "pressure", "mbar", 3)]
    assert body["lines"] == sorted(set(table["line"].to_pylist()))
    assert set(body["stations"]) == set(table["station"].to_pylist())
    keys = {f["key"]: f for f in body["features"]}
    assert len(keys) == 2 * len(CURVE_FEATURES)
    assert keys["leak-test::peak_y"]["unit"] == "mbar"
    assert keys["crimping::peak_x"]["unit"] == "deg"
    assert keys["crimping::peak_x"]["lsl"] is None
    assert body["data_version"] == 2
    text = got.get_data(as_text=True)
    demo = {*DEMO_PROCESSES, *demo_plant.LINES, *demo_plant.STATIONS, *demo_plant.PRODUCTS}
    assert not [name for name in demo if name in text]


def test_other_clusters_forged_ids_and_anonymous_calls_are_refused(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    viewer = ed_bearer(runtime, world, "viewer")
    for cluster in (world["b"], 999_999):
        assert client.get(f"/api/v1/clusters/{cluster}/catalog",
                          headers=viewer).status_code == 403
    assert client.get(f"/api/v1/clusters/{world['a']}/catalog").status_code == 401
    empty: dict[str, Any] = client.get(f"/api/v1/clusters/{world['a']}/catalog",
                                       headers=viewer).get_json()
    assert empty["processes"] == []
