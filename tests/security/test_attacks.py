"""Forged ids, edited stores, path variants, foreign/expired/revoked/truncated tokens and
cross-site requests: each refused, audited, and nothing changed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from data.metadata.models import AuditEntry, ClusterAccessToken, utcnow
from services.access import tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import World, snapshot
from tests.http import json_body
from tests.security.matrix import ORIGIN, callback_payload, denials, dependencies, first_output

EVIL = {"Origin": "https://evil.example"}


def _dep(server: Flask, client: FlaskClient, output: str) -> dict[str, Any]:
    return next(d for d in dependencies(server, client) if first_output(d) == output)


def _post(client: FlaskClient, payload: dict[str, Any], headers: dict[str, str] = ORIGIN
          ) -> Any:
    return client.post("/_dash-update-component", json=payload, headers=headers)


def _last_audit(runtime: Runtime) -> AuditEntry:
    with runtime.db.session() as session:
        found = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert found is not None, "nothing was audited"
    return found


def _recent_actions(runtime: Runtime, n: int) -> list[str]:
    with runtime.db.session() as session:
        return [e.action for e in session.scalars(
            select(AuditEntry).order_by(AuditEntry.id.desc()).limit(n))]


def _token(runtime: Runtime, world: World, *, user: str = "admin", role: str = "viewer",
           cluster: int | None = None, days: int | None = None) -> tuple[int, str]:
    row, secret = tokens.create_token(runtime, user_id=world.users[user],
                                      cluster_id=cluster or world.a, name="t", role=role,
                                      expires_in_days=days, actor=Actor(label="test"))
    return row.id, secret


@pytest.mark.parametrize("forged", ["2", "1 OR 1=1", "../2", "-1", "0", "", "1.0", "１",
                                    {"id": 1}, [1], 1.5, True, None, "9" * 40])
def test_forged_cluster_ids_in_store_contents_are_refused(
        mod_server: Flask, mod_runtime: Runtime, world: World, clients: dict[str, FlaskClient],
        forged: Any) -> None:
    """The team page's store edited in the browser (admin of A, aiming elsewhere)."""
    client = clients["admin"]
    dep = _dep(mod_server, client, "team-version-store")  # the "add member" callback
    payload = callback_payload(dep, cluster="")
    for item in payload["state"]:
        if item["id"] == "team-cluster-store":
            item["value"] = forged if forged != "2" else str(world.b)
        if item["id"] == "team-add-email-input":
            item["value"] = "outsider@example.com"
        if item["id"] == "team-add-role-select":
            item["value"] = "admin"
    before, count = snapshot(mod_runtime), denials(mod_runtime)
    response = _post(client, payload)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert ("You do not have access to this cluster" in text
            or "That cluster does not exist" in text
            or "Only administrators" in text), text[:300]  # None: an installation-wide ask
    assert denials(mod_runtime) == count + 1
    assert snapshot(mod_runtime) == before


def test_forged_member_and_token_ids_do_not_reach_another_cluster(
        mod_server: Flask, mod_runtime: Runtime, world: World,
        clients: dict[str, FlaskClient]) -> None:
    """Admin of A sends B's member id / B's token id with A's (legitimate) store."""
    client = clients["admin"]
    b_token, _ = _token(mod_runtime, world, user="b_admin", cluster=world.b)
    before = snapshot(mod_runtime)
    remove = next(d for d in dependencies(mod_server, client)
                  if "team-member-remove" in str(d["inputs"]))
    payload = callback_payload(remove, cluster=str(world.a))
    payload["inputs"][0][0]["id"]["user"] = world.users["b_admin"]
    payload["changedPropIds"] = [f'{{"type":"team-member-remove","user":{world.users["b_admin"]}}}'
                                 ".n_clicks"]
    text = _post(client, payload).get_data(as_text=True)
    assert "not a member of this cluster" in text
    revoke = next(d for d in dependencies(mod_server, client)
                  if "tokens-revoke" in str(d["inputs"]))
    payload = callback_payload(revoke, cluster=str(world.a))
    payload["inputs"][0][0]["id"]["token"] = b_token
    payload["changedPropIds"] = [f'{{"token":{b_token},"type":"tokens-revoke"}}.n_clicks']
    text = _post(client, payload).get_data(as_text=True)
    assert "does not exist on this cluster" in text
    assert snapshot(mod_runtime) == before


