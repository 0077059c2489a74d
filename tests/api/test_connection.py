"""``GET /api/v1/clusters/<id>/connection`` (api/connection.py) beyond
tests/api/test_connection_api.py: the exact fields of the answer, a cluster without a
credential, API tokens, and one refusal body for foreign, forged and anonymous callers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from api.schemas import COMPONENTS
from data.metadata import memberships
from services.access import tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import ed_bearer, editor_of_a, give_app_credential
from tests.http import json_body

SECRET = "k" * 43
NO_ACCESS = {"error": {"code": "forbidden",
                       "message": "You do not have access to this cluster."}}


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A (with the app-gateway credential) and B (none); Ed edits A."""
    with editor_of_a(runtime, ("conn_route_a", "conn_route_b"), schema=False) as world:
        give_app_credential(runtime, world["a"], SECRET)
        yield world


def _url(cluster: object) -> str:
    return f"/api/v1/clusters/{cluster}/connection"


def test_the_answer_has_exactly_the_documented_fields(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    answer = client.get(_url(world["a"]), headers=ed_bearer(runtime, world, "viewer"))
    assert answer.status_code == 200
    body = json_body(answer)
    assert set(body) == set(COMPONENTS["ClusterConnection"]["properties"])
    port = runtime.settings.engine_port
    assert {k: body[k] for k in ("cluster_id", "available", "unavailable_reason", "url",
                                 "scheme", "host", "port", "database", "username",
                                 "credential_mode", "secret", "secret_variable")} == {
        "cluster_id": world["a"], "available": True, "unavailable_reason": None,
        "url": f"http://127.0.0.1:{port}", "scheme": "http", "host": "127.0.0.1",
        "port": port, "database": "conn_route_a", "username": "acc_app",
        "credential_mode": "app_gateway", "secret": None,
        "secret_variable": "CLICKHOUSE_PASSWORD"}
    assert [set(s) for s in body["snippets"]] == [{"key", "label", "language", "code"}] * 4
    assert SECRET not in answer.get_data(as_text=True)


def test_an_editor_token_never_carries_the_secret(client: FlaskClient, runtime: Runtime,
                                                  world: dict[str, int]) -> None:
    body = json_body(client.get(_url(world["a"]), headers=ed_bearer(runtime, world,
                                                                     "editor")))
    assert body["secret"] is None and body["available"] is True


def test_a_cluster_without_a_credential_says_why(client: FlaskClient, runtime: Runtime,
                                                 world: dict[str, int]) -> None:
    with runtime.db.session() as session:  # Ed joins B, which has no credential
        memberships.set_member(session, cluster_id=world["b"], user_id=world["ed"],
                               role="editor", granted_by=None)
    _row, secret = tokens.create_token(runtime, user_id=world["ed"], cluster_id=world["b"],
                                       name="b", role="editor", expires_in_days=1,
                                       actor=Actor(user_id=world["ed"], label="ed"))
    editor = {"Authorization": f"Bearer {secret}"}
    body = json_body(client.get(_url(world["b"]), headers=editor))
    assert body == {"available": False, "cluster_id": world["b"], "credential_mode": None,
                    "database": "conn_route_b", "host": None, "port": None, "scheme": None,
                    "secret": None, "secret_variable": "CLICKHOUSE_PASSWORD", "snippets": [],
                    "unavailable_reason": "no credential was created for this cluster",
                    "url": None, "username": None}


def test_foreign_and_forged_clusters_get_one_refusal(client: FlaskClient, runtime: Runtime,
                                                     world: dict[str, int]) -> None:
    viewer = ed_bearer(runtime, world, "viewer")
    answers = [client.get(_url(c), headers=viewer) for c in (world["b"], 987_654)]
    assert [(a.status_code, json_body(a)) for a in answers] == [(403, NO_ACCESS)] * 2
    anonymous = client.get(_url(world["a"]))
    assert anonymous.status_code == 401
    assert SECRET not in anonymous.get_data(as_text=True)
    for bad in ("x", "0", str(2**31)):
        assert client.get(_url(bad), headers=viewer).status_code == 404
