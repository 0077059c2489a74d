"""The named schemas (api/schemas.py) match what the routes send: every readable operation's
answer, on a cluster with the demo plant's data, validates against its success schema; and
the helpers build the shapes they promise."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from openapi_schema_validator import OAS30Validator
from openapi_schema_validator import validate as validate_body

from api.schemas import COMPONENTS, component, from_dataclass, nullable, obj, page_schema, ref
from tests.access_world import ORIGIN, World, sign_in
from tests.callbacks.explorer.test_view import server, world  # noqa: F401


def test_what_every_readable_operation_answers_matches_its_schema(
        server: Flask, world: World) -> None:  # noqa: F811
    """Each GET with only a cluster id in its path (and its required query values),
    called by a global admin on the demo plant's data, answers what its schema says."""
    client = sign_in(server.test_client(), "root")
    document = client.get("/api/v1/openapi.json", headers=ORIGIN).get_json()
    process = client.get(f"/api/v1/clusters/{world.a}/curve-filters",
                         headers=ORIGIN).get_json()["process"]
    checked = []
    for path, ops in document["paths"].items():
        op = ops.get("get")
        names = {p["name"] for p in (op or {}).get("parameters", []) if p["in"] == "path"}
        content = (op or {}).get("responses", {}).get("200", {}).get("content", {})
        if op is None or names - {"cluster_id"} or "application/json" not in content \
                or path.endswith("/openapi.json"):
            continue
        url = path.replace("{cluster_id}", str(world.a))
        required = {p["name"] for p in op["parameters"] if p["in"] == "query" and
                    p.get("required")}
        # the process where one is required; any other required text: a short prefix
        given = {name: process if name == "process" else "L" for name in required}
        if given:
            url += "?" + "&".join(f"{name}={value}" for name, value in sorted(given.items()))
        answer = client.get(url, headers=ORIGIN)
        if answer.status_code == 404:  # nothing to read yet (a pending secret): the error
            validate_body(answer.get_json(), {"$ref": "#/components/schemas/Error",
                                              "components": document["components"]},
                          cls=OAS30Validator)
            continue
        assert answer.status_code == 200, (url, answer.get_data(as_text=True)[:300])
        schema = {**content["application/json"]["schema"],
                  "components": document["components"]}
        validate_body(answer.get_json(), schema, cls=OAS30Validator)
        checked.append(path)
    assert len(checked) >= 15, checked
    assert "/api/v1/clusters/{cluster_id}/curves" in checked


@dataclass
class _Probe:
    name: str
    count: int
    when: Any
    note: str | None
    tags: list[str]


def test_helpers_build_named_objects_and_refuse_contradictions() -> None:
    made = from_dataclass(_Probe, when={"type": "string"})
    assert made["required"] == ["name", "count", "when", "note", "tags"]
    assert made["properties"]["note"] == {"type": "string", "nullable": True}
    assert made["properties"]["tags"] == {"type": "array", "items": {"type": "string"}}
    assert nullable(ref("Error")) == {"allOf": [ref("Error")], "nullable": True}
    try:
        probe = component("ProbeThing", obj(required=(), name={"type": "string"}))
        assert probe == {"$ref": "#/components/schemas/ProbeThing"}
        assert "required" not in COMPONENTS["ProbeThing"]
        paged = page_schema("ProbeThingPage", probe)
        assert COMPONENTS["ProbeThingPage"]["properties"]["next_offset"] == {
            "type": "integer", "nullable": True}
        assert paged == ref("ProbeThingPage")
        with pytest.raises(ValueError, match="already registered"):
            component("ProbeThing", obj(other={"type": "integer"}))
        with pytest.raises(ValueError, match="CamelCase"):
            component("probe_thing", obj())
    finally:  # the registry is the served document's: leave no probe in it
        COMPONENTS.pop("ProbeThing", None)
        COMPONENTS.pop("ProbeThingPage", None)
    with pytest.raises(ValueError, match="without a property"):
        obj(required=("missing",), name={"type": "string"})