@pytest.mark.parametrize("path", [
    "//api/v1/clusters/{b}/members", "/api/v1//clusters/{b}/members",
    "/api/v1/clusters/{b}/members/", "/api/v1/clusters%2F{b}/members",
    "/api/v1/clusters/{a}%2F..%2F{b}/members", "/api/v1/clusters/{a}/../{b}/members",
    "/api/v1/clusters/0{b}/members", "/api/v1/clusters/+{b}/members",
    "/API/V1/clusters/{b}/members", "/api/v1/clusters/{b}/members;x",
    "/api/v1/./clusters/{b}/members",
])
def test_path_variants_never_reach_another_cluster(
        mod_runtime: Runtime, world: World, clients: dict[str, FlaskClient], path: str) -> None:
    url = path.format(a=world.a, b=world.b)
    for who in ("viewer", "anon"):
        before = snapshot(mod_runtime)
        response = clients[who].get(url, headers=ORIGIN, follow_redirects=True)
        text = response.get_data(as_text=True)
        assert "b_admin@example.com" not in text, (who, url, response.status_code)
        assert response.status_code in (401, 403, 404, 405) or (
            response.status_code == 200 and "<html" in text.lower()), (who, url, text[:200])
        post = clients[who].post(url, json={"email": "outsider@example.com", "role": "admin"},
                                 headers=ORIGIN, follow_redirects=True)
        assert post.status_code in (401, 403, 404, 405), (who, url, post.status_code)
        assert snapshot(mod_runtime) == before


def test_token_for_cluster_a_is_refused_on_cluster_b(
        mod_server: Flask, mod_runtime: Runtime, world: World) -> None:
    _id, secret = _token(mod_runtime, world, role="admin")
    client = mod_server.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"/api/v1/clusters/{world.a}/members", headers=auth).status_code == 200
    before, count = snapshot(mod_runtime), denials(mod_runtime)
    for method, url, body in [
            ("GET", f"/api/v1/clusters/{world.b}/members", None),
            ("POST", f"/api/v1/clusters/{world.b}/members",
             {"email": "outsider@example.com", "role": "admin"}),
            ("POST", f"/api/v1/clusters/{world.b}/tokens", {"name": "x", "role": "viewer"}),
            ("GET", "/api/v1/audit/verify", None), ("POST", "/api/v1/clusters", {"name": "x"})]:
        response = client.open(url, method=method, json=body, headers=auth)
        assert response.status_code == 403, (method, url, response.json)
        assert json_body(response)["error"]["code"] == "forbidden"
    listed = json_body(client.get("/api/v1/clusters", headers=auth))
    assert [c["id"] for c in listed["items"]] == [world.a]
    assert denials(mod_runtime) >= count + 5
    assert snapshot(mod_runtime) == before


def test_token_cannot_exceed_its_scope(mod_server: Flask, mod_runtime: Runtime,
                                       world: World) -> None:
    """An admin's viewer token may not act as admin, nor mint an admin token."""
    _id, secret = _token(mod_runtime, world, role="viewer")
    client = mod_server.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    before = snapshot(mod_runtime)
    for method, url, body in [
            ("POST", f"/api/v1/clusters/{world.a}/tokens", {"name": "up", "role": "admin"}),
            ("PATCH", f"/api/v1/clusters/{world.a}/members/{world.users['viewer']}",
             {"role": "admin"}),
            ("GET", "/api/v1/audit", None)]:
        assert client.open(url, method=method, json=body, headers=auth).status_code == 403
    assert snapshot(mod_runtime) == before


@pytest.mark.parametrize("kind", ["expired", "revoked", "truncated", "extended", "other_prefix",
                                  "garbage", "basic"])
