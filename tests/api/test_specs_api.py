"""Spec limits over the API: viewers read, editors set and reset (audited); viewers, forged
cluster ids, hostile names and bad numbers are refused and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from data.metadata.models import AuditEntry
from data.metadata.models_specs import FeatureSpec
from services.core.runtime import Runtime
from tests.access_world import ed_bearer, editor_of_a
from tests.http import json_body


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A (with a custom feature ``gap`` in its data) and B; Ed edits A."""
    # A is a demo cluster: it has the demo plant's limits as defaults
    with editor_of_a(runtime, ("spec_api_a", "spec_api_b"), demo="spec_api_a") as world:
        runtime.ch.command("INSERT INTO spec_api_a.curve_features (curve_id, ts, process, "
                           "feature, value) VALUES (1, now(), 'press-fit', 'gap', 0.4)")
        yield world


def _state(runtime: Runtime) -> tuple[Any, ...]:
    with runtime.db.session() as session:
        return (sorted((s.cluster_id, s.process, s.feature, s.lsl, s.usl, s.unit)
                       for s in session.scalars(select(FeatureSpec))),
                len(list(session.scalars(select(AuditEntry).where(
                    AuditEntry.action.like("spec.%"))))))


def _url(cluster: int, process: str = "press-fit", feature: str = "peak_force") -> str:
    return f"/api/v1/clusters/{cluster}/spec-limits/{process}/{feature}"


def test_editor_sets_and_resets_viewer_reads(client: FlaskClient, runtime: Runtime,
                                            world: dict[str, int]) -> None:
    editor, viewer = ed_bearer(runtime, world, "editor"), ed_bearer(runtime, world, "viewer")
    put = client.put(_url(world["a"]), json={"lsl": 15.5, "usl": 23}, headers=editor)
    assert put.status_code == 200 and json_body(put)["usl"] == 23 and json_body(put)["unit"] == "kN"
    assert json_body(put)["updated_by"] == "ed@example.com"
    assert json_body(put)["key"] == "press-fit::peak_force"
    custom = client.put(_url(world["a"], feature="gap"), json={"usl": 0.5, "unit": "mm"},
                        headers=editor)
    assert custom.status_code == 200 and json_body(custom)["key"] == "press-fit::gap"
    items = {i["key"]: i for i in json_body(client.get(
        f"/api/v1/clusters/{world['a']}/spec-limits", headers=viewer))["items"]}
    assert (items["press-fit::peak_force"]["lsl"],
            items["press-fit::peak_force"]["is_default"]) == (15.5, False)
    assert items["screw-driving::final_torque"]["is_default"]
    assert items["press-fit::gap"]["usl"] == 0.5
    reset = client.delete(_url(world["a"]), headers=editor)
    assert reset.status_code == 200 and json_body(reset)["limit"]["usl"] == 24
    gone = client.delete(_url(world["a"], feature="gap"), headers=editor)
    assert gone.status_code == 200 and json_body(gone)["limit"] is None
    with runtime.db.session() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry).where(
            AuditEntry.action.like("spec.%")).order_by(AuditEntry.id))]
    assert actions == ["spec.update", "spec.update", "spec.reset", "spec.reset"]


def test_viewers_and_forged_clusters_are_refused(client: FlaskClient, runtime: Runtime,
                                                 world: dict[str, int]) -> None:
    viewer, editor = ed_bearer(runtime, world, "viewer"), ed_bearer(runtime, world, "editor")
    before = _state(runtime)
    assert client.put(_url(world["a"]), json={"usl": 20}, headers=viewer).status_code == 403
    assert client.delete(_url(world["a"]), headers=viewer).status_code == 403
    for cluster in (world["b"], 999_999):
        assert client.put(_url(cluster), json={"usl": 20}, headers=editor).status_code == 403
        assert client.get(f"/api/v1/clusters/{cluster}/spec-limits",
                          headers=editor).status_code == 403
    assert client.get(f"/api/v1/clusters/{world['a']}/spec-limits").status_code == 401
    assert _state(runtime) == before


@pytest.mark.parametrize("body", [
    {"lsl": "NaN", "usl": 20}, {"usl": "20"}, {"lsl": None, "usl": None}, {"lsl": 5, "usl": 4},
    {"usl": True}, {"usl": 20, "unit": ["kN"]}, {"usl": 1e308 * 10}, [1, 2],
])
def test_bad_bodies_are_refused(client: FlaskClient, runtime: Runtime, world: dict[str, int],
                                body: Any) -> None:
    before = _state(runtime)
    response = client.put(_url(world["a"]), json=body,
                          headers=ed_bearer(runtime, world, "editor"))
    assert response.status_code == 400
    assert json_body(response)["error"]["code"] == "validation_error"
    assert _state(runtime) == before


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_in_raw_json_are_refused(client: FlaskClient, runtime: Runtime,
                                                  world: dict[str, int], raw: str) -> None:
    before = _state(runtime)
    response = client.put(_url(world["a"]), data=f'{{"lsl": 1, "usl": {raw}}}',
                          content_type="application/json",
                          headers=ed_bearer(runtime, world, "editor"))
    assert response.status_code == 400 and "finite" in json_body(response)["error"]["message"]
    assert _state(runtime) == before


@pytest.mark.parametrize(("process", "feature"), [
    ("press-fit", "x'%20OR%201=1%20--"), ("press-fit", "%00"), ("press-fit", "a" * 150),
    ("press-fit", "nope"), ("%27%3B%20DROP%20TABLE%20users", "gap"),
    ("press-fit::x", "gap"),
])
def test_hostile_names_are_refused(client: FlaskClient, runtime: Runtime,
                                   world: dict[str, int], process: str, feature: str) -> None:
    before = _state(runtime)
    editor = ed_bearer(runtime, world, "editor")
    response = client.put(_url(world["a"], process, feature), json={"usl": 1}, headers=editor)
    assert response.status_code in (400, 404), response.get_data(as_text=True)
    assert client.delete(_url(world["a"], process, feature),
                         headers=editor).status_code in (400, 404)
    assert _state(runtime) == before


def test_openapi_describes_the_routes_and_their_roles(client: FlaskClient, runtime: Runtime,
                                                      world: dict[str, int]) -> None:
    doc = json_body(client.get("/api/v1/openapi.json", headers=ed_bearer(runtime, world, "viewer")))
    one = doc["paths"]["/api/v1/clusters/{cluster_id}/spec-limits/{process}/{feature}"]
    assert set(one) == {"put", "delete"}
    assert one["put"]["description"] == one["delete"]["description"] == "Needs the editor role."
    assert one["put"]["requestBody"]["content"]["application/json"]["schema"][
        "properties"]["usl"] == {"type": "number", "nullable": True}
    listing = doc["paths"]["/api/v1/clusters/{cluster_id}/spec-limits"]["get"]
    assert listing["description"] == "Needs the viewer role."
