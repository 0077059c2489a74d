"""Who may call an explorer or trace route: every role of cluster A, an outsider, a removed
member, and a token scoped to cluster B; every refusal must look the same."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from data.metadata import memberships
from data.metadata import team as team_data
from services.access.accounts import create_user
from services.access.tokens import create_token
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import PASSWORD, World, sign_in

HEADERS = {"Origin": "http://localhost"}
REFUSED = "You do not have access to this cluster."
_made = itertools.count(1)


@dataclass(frozen=True)
class Callers:
    """Clients for each kind of caller (``clients``) plus bearer headers (``bearers``)."""

    clients: dict[str, FlaskClient]
    bearers: dict[str, dict[str, str]]


def callers(server: Flask, runtime: Runtime, world: World, *, tag: str) -> Callers:
    """Signed-in clients for viewer/analyst/editor/admin/outsider/removed, and a token of
    cluster B (scoped there, admin role) sent to cluster A."""
    tag = f"{tag}-{next(_made)}"
    clients = {key: sign_in(server.test_client(), key)
               for key in ("viewer", "analyst", "editor", "admin", "outsider")}
    removed = create_user(runtime.db, runtime.passwords, email=f"gone-{tag}@example.com",
                          password=PASSWORD)
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=world.a, user_id=removed.id, role="admin",
                               granted_by=None)
    clients["removed"] = _sign_in_email(server, f"gone-{tag}@example.com")
    with runtime.db.session() as session:
        team_data.remove_member(session, cluster_id=world.a, user_id=removed.id)
    _row, secret = create_token(runtime, user_id=world.users["b_admin"], cluster_id=world.b,
                                name=f"b-{tag}", role="admin", expires_in_days=None,
                                actor=Actor(label="test"))
    return Callers(clients=clients,
                   bearers={"b_token": {**HEADERS, "Authorization": f"Bearer {secret}"}})


def _sign_in_email(server: Flask, email: str) -> FlaskClient:
    import re

    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    response = client.post("/login", data={"email": email, "password": PASSWORD,
                                           "csrf_token": csrf.group(1)})
    assert response.status_code == 302
    return client


def call(server: Flask, who: Callers, key: str, method: str, url: str,
         body: Any = None) -> Any:
    """One request as caller ``key``."""
    if key in who.bearers:
        return server.test_client().open(url, method=method, json=body,
                                         headers=who.bearers[key])
    return who.clients[key].open(url, method=method, json=body, headers=HEADERS)


def assert_refusals_look_the_same(server: Flask, who: Callers, method: str, url: str,
                                  body: Any = None) -> None:
    """Outsider, removed member and a token of another cluster get the same 403."""
    seen = set()
    for key in ("outsider", "removed", "b_token"):
        response = call(server, who, key, method, url, body)
        assert response.status_code == 403, (key, response.get_data(as_text=True)[:200])
        assert response.json["error"]["message"] == REFUSED
        seen.add(response.get_data(as_text=True))
    assert len(seen) == 1