def test_bad_tokens_are_refused_and_audited(mod_server: Flask, mod_runtime: Runtime,
                                            world: World, kind: str) -> None:
    token_id, secret = _token(mod_runtime, world, role="admin", days=1)
    if kind == "expired":
        with mod_runtime.db.session() as session:
            session.execute(update(ClusterAccessToken).where(ClusterAccessToken.id == token_id)
                            .values(expires_at=utcnow() - timedelta(seconds=1)))
    if kind == "revoked":
        tokens.revoke_token(mod_runtime, cluster_id=world.a, token_id=token_id,
                            actor=Actor(label="test"))
    header = {"expired": f"Bearer {secret}", "revoked": f"Bearer {secret}",
              "truncated": f"Bearer {secret[:-1]}", "extended": f"Bearer {secret}A",
              "other_prefix": f"Bearer abc_{secret[4:]}", "garbage": "Bearer \u00e9\u00e9",
              "basic": "Basic YWRtaW46YWRtaW4="}[kind]
    client = mod_server.test_client()
    before = snapshot(mod_runtime)
    response = client.post(f"/api/v1/clusters/{world.a}/members", headers={
        "Authorization": header}, json={"email": "outsider@example.com", "role": "admin"})
    assert response.status_code == 401
    assert json_body(response)["error"]["code"] == "not_authenticated"
    assert "api.auth_failure" in _recent_actions(mod_runtime, 2)
    assert snapshot(mod_runtime) == before


def test_cross_site_requests_are_refused_and_audited(
        mod_server: Flask, mod_runtime: Runtime, world: World,
        clients: dict[str, FlaskClient]) -> None:
    client = clients["root"]
    dep = next(d for d in dependencies(mod_server, client) if first_output(d).startswith(
        "cluster-decommission-alert-div"))
    payload = callback_payload(dep, cluster=str(world.a))
    payload["state"][0]["value"] = None
    before = snapshot(mod_runtime)
    for headers in (EVIL, {}, {"Referer": "https://evil.example/page"},
                    {"Origin": "http://localhost.evil.example"}):
        response = _post(client, payload, headers)
        assert response.status_code == 403 and response.json["error"]["code"] == "cross_origin"
        assert _last_audit(mod_runtime).action == "request.cross_origin"
        api = client.post(f"/api/v1/clusters/{world.a}/members", headers=headers,
                          json={"email": "outsider@example.com", "role": "admin"})
        assert api.status_code == 403
    logout = client.post("/logout", data={"csrf_token": "forged"}, headers=ORIGIN)
    assert logout.status_code == 302
    assert client.get("/_dash-layout").status_code == 200  # still signed in
    assert snapshot(mod_runtime) == before


def test_repeated_token_failures_are_rate_limited(mod_server: Flask, mod_runtime: Runtime,
                                                  world: World) -> None:
    client = mod_server.test_client()
    env = {"REMOTE_ADDR": "10.9.9.9"}
    codes = [client.get("/api/v1/clusters", headers={"Authorization": "Bearer lyc_nope"},
                        environ_base=env).status_code for _ in range(25)]
    assert codes[0] == 401 and codes[-1] == 429
    _id, secret = _token(mod_runtime, world)
    # Even a good token waits while the address is limited; another address is not.
    assert client.get("/api/v1/clusters", headers={"Authorization": f"Bearer {secret}"},
                      environ_base=env).status_code in (200, 429)
    assert client.get("/api/v1/clusters", headers={"Authorization": f"Bearer {secret}"},
                      environ_base={"REMOTE_ADDR": "10.9.9.8"}).status_code == 200


@pytest.mark.parametrize("header", ["Bearer x", "Bearer ", "Basic YWRtaW46YWRtaW4=", "x"])
def test_session_with_a_junk_authorization_header_is_refused(
        mod_server: Flask, mod_runtime: Runtime, world: World,
        clients: dict[str, FlaskClient], header: str) -> None:
    """Issue 14 (9): any Authorization header skipped the cross-site check while the session
    cookie still signed the request in. Now the header is the request's only credential."""
    client = clients["root"]  # signed in by session cookie
    dep = next(d for d in dependencies(mod_server, client) if first_output(d).startswith(
        "cluster-decommission-alert-div"))
    payload = callback_payload(dep, cluster=str(world.a))
    payload["state"][0]["value"] = None
    before = snapshot(mod_runtime)
    env = {"REMOTE_ADDR": f"10.14.9.{len(header)}"}  # apart from other tests' failures
    for origin in (EVIL, ORIGIN, {}):
        headers = {**origin, "Authorization": header}
        api = client.post(f"/api/v1/clusters/{world.a}/members", headers=headers,
                          json={"email": "outsider@example.com", "role": "admin"},
                          environ_base=env)
        assert api.status_code == 401, (origin, api.json)
        assert json_body(api)["error"]["code"] == "not_authenticated"
        assert client.get(f"/api/v1/clusters/{world.a}/members", headers=headers,
                          environ_base=env).status_code == 401
        callback = client.post("/_dash-update-component", json=payload, headers=headers,
                               environ_base=env)
        assert callback.status_code == 401
        assert json_body(callback)["error"]["message"] == (
            "Only the API (/api/v1) accepts an Authorization header; sign in to use the web "
            "app.")
    assert snapshot(mod_runtime) == before
    assert client.get("/_dash-layout").status_code == 200  # the session itself still works


