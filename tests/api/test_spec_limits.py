"""The spec-limit routes (api/spec_limits.py) beyond tests/api/test_specs_api.py: the shape
of every answer, the refusal of the role just below editor (the same body as any role
refusal), forged and foreign ids refused alike, and bodies that are not a JSON object."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from data.metadata.models import AuditEntry
from data.metadata.models_specs import FeatureSpec
from services.core.runtime import Runtime
from services.quality.spec_limits import SpecLimit
from tests.access_world import ed_bearer, editor_of_a
from tests.http import json_body

NO_ACCESS = {"error": {"code": "forbidden",
                       "message": "You do not have access to this cluster."}}
NEEDS_EDITOR = {"error": {"code": "forbidden", "message": "This needs the editor role on "
                          "this cluster; you are analyst."}}
NOT_AN_OBJECT = {"error": {"code": "validation_error", "message": "Send a JSON object with "
                           "Content-Type: application/json."}}
FIELDS = {f.name for f in fields(SpecLimit)} | {"key"}


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A (with the feature ``press-fit::gap`` in its data) and B; Ed edits A."""
    with editor_of_a(runtime, ("spec_route_a", "spec_route_b")) as world:
        runtime.ch.command("INSERT INTO spec_route_a.curve_features (curve_id, ts, process, "
                           "feature, value) VALUES (1, now(), 'press-fit', 'gap', 0.4)")
        yield world


def _state(runtime: Runtime) -> tuple[Any, ...]:
    with runtime.db.session() as session:
        return (sorted((s.cluster_id, s.process, s.feature, s.lsl, s.usl, s.unit)
                       for s in session.scalars(select(FeatureSpec))),
                sorted(e.action for e in session.scalars(select(AuditEntry).where(
                    AuditEntry.action.like("spec.%")))))


def _url(cluster: int, feature: str = "gap") -> str:
    return f"/api/v1/clusters/{cluster}/spec-limits/press-fit/{feature}"


def test_each_answer_has_the_documented_shape(client: FlaskClient, runtime: Runtime,
                                              world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    listing = f"/api/v1/clusters/{world['a']}/spec-limits"
    assert json_body(client.get(listing, headers=editor)) == {"items": []}
    put = client.put(_url(world["a"]), json={"lsl": 0.1, "usl": 0.5, "unit": "mm"},
                     headers=editor)
    assert put.status_code == 200
    body = json_body(put)
    assert set(body) == FIELDS
    assert {k: body[k] for k in FIELDS - {"updated_at"}} == {
        "process": "press-fit", "feature": "gap", "key": "press-fit::gap", "lsl": 0.1,
        "usl": 0.5, "unit": "mm", "is_default": False, "has_default": False,
        "updated_by": "ed@example.com"}
    assert body["updated_at"].startswith("20")
    assert json_body(client.get(listing, headers=editor)) == {"items": [body]}
    reset = client.delete(_url(world["a"]), headers=editor)
    assert (reset.status_code, json_body(reset)) == (200, {"limit": None})
    assert json_body(client.get(listing, headers=editor)) == {"items": []}


def test_an_analyst_is_refused_like_any_role_below_editor(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    analyst = ed_bearer(runtime, world, "analyst")
    before = _state(runtime)
    put = client.put(_url(world["a"]), json={"usl": 1}, headers=analyst)
    delete = client.delete(_url(world["a"]), headers=analyst)
    assert (put.status_code, json_body(put)) == (403, NEEDS_EDITOR)
    assert (delete.status_code, json_body(delete)) == (403, NEEDS_EDITOR)
    listed = client.get(f"/api/v1/clusters/{world['a']}/spec-limits", headers=analyst)
    assert listed.status_code == 200
    assert _state(runtime) == before


def test_foreign_and_forged_clusters_get_one_and_the_same_refusal(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    before = _state(runtime)
    answers = []
    for method in ("GET", "PUT", "DELETE"):
        for cluster in (world["b"], 999_999):
            url = (f"/api/v1/clusters/{cluster}/spec-limits" if method == "GET"
                   else _url(cluster))
            response = client.open(url, method=method, json={"usl": 1}, headers=editor)
            answers.append((response.status_code, json_body(response)))
    assert answers == [(403, NO_ACCESS)] * 6
    assert _state(runtime) == before


BAD_BODIES = [("usl=1", "application/x-www-form-urlencoded"), ('{"usl": ', "application/json"),
              ('"usl"', "application/json"), ("null", "application/json"),
              ('{"usl": 1}', "text/plain"), ("", "application/json")]


def test_a_body_that_is_not_a_json_object_changes_nothing(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    before = _state(runtime)
    for data, content_type in BAD_BODIES:
        response = client.put(_url(world["a"]), data=data, content_type=content_type,
                              headers=editor)
        assert (response.status_code, json_body(response)) == (400, NOT_AN_OBJECT), data
    assert _state(runtime) == before


def test_an_id_no_cluster_can_have_is_a_json_404(client: FlaskClient, runtime: Runtime,
                                                 world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    before = _state(runtime)
    for cluster in ("a", "0", str(2**31), "-1"):
        for response in (
                client.get(f"/api/v1/clusters/{cluster}/spec-limits", headers=editor),
                client.put(f"/api/v1/clusters/{cluster}/spec-limits/press-fit/gap",
                           json={"usl": 1}, headers=editor)):
            assert response.status_code == 404, cluster
            assert json_body(response)["error"]["code"] == "not_found"
    assert _state(runtime) == before
