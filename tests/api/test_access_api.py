"""The REST API of the team feature: members, invitations, tokens, audit, cluster lifecycle,
and the OpenAPI document."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from data.analytics import cluster_ops
from data.analytics.clickhouse import ClickHouse
from services.clusters import rules
from services.clusters.request import ClusterSpec, MemberGrant, database_name_for
from services.core.runtime import Runtime
from services.provisioning.deploy import wait_for_deploy
from tests.access_world import ORIGIN, PASSWORD, World, build_world, sign_in


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


@pytest.fixture
def root(server: Flask, world: World) -> FlaskClient:
    return sign_in(server.test_client(), "root")


def _call(client: FlaskClient, method: str, url: str, body: Any = None,
          headers: dict[str, str] | None = None) -> Any:
    return client.open(url, method=method, json=body, headers={**ORIGIN, **(headers or {})})


def test_members_crud_and_last_admin(root: FlaskClient, world: World) -> None:
    base = f"/api/v1/clusters/{world.a}/members"
    listed = _call(root, "GET", base + "?limit=2").json
    assert listed["total"] == 4 and len(listed["items"]) == 2 and listed["next_offset"] == 2
    added = _call(root, "POST", base, {"email": "outsider@example.com", "role": "analyst"})
    assert added.status_code == 201 and added.json["role"] == "analyst"
    uid = added.json["user_id"]
    assert _call(root, "PATCH", f"{base}/{uid}", {"role": "editor"}).json == {
        "status": "changed"}
    bad = _call(root, "PATCH", f"{base}/{uid}", {"role": "owner"})
    assert bad.status_code == 400 and bad.json["error"]["fields"] == {"role": "unknown"}
    assert _call(root, "DELETE", f"{base}/{uid}").status_code == 200
    last = _call(root, "DELETE", f"{base}/{world.users['admin']}")
    assert last.status_code == 403 and "at least one admin" in last.json["error"]["message"]
    assert _call(root, "DELETE", f"{base}/999999").status_code == 404


def test_invitation_by_api_then_joining_in_the_browser(
        server: Flask, root: FlaskClient, world: World, runtime: Runtime) -> None:
    created = _call(root, "POST", f"/api/v1/clusters/{world.a}/invitations",
                    {"email": "fresh@example.com", "role": "editor"})
    assert created.status_code == 201 and created.json["emailed"] is False
    link = created.json["link"]
    assert re.fullmatch(r"http://localhost/invite/inv_[\w-]{40,}", link)
    listed = _call(root, "GET", f"/api/v1/clusters/{world.a}/invitations").json["items"]
    assert [i["email"] for i in listed] == ["fresh@example.com"] and "link" not in listed[0]
    guest = server.test_client()
    path = link.removeprefix("http://localhost")
    page = guest.get(path).get_data(as_text=True)
    assert "fresh@example.com" in page and "editor" in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    differ = guest.post(path, data={"csrf_token": csrf, "password": PASSWORD,
                                    "password_again": PASSWORD + "x"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.get_data(
        as_text=True)
    joined = guest.post(path, data={"csrf_token": csrf, "password": PASSWORD,
                                    "password_again": PASSWORD})
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    assert guest.get("/_dash-layout").status_code == 200  # signed in
    again = server.test_client().get(path)
    assert again.status_code == 404 and "already used" in again.get_data(as_text=True)
    roles = {m["email"]: m["role"] for m in
             _call(root, "GET", f"/api/v1/clusters/{world.a}/members").json["items"]}
    assert roles["fresh@example.com"] == "editor"


def test_tokens_created_listed_used_and_revoked(server: Flask, world: World) -> None:
    analyst = sign_in(server.test_client(), "analyst")
    base = f"/api/v1/clusters/{world.a}/tokens"
    higher = _call(analyst, "POST", base, {"name": "x", "role": "admin"})
    assert higher.status_code == 403
    made = _call(analyst, "POST", base, {"name": "ci", "role": "analyst",
                                         "expires_in_days": 7})
    assert made.status_code == 201 and made.json["secret"].startswith("lyc_")
    secret = made.json["secret"]
    assert made.json["prefix"] == secret[:12]
    bearer = server.test_client()
    auth = {"Authorization": f"Bearer {secret}"}
    assert _call(bearer, "GET", f"/api/v1/clusters/{world.a}", headers=auth).json[
        "your_role"] == "analyst"
    mine = _call(analyst, "GET", base).json["items"]
    assert len(mine) == 1 and mine[0]["last_used_at"] is not None and "secret" not in mine[0]
    admin = sign_in(server.test_client(), "admin")
    _call(admin, "POST", base, {"name": "admin's", "role": "viewer"})
    assert len(_call(analyst, "GET", base).json["items"]) == 1  # only their own
    admins_view = _call(admin, "GET", base).json["items"]
    assert len(admins_view) == 2
    other = next(t["id"] for t in admins_view if t["name"] == "admin's")
    assert _call(analyst, "DELETE", f"{base}/{other}").status_code == 404
    assert _call(analyst, "DELETE", f"{base}/{mine[0]['id']}").status_code == 200
    assert _call(bearer, "GET", f"/api/v1/clusters/{world.a}", headers=auth).status_code == 401
    for days in (2, "7", True, -1):
        bad = _call(analyst, "POST", base, {"name": "x", "role": "viewer",
                                            "expires_in_days": days})
        assert bad.status_code == 400, days


def test_audit_search_export_and_verify(server: Flask, root: FlaskClient,
                                        world: World) -> None:
    _call(root, "POST", f"/api/v1/clusters/{world.a}/members",
          {"email": "outsider@example.com", "role": "viewer"})
    found = _call(root, "GET", "/api/v1/audit?action=member&outcome=success").json
    assert found["total"] >= 1 and all(i["action"].startswith("member.")
                                       for i in found["items"])
    export = _call(root, "GET", f"/api/v1/audit.csv?cluster_id={world.a}")
    assert export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True))))
    assert rows[0][0] == "id" and len(rows) > 1
    assert _call(root, "GET", "/api/v1/audit/verify").json["ok"] is True
    admin = sign_in(server.test_client(), "admin")
    theirs = _call(admin, "GET", "/api/v1/audit?limit=500").json["items"]
    assert theirs and {i["cluster_id"] for i in theirs} == {world.a}
    assert _call(admin, "GET", "/api/v1/audit/verify").status_code == 403
    viewer = sign_in(server.test_client(), "viewer")
    assert _call(viewer, "GET", "/api/v1/audit").status_code == 403
    assert _call(root, "GET", "/api/v1/audit?outcome=maybe").status_code == 400
    assert _call(root, "GET", "/api/v1/audit?since=last+week").status_code == 400


@pytest.fixture
def spec_body(world: World, ch: ClickHouse) -> Iterator[dict[str, Any]]:
    spec = rules.apply_preset(
        ClusterSpec(name="api-made", members=(MemberGrant(world.users["admin"], "admin"),)),
        "development")
    yield rules.spec_to_dict(spec)
    try:
        cluster_ops.drop_database(ch, database_name_for("api-made"))
    except Exception:  # noqa: BLE001 - already dropped by the decommission
        pass


def test_cluster_lifecycle_over_the_api(root: FlaskClient, world: World,
                                        spec_body: dict[str, Any]) -> None:
    invalid = _call(root, "POST", "/api/v1/clusters", {**spec_body, "nodes": 999})
    assert invalid.status_code == 400 and "nodes" in invalid.json["error"]["fields"]
    made = _call(root, "POST", "/api/v1/clusters", spec_body)
    assert made.status_code == 202
    cid = made.json["id"]
    wait_for_deploy(cid, timeout=120)
    status = _call(root, "GET", f"/api/v1/clusters/{cid}/status").json
    assert status["status"] == "running"
    retention = {"warm_after_days": 3, "cold_after_days": 10, "archive_after_days": 100,
                 "delete_after_days": None}
    assert _call(root, "PUT", f"/api/v1/clusters/{cid}/retention", retention).status_code == 200
    bad = _call(root, "PUT", f"/api/v1/clusters/{cid}/retention",
                {**retention, "cold_after_days": 1})
    assert bad.status_code == 400
    limits = {"max_threads": 1, "max_memory_gb": 1, "max_execution_time_s": 30}
    assert _call(root, "PUT", f"/api/v1/clusters/{cid}/limits", limits).status_code == 200
    assert _call(root, "PUT", f"/api/v1/clusters/{cid}/limits",
                 {**limits, "max_threads": "all"}).status_code == 400
    usage = _call(root, "GET", f"/api/v1/clusters/{cid}/usage?days=7").json
    assert {"tiers", "trend"} <= set(usage)
    events = _call(root, "GET", f"/api/v1/clusters/{cid}/events").json["items"]
    assert any("Retention" in e["message"] for e in events)
    wrong = _call(root, "POST", f"/api/v1/clusters/{cid}/decommission",
                  {"confirm_name": "nope"})
    assert wrong.status_code == 400
    gone = _call(root, "POST", f"/api/v1/clusters/{cid}/decommission",
                 {"confirm_name": "api-made"})
    assert gone.status_code == 200
    assert _call(root, "GET", f"/api/v1/clusters/{cid}/status").json["status"] == \
        "decommissioned"


def test_openapi_lists_every_route_including_undocumented_ones(server: Flask,
                                                               root: FlaskClient) -> None:
    from api.openapi import build_document

    doc = _call(root, "GET", "/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    served = {(rule.rule, m) for rule in server.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.unknown_route"
              for m in (rule.methods or set()) - {"HEAD", "OPTIONS"}}
    listed = {(re.sub(r"\{(\w+)\}", r"<\1>", p), m.upper()) for p, ops in doc["paths"].items()
              for m in ops}
    assert {(re.sub(r"<(?:\w+:)?(\w+)>", r"<\1>", r), m) for r, m in served} == listed
    members = doc["paths"]["/api/v1/clusters/{cluster_id}/members"]["post"]
    assert members["requestBody"]["content"]["application/json"]["schema"]["required"] == [
        "email", "role"]
    extra = Flask("probe")
    extra.add_url_rule("/api/v1/things/<int:thing_id>", "things", lambda thing_id: "")
    op = build_document(extra)["paths"]["/api/v1/things/{thing_id}"]["get"]
    assert op["description"] == "Undocumented route (no metadata attached)."
    page = _call(root, "GET", "/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/clusters/{cluster_id}/tokens" in page
    assert "http://" not in page and "https://" not in page and "<script" not in page.lower()


def _audit(runtime: Runtime, action: str) -> list[Any]:
    from sqlalchemy import select

    from data.metadata.models import AuditEntry

    with runtime.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.id)))


def _token_row(runtime: Runtime, token_id: int) -> Any:
    from data.metadata.models import ClusterAccessToken

    with runtime.db.session() as session:
        return session.get(ClusterAccessToken, token_id)


def test_a_removed_admins_token_is_revoked_and_cannot_re_add_its_owner(
        server: Flask, root: FlaskClient, world: World, runtime: Runtime) -> None:
    """Issue 14 (3): after an admin was removed, their token read members and re-added its
    owner as admin (201)."""
    from tests.access_world import snapshot

    admin = sign_in(server.test_client(), "admin")
    base = f"/api/v1/clusters/{world.a}"
    made = _call(admin, "POST", f"{base}/tokens", {"name": "ci", "role": "admin"})
    assert made.status_code == 201
    bearer, auth = server.test_client(), {"Authorization": f"Bearer {made.json['secret']}"}
    assert _call(bearer, "GET", f"{base}/members", headers=auth).status_code == 200
    assert _call(root, "PATCH", f"{base}/members/{world.users['editor']}",
                 {"role": "admin"}).status_code == 200
    assert _call(root, "DELETE", f"{base}/members/{world.users['admin']}").status_code == 200

    before = snapshot(runtime)
    read = _call(bearer, "GET", f"{base}/members", headers=auth)
    assert read.status_code == 401
    assert read.json["error"]["message"] == "The token is invalid, expired or revoked."
    again = _call(bearer, "POST", f"{base}/members",
                  {"email": "admin@example.com", "role": "admin"}, headers=auth)
    assert again.status_code == 401
    assert snapshot(runtime) == before  # not re-added
    assert _token_row(runtime, made.json["id"]).revoked_at is not None
    revoked = _audit(runtime, "token.revoke")
    assert [(e.target_id, e.cluster_id, e.actor_user_id) for e in revoked] == [
        (str(made.json["id"]), world.a, world.users["root"])]
    assert revoked[0].detail["reason"] == "owner removed from the cluster"


def test_a_token_is_refused_once_its_owner_has_no_role_even_if_not_revoked(
        server: Flask, world: World, runtime: Runtime) -> None:
    """The per-request check does not rely on revocation: a membership gone by any path
    ends the token."""
    from data.metadata import team as team_data

    analyst = sign_in(server.test_client(), "analyst")
    base = f"/api/v1/clusters/{world.a}"
    made = _call(analyst, "POST", f"{base}/tokens", {"name": "ci", "role": "viewer"})
    bearer, auth = server.test_client(), {"Authorization": f"Bearer {made.json['secret']}"}
    assert _call(bearer, "GET", f"{base}/members", headers=auth).status_code == 200
    with runtime.db.session() as session:
        team_data.remove_member(session, cluster_id=world.a, user_id=world.users["analyst"])
    assert _call(bearer, "GET", f"{base}/members", headers=auth).status_code == 401
    assert _token_row(runtime, made.json["id"]).revoked_at is None


def test_a_token_acts_with_at_most_its_owners_current_role(
        server: Flask, root: FlaskClient, world: World, runtime: Runtime) -> None:
    """Issue 14 (3): a token made as analyst kept acting as analyst after its owner was
    demoted to viewer."""
    from tests.access_world import snapshot

    analyst = sign_in(server.test_client(), "analyst")
    base = f"/api/v1/clusters/{world.a}"
    made = _call(analyst, "POST", f"{base}/tokens", {"name": "ci", "role": "analyst"})
    bearer, auth = server.test_client(), {"Authorization": f"Bearer {made.json['secret']}"}
    assert _call(bearer, "GET", base, headers=auth).json["your_role"] == "analyst"
    member = f"{base}/members/{world.users['analyst']}"
    assert _call(root, "PATCH", member, {"role": "viewer"}).status_code == 200

    assert _call(bearer, "GET", base, headers=auth).json["your_role"] == "viewer"
    listed = _call(bearer, "GET", "/api/v1/clusters", headers=auth).json["items"]
    assert [c["your_role"] for c in listed] == ["viewer"]
    before = snapshot(runtime)
    minted = _call(bearer, "POST", f"{base}/tokens", {"name": "up", "role": "analyst"},
                   headers=auth)
    assert minted.status_code == 403
    assert minted.json["error"]["message"] == ("This needs the analyst role on this cluster; "
                                               "you are viewer.")
    assert snapshot(runtime) == before
    # Promoted above the token's own role: the token stays an analyst token.
    assert _call(root, "PATCH", member, {"role": "editor"}).status_code == 200
    assert _call(bearer, "GET", base, headers=auth).json["your_role"] == "analyst"


def test_a_deactivated_owners_token_is_refused(server: Flask, world: World,
                                               runtime: Runtime) -> None:
    """Even an account switched off by hand (no revocation ran) ends its tokens."""
    from sqlalchemy import update

    from data.metadata.models import User

    editor = sign_in(server.test_client(), "editor")
    base = f"/api/v1/clusters/{world.a}"
    made = _call(editor, "POST", f"{base}/tokens", {"name": "ci", "role": "editor"})
    bearer, auth = server.test_client(), {"Authorization": f"Bearer {made.json['secret']}"}
    assert _call(bearer, "GET", base, headers=auth).status_code == 200
    with runtime.db.session() as session:
        session.execute(update(User).where(User.id == world.users["editor"])
                        .values(is_active=False))
    refused = _call(bearer, "POST", f"{base}/projects", {"name": "p"}, headers=auth)
    assert refused.status_code == 401
    assert _call(bearer, "GET", base, headers=auth).status_code == 401


def test_deactivating_an_account_revokes_its_tokens_and_sessions(
        server: Flask, world: World, runtime: Runtime) -> None:
    from lyceum.errors import Forbidden, NotFound
    from services.access.accounts import LAST_GLOBAL_ADMIN, deactivate_user
    from services.core.audit import Actor
    from tests.access_world import snapshot

    editor = sign_in(server.test_client(), "editor")
    made = [_call(editor, "POST", f"/api/v1/clusters/{world.a}/tokens",
                  {"name": f"ci{i}", "role": "viewer"}).json for i in range(2)]
    ops = Actor(label="ops")
    before = snapshot(runtime)
    for email, error, message in (
            ("nobody@example.com", NotFound, "No active account uses that e-mail address."),
            ("root@example.com", Forbidden, LAST_GLOBAL_ADMIN)):
        with pytest.raises(error) as raised:
            deactivate_user(runtime.db, email=email, actor=ops)
        assert raised.value.user_message == message
        assert snapshot(runtime) == before

    assert deactivate_user(runtime.db, email="EDITOR@example.com", actor=ops) == 2
    for token in made:
        bearer = server.test_client()
        assert _call(bearer, "GET", f"/api/v1/clusters/{world.a}", headers={
            "Authorization": f"Bearer {token['secret']}"}).status_code == 401
        assert _token_row(runtime, token["id"]).revoked_at is not None
    assert editor.get("/_dash-layout").status_code == 401  # the browser session ended too
    assert sorted(e.target_id for e in _audit(runtime, "token.revoke")) == sorted(
        str(t["id"]) for t in made)
    assert [e.detail["tokens"] for e in _audit(runtime, "user.deactivate")] == [2]
    with pytest.raises(NotFound):
        deactivate_user(runtime.db, email="editor@example.com", actor=ops)


def test_a_global_admins_token_follows_the_admin_flag(server: Flask, world: World,
                                                      runtime: Runtime) -> None:
    """A global admin is admin of every cluster while they are one; a token they made for a
    cluster they are no member of ends when the flag goes."""
    from sqlalchemy import update

    from data.metadata.models import User

    root = sign_in(server.test_client(), "root")
    made = _call(root, "POST", f"/api/v1/clusters/{world.b}/tokens",
                 {"name": "ops", "role": "admin"})
    assert made.status_code == 201
    bearer, auth = server.test_client(), {"Authorization": f"Bearer {made.json['secret']}"}
    assert _call(bearer, "GET", f"/api/v1/clusters/{world.b}",
                 headers=auth).json["your_role"] == "admin"
    assert _call(bearer, "GET", "/api/v1/audit/verify", headers=auth).status_code == 403
    with runtime.db.session() as session:
        session.execute(update(User).where(User.id == world.users["root"])
                        .values(is_admin=False))
    assert _call(bearer, "GET", f"/api/v1/clusters/{world.b}",
                 headers=auth).status_code == 401
