"""``GET /api/v1/clusters/<id>/catalog`` (api/catalog.py) beyond tests/api/test_catalog_api.py:
the exact answer of an empty cluster, places as (line, station, product) objects, limits set
over the API shown on their feature, and the exact refusal bodies."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient

from api.schemas import COMPONENTS
from services.core.runtime import Runtime
from tests import plants
from tests.access_world import ed_bearer, editor_of_a
from tests.http import json_body

NO_ACCESS = {"error": {"code": "forbidden",
                       "message": "You do not have access to this cluster."}}


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A and B (empty, with the schema); Ed edits A."""
    with editor_of_a(runtime, ("cat_route_a", "cat_route_b")) as world:
        yield world


def _url(cluster: object) -> str:
    return f"/api/v1/clusters/{cluster}/catalog"


def test_an_empty_cluster_has_an_empty_catalog_with_every_field(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    body = json_body(client.get(_url(world["a"]), headers=ed_bearer(runtime, world, "viewer")))
    assert set(body) == set(COMPONENTS["ClusterCatalog"]["properties"])
    assert {k: v for k, v in body.items() if k != "data_version"} == {
        "processes": [], "lines": [], "stations": [], "products": [], "places": [],
        "features": [], "results": [], "defect_modes": []}
    assert isinstance(body["data_version"], int)


def test_places_features_and_limits_follow_the_data(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    table = plants.curve_table(curves=2, processes=(plants.process("crimping"),))
    sent = client.post(f"/api/v1/clusters/{world['a']}/ingest", headers=editor,
                       json={"batch_id": "cat-1", "kind": "curves",
                             "rows": table.to_pylist()})
    assert sent.status_code == 201, sent.json
    limit = client.put(f"/api/v1/clusters/{world['a']}/spec-limits/crimping/peak_y",
                       json={"lsl": 1.5, "usl": 9.5}, headers=editor)
    assert limit.status_code == 200, limit.json
    body: dict[str, Any] = json_body(client.get(_url(world["a"]), headers=editor))
    assert [p["name"] for p in body["processes"]] == ["crimping"]
    assert set(body["processes"][0]) == set(COMPONENTS["CatalogProcess"]["properties"])
    assert body["processes"][0]["curves"] == 2
    expected = sorted({(r["line"], r["station"], r["product"]) for r in table.to_pylist()})
    assert sorted((p["line"], p["station"], p["product"]) for p in body["places"]) == expected
    assert all(set(p) == {"line", "station", "product"} for p in body["places"])
    features = {f["key"]: f for f in body["features"]}
    assert features["crimping::peak_y"] == {
        "process": "crimping", "feature": "peak_y", "key": "crimping::peak_y",
        "label": features["crimping::peak_y"]["label"], "unit": "kgf", "lsl": 1.5,
        "usl": 9.5}
    assert all(f["lsl"] is None and f["usl"] is None
               for k, f in features.items() if k != "crimping::peak_y")


def test_foreign_forged_and_anonymous_calls_are_refused_exactly(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    viewer = ed_bearer(runtime, world, "viewer")
    answers = [client.get(_url(c), headers=viewer) for c in (world["b"], 987_654)]
    assert [(a.status_code, json_body(a)) for a in answers] == [(403, NO_ACCESS)] * 2
    anonymous = client.get(_url(world["a"]))
    assert anonymous.status_code == 401
    assert json_body(anonymous)["error"]["code"] == "not_authenticated"
    for bad in ("x", "0", str(2**31)):
        assert client.get(_url(bad), headers=viewer).status_code == 404
    assert client.post(_url(world["a"]), json={}, headers=viewer).status_code == 405
