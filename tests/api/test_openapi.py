"""The OpenAPI document: valid OpenAPI 3.0, one operation per Flask route and back, every
operation with its request and response schemas and the shared error body."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from api.openapi import COMMON_ERRORS, ROLE_ERRORS, build_document, describe
from tests.access_world import ORIGIN, World, build_world, sign_in

_VAR = re.compile(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>")
METHODS_WITH_BODY = {"post", "put", "patch"}


@pytest.fixture
def document(server: Flask, runtime: Any) -> dict[str, Any]:
    world: World = build_world(runtime)
    assert world.a
    client: FlaskClient = sign_in(server.test_client(), "root")
    response = client.get("/api/v1/openapi.json", headers=ORIGIN)
    assert response.status_code == 200
    found = response.json
    assert isinstance(found, dict)
    return found


def _flask_operations(server: Flask) -> set[tuple[str, str]]:
    return {(_VAR.sub(r"{\1}", rule.rule), method.lower())
            for rule in server.url_map.iter_rules()
            if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.unknown_route"
            for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = doc["components"]["schemas"][name]
    return schema


def test_the_served_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)  # raises with the first problem
    assert document["openapi"] == "3.0.3"


def test_every_flask_route_is_an_operation_and_every_operation_a_route(
        server: Flask, document: dict[str, Any]) -> None:
    listed = {(path, method) for path, ops in document["paths"].items() for method in ops}
    served = _flask_operations(server)
    assert served - listed == set(), "routes missing from the document"
    assert listed - served == set(), "operations without a route"
    assert len(listed) >= 55


def test_every_parameter_says_where_it_goes(document: dict[str, Any]) -> None:
    missing = [(path, method, p.get("name")) for path, ops in document["paths"].items()
               for method, op in ops.items() for p in op["parameters"]
               if p.get("in") not in ("path", "query", "header", "cookie")]
    assert missing == []
    curves = document["paths"]["/api/v1/clusters/{cluster_id}/curves"]["get"]["parameters"]
    assert {p["name"]: p["in"] for p in curves}["lines"] == "query"


def test_every_operation_describes_its_success_and_its_errors(
        document: dict[str, Any]) -> None:
    problems = []
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            where = f"{method.upper()} {path}"
            success = [code for code in op["responses"] if code.startswith("2")]
            if len(success) != 1:
                problems.append(f"{where}: success statuses {success}")
                continue
            answer = op["responses"][success[0]]
            if success[0] != "204":
                content: dict[str, Any] = answer.get("content") or {}
                first: dict[str, Any] = next(iter(content.values()), {})
                schema = first.get("schema")
                if not schema:
                    problems.append(f"{where}: no success schema")
            errors = {int(c) for c in op["responses"] if not c.startswith("2")}
            if not set(COMMON_ERRORS) <= errors:
                problems.append(f"{where}: errors {sorted(errors)}")
            if path.startswith("/api/v1/clusters/{cluster_id}") and not (
                    set(ROLE_ERRORS) <= errors):
                problems.append(f"{where}: no 403/404 on a cluster route")
            for code in errors:
                if op["responses"][str(code)] != {"$ref": f"#/components/responses/Error{code}"}:
                    problems.append(f"{where}: error {code} is not the shared error")
            if method in METHODS_WITH_BODY and "requestBody" in op:
                schema = op["requestBody"]["content"]["application/json"]["schema"]
                if not _resolve(document, schema).get("type") == "object":
                    problems.append(f"{where}: request body is not an object schema")
    assert problems == []


def test_json_answers_are_named_schemas_a_client_generator_turns_into_classes(
        document: dict[str, Any]) -> None:
    unnamed = []
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            for code, answer in op["responses"].items():
                schema = (answer.get("content") or {}).get("application/json", {}).get("schema")
                if code.startswith("2") and schema is not None and "$ref" not in schema \
                        and path != "/api/v1/openapi.json":
                    unnamed.append(f"{method.upper()} {path}")
    assert unnamed == []


def test_errors_share_the_body_the_api_sends(document: dict[str, Any], server: Flask,
                                             runtime: Any) -> None:
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]
    response = document["components"]["responses"]["Error404"]
    assert response["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}
    body = server.test_client().get("/api/v1/clusters").json  # not signed in
    assert isinstance(body, dict)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}


def test_a_routes_own_metadata_becomes_its_operation() -> None:
    probe = Flask("probe")

    @describe(summary="Things", tag="things", role="viewer",
              query=[{"name": "q", "schema": {"type": "string"}}],
              body={"type": "object"}, response={"type": "string"}, status=201,
              content_type="text/plain", errors=(409,))
    def things(thing_id: int) -> str:
        """Make a thing."""
        return ""

    probe.add_url_rule("/api/v1/things/<int:thing_id>", "things", things, methods=["POST"])
    op = build_document(probe)["paths"]["/api/v1/things/{thing_id}"]["post"]
    assert op["parameters"][1] == {"name": "q", "in": "query", "schema": {"type": "string"}}
    assert op["responses"]["201"]["content"] == {"text/plain": {"schema": {"type": "string"}}}
    assert {"400", "401", "403", "404", "409", "429", "500"} <= set(op["responses"])
    assert op["requestBody"]["required"] is True
    assert op["description"] == "Needs the viewer role."

