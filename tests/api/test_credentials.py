"""The credential routes (api/credentials.py) beyond tests/api/test_credentials_api.py: the
exact waiting-secret answer, "nothing waits" after the confirmation, API tokens of cluster
admins, and the exact refusal bodies (role below admin; foreign and forged clusters)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from flask.testing import FlaskClient

from data.metadata import memberships
from data.metadata import users as users_data
from services.access import tokens
from services.access.accounts import create_user
from services.clusters import credentials
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import ed_bearer, editor_of_a, give_app_credential, snapshot
from tests.http import json_body

SECRET = "p" * 43
NO_ACCESS = {"error": {"code": "forbidden",
                       "message": "You do not have access to this cluster."}}


def _needs_admin(role: str) -> dict[str, object]:
    return {"error": {"code": "forbidden", "message": "This needs the admin role on this "
                      f"cluster; you are {role}."}}


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A (its credential's secret waiting) and B; Ed edits A."""
    with editor_of_a(runtime, ("cred_route_a", "cred_route_b"), schema=False) as world:
        give_app_credential(runtime, world["a"], SECRET)
        yield world


def _admin_bearer(runtime: Runtime, world: dict[str, int]) -> dict[str, str]:
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=world["a"], user_id=world["ed"],
                               role="admin", granted_by=None)
    _row, secret = tokens.create_token(runtime, user_id=world["ed"], cluster_id=world["a"],
                                       name="admin", role="admin", expires_in_days=1,
                                       actor=Actor(user_id=world["ed"], label="ed"))
    return {"Authorization": f"Bearer {secret}"}


def _base(cluster: object) -> str:
    return f"/api/v1/clusters/{cluster}/credential"


def _hash(runtime: Runtime, cluster: int) -> str | None:
    with runtime.db.session() as session:
        found = memberships.get_cluster(session, cluster)
        assert found is not None
        return found.credential_hash


def _waiting(runtime: Runtime, cluster: int) -> str | None:
    """The waiting secret, read as a global admin would."""
    with runtime.db.session() as session:
        root = users_data.get_user_by_email(session, "root@example.com")
    if root is None:
        root = create_user(runtime.db, runtime.passwords, email="root@example.com",
                           password="long enough password", is_admin=True)
    found = credentials.pending_secret(runtime, cluster, actor=Actor(user_id=root.id))
    return None if found is None else found.secret


def test_an_admin_token_reads_then_confirms_the_secret(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    admin = _admin_bearer(runtime, world)
    read = client.get(f"{_base(world['a'])}/pending-secret", headers=admin)
    assert read.status_code == 200
    body = json_body(read)
    assert set(body) == {"cluster_id", "username", "secret", "purpose", "created_at",
                         "expires_at", "acknowledge_url"}
    assert {k: body[k] for k in ("cluster_id", "username", "secret", "purpose",
                                 "acknowledge_url")} == {
        "cluster_id": world["a"], "username": "acc_app", "secret": SECRET,
        "purpose": "deploy",
        "acknowledge_url": f"/api/v1/clusters/{world['a']}/credential/pending-secret/"
                           "acknowledge"}
    assert datetime.fromisoformat(body["expires_at"]) > datetime.fromisoformat(
        body["created_at"])
    done = client.post(body["acknowledge_url"], headers=admin)
    assert (done.status_code, json_body(done)) == (200, {"status": "acknowledged"})
    gone = client.get(f"{_base(world['a'])}/pending-secret", headers=admin)
    assert (gone.status_code, json_body(gone)) == (404, {"error": {
        "code": "not_found", "message": credentials.NOTHING_PENDING}})
    assert _waiting(runtime, world["a"]) is None


def test_roles_below_admin_get_the_same_refusal_and_change_nothing(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    before = {**snapshot(runtime), "hash": _hash(runtime, world["a"])}
    for role in ("editor", "analyst", "viewer"):
        bearer = ed_bearer(runtime, world, role)
        for method, path in (("GET", "pending-secret"),
                             ("POST", "pending-secret/acknowledge"), ("POST", "rotate")):
            response = client.open(f"{_base(world['a'])}/{path}", method=method,
                                   headers=bearer)
            assert (response.status_code, json_body(response)) == (
                403, _needs_admin(role)), (role, path)
    after = {**snapshot(runtime), "hash": _hash(runtime, world["a"])}
    assert {k: v for k, v in after.items() if k != "tokens"} == {
        k: v for k, v in before.items() if k != "tokens"}
    assert _waiting(runtime, world["a"]) == SECRET


def test_foreign_and_forged_clusters_get_one_refusal(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    admin = _admin_bearer(runtime, world)
    before = _hash(runtime, world["b"])
    for cluster in (world["b"], 987_654):
        for method, path in (("GET", "pending-secret"),
                             ("POST", "pending-secret/acknowledge"), ("POST", "rotate")):
            response = client.open(f"{_base(cluster)}/{path}", method=method, headers=admin)
            assert (response.status_code, json_body(response)) == (403, NO_ACCESS)
            assert SECRET not in response.get_data(as_text=True)
    for bad in ("x", "0", str(2**31)):
        assert client.post(f"{_base(bad)}/rotate", headers=admin).status_code == 404
    anonymous = client.get(f"{_base(world['a'])}/pending-secret")
    assert anonymous.status_code == 401 and SECRET not in anonymous.get_data(as_text=True)
    assert _hash(runtime, world["b"]) == before
    assert _waiting(runtime, world["a"]) == SECRET