def test_a_bearer_token_needs_no_csrf_and_the_session_beside_it_is_not_used(
        mod_server: Flask, mod_runtime: Runtime, world: World,
        clients: dict[str, FlaskClient]) -> None:
    _id, secret = _token(mod_runtime, world, user="editor", role="viewer")
    auth = {"Authorization": f"Bearer {secret}"}
    for client in (mod_server.test_client(), clients["root"]):
        assert client.get(f"/api/v1/clusters/{world.a}/members",
                          headers=auth).status_code == 200
        made = client.post(f"/api/v1/clusters/{world.a}/tokens", headers=auth,
                           json={"name": "from ci", "role": "viewer"})
        assert made.status_code == 201, made.json  # no Origin, no CSRF token: not a browser
        assert json_body(made)["user_id"] == world.users["editor"]  # the token's owner, not root
        before = snapshot(mod_runtime)
        as_root = client.post(f"/api/v1/clusters/{world.a}/members", headers=auth,
                              json={"email": "outsider@example.com", "role": "admin"})
        assert as_root.status_code == 403  # a viewer token, whoever's cookie rides along
        assert snapshot(mod_runtime) == before
        assert client.get("/_dash-layout", headers=auth).status_code == 401


def _import_jobs(runtime: Runtime) -> int:
    from data.metadata.models_imports import ImportJob

    with runtime.db.session() as session:
        return len(list(session.scalars(select(ImportJob))))


@pytest.mark.parametrize("body", [
    "[" * 100_000 + "]" * 100_000,
    '{"batch_id": "b1", "kind": "curves", "rows": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001,
    '{"rows": [' + "[" * 129 + "]" * 129 + "]}",
    "[" * 200_000,  # not even closed
])
def test_deeply_nested_json_is_a_clear_400_everywhere(
        mod_server: Flask, mod_runtime: Runtime, world: World,
        clients: dict[str, FlaskClient], body: str) -> None:
    """Issue 14 (10): JSON nested 100,000 deep to /ingest answered 500."""
    from lyceum.json_bodies import TOO_DEEP

    _id, secret = _token(mod_runtime, world, user="editor", role="editor")
    before, jobs = snapshot(mod_runtime), _import_jobs(mod_runtime)
    for url in (f"/api/v1/clusters/{world.a}/ingest", f"/api/v1/clusters/{world.a}/projects",
                f"/api/v1/clusters/{world.a}/tokens", "/_dash-update-component"):
        response = clients["editor"].post(url, data=body, content_type="application/json",
                                          headers=ORIGIN)
        assert response.status_code == 400, (url, response.get_data(as_text=True)[:200])
        assert json_body(response)["error"]["message"] == TOO_DEEP, url
    with_token = mod_server.test_client().post(
        f"/api/v1/clusters/{world.a}/ingest", data=body, content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"})
    assert with_token.status_code == 400 and json_body(with_token)["error"]["message"] == TOO_DEEP
    assert snapshot(mod_runtime) == before
    assert _import_jobs(mod_runtime) == jobs


def test_json_nested_up_to_the_limit_is_parsed(
        mod_runtime: Runtime, world: World, clients: dict[str, FlaskClient]) -> None:
    from lyceum.json_bodies import MAX_JSON_DEPTH, TOO_DEEP

    def body(depth: int) -> str:  # the object itself is one level
        nested = "[" * (depth - 1) + "]" * (depth - 1)
        return '{"name": "deep", "role": "viewer", "note": ' + nested + "}"

    url = f"/api/v1/clusters/{world.a}/tokens"
    post = clients["editor"].post
    at_limit = post(url, data=body(MAX_JSON_DEPTH), content_type="application/json",
                    headers=ORIGIN)
    assert at_limit.status_code == 201, at_limit.json
    over = post(url, data=body(MAX_JSON_DEPTH + 1), content_type="application/json",
                headers=ORIGIN)
    assert over.status_code == 400 and json_body(over)["error"]["message"] == TOO_DEEP
