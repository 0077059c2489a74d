"""The API's front door: tokens scoped to one cluster, JSON errors, rate limits, the gateway."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update

from data.analytics import cluster_ops
from data.metadata import memberships
from data.metadata.models import AuditEntry, ClusterAccessToken, DatabaseCluster, utcnow
from lyceum.errors import Forbidden
from services.access import tokens
from services.access.accounts import create_user
from services.clusters import credentials, rules
from services.clusters.request import ClusterSpec, MemberGrant
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.provisioning import deploy
from tests.http import json_body


@pytest.fixture
def setup(runtime: Runtime) -> tuple[int, int, int]:
    """An editor of cluster A (not of B); returns (user id, cluster A, cluster B)."""
    user = create_user(runtime.db, runtime.passwords, email="eve@example.com",
                       password="long enough password")
    with runtime.db.session() as session:
        ids = [memberships.add_cluster(session, DatabaseCluster(
            name=n, database_name=n, cluster_type="development", region_code="local",
            status="failed")).id for n in ("alpha", "beta")]
        memberships.set_member(session, cluster_id=ids[0], user_id=user.id, role="editor",
                               granted_by=None)
    return user.id, ids[0], ids[1]


def _token(runtime: Runtime, user_id: int, cluster_id: int, role: str = "viewer",
           days: int | None = 7) -> str:
    _row, secret = tokens.create_token(runtime, user_id=user_id, cluster_id=cluster_id,
                                       name="ci", role=role, expires_in_days=days,
                                       actor=Actor(user_id=user_id, label="eve"))
    return secret


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_unauthenticated_requests_get_json_401(client: FlaskClient) -> None:
    for path in ("/api/v1/clusters", "/api/v1/clusters/1", "/api/v1/nope"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert json_body(response)["error"]["code"] == "not_authenticated"


def test_a_token_reaches_its_cluster_only(client: FlaskClient, runtime: Runtime,
                                          setup: tuple[int, int, int]) -> None:
    user_id, a, b = setup
    secret = _token(runtime, user_id, a)
    assert json_body(client.get(f"/api/v1/clusters/{a}", headers=_bearer(secret)))["your_role"] \
        == "viewer"
    denied = client.get(f"/api/v1/clusters/{b}", headers=_bearer(secret))
    assert denied.status_code == 403 and json_body(denied)["error"]["code"] == "forbidden"
    listed = json_body(client.get("/api/v1/clusters", headers=_bearer(secret)))
    assert [c["id"] for c in listed["items"]] == [a] and listed["total"] == 1
    assert "credential_hash" not in listed["items"][0]


def test_token_role_cannot_exceed_the_creators(runtime: Runtime,
                                               setup: tuple[int, int, int]) -> None:
    user_id, a, b = setup
    with pytest.raises(Forbidden, match="cannot be higher"):
        _token(runtime, user_id, a, role="admin")
    with pytest.raises(Forbidden, match="cannot be higher"):
        _token(runtime, user_id, b, role="viewer")


def test_expired_revoked_and_truncated_tokens_are_refused_and_audited(
        client: FlaskClient, runtime: Runtime, setup: tuple[int, int, int]) -> None:
    user_id, a, _b = setup
    expired, revoked, good = (_token(runtime, user_id, a) for _ in range(3))
    with runtime.db.session() as session:
        session.execute(update(ClusterAccessToken)
                        .where(ClusterAccessToken.token_hash == tokens.hash_token(runtime, expired))
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
        row = session.scalar(select(ClusterAccessToken).where(
            ClusterAccessToken.token_hash == tokens.hash_token(runtime, revoked)))
        assert row is not None
        token_id = row.id
    tokens.revoke_token(runtime, cluster_id=a, token_id=token_id, actor=Actor(label="eve"))
    for bad in (expired, revoked, good[:-1], good + "x", "Bearer", ""):
        response = client.get(f"/api/v1/clusters/{a}", headers=_bearer(bad))
        assert response.status_code == 401, bad
        assert json_body(response)["error"]["message"] == (
            "The token is invalid, expired or revoked.")
    with runtime.db.session() as session:
        failures = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "api.auth_failure")).all()
    assert len(failures) == 6
    assert client.get(f"/api/v1/clusters/{a}", headers=_bearer(good)).status_code == 200


def test_repeated_token_failures_are_rate_limited(client: FlaskClient) -> None:
    for _ in range(20):
        assert client.get("/api/v1/clusters", headers=_bearer("lyc_guess")).status_code == 401
    response = client.get("/api/v1/clusters", headers=_bearer("lyc_guess"))
    assert response.status_code == 429 and json_body(response)["error"]["code"] == "rate_limited"


def test_unknown_route_and_method_are_json(client: FlaskClient, runtime: Runtime,
                                          setup: tuple[int, int, int]) -> None:
    user_id, a, _b = setup
    headers = _bearer(_token(runtime, user_id, a))
    assert json_body(client.get("/api/v1/nope", headers=headers))["error"]["code"] == "not_found"
    response = client.delete("/api/v1/clusters", headers=headers)
    assert response.status_code == 405
    assert json_body(response)["error"]["code"] == "method_not_allowed"


@pytest.fixture
def deployed(runtime: Runtime) -> Iterator[tuple[int, str, str]]:
    """A real running cluster; yields (id, username, secret)."""
    owner = create_user(runtime.db, runtime.passwords, email="own@example.com",
                        password="long enough password")
    spec = rules.apply_preset(
        ClusterSpec(name="Gateway test", members=(MemberGrant(owner.id, "admin"),)),
        "development")
    cluster_id = deploy.begin_deploy(runtime, spec, actor=Actor(user_id=owner.id))
    deploy.wait_for_deploy(cluster_id)
    pending = credentials.pending_secret(runtime, cluster_id, actor=Actor(user_id=owner.id))
    assert pending is not None
    yield cluster_id, "gateway_test_app", pending.secret
    cluster_ops.drop_database(runtime.ch, "gateway_test")


def _basic(user: str, secret: str) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_gateway_runs_read_only_sql_with_the_cluster_credential(
        client: FlaskClient, deployed: tuple[int, str, str]) -> None:
    cluster_id, user, secret = deployed
    url = f"/api/v1/clusters/{cluster_id}/sql"
    ok = client.post(url, json={"sql": "SELECT count() AS n FROM parts"},
                     headers=_basic(user, secret))
    assert ok.status_code == 200
    assert ok.json == {"columns": ["n"], "rows": [[0]], "row_count": 1, "truncated": False}
    wrong = client.post(url, json={"sql": "SELECT 1"}, headers=_basic(user, secret + "x"))
    assert wrong.status_code == 401
    hostile = client.post(url, json={"sql": "SELECT * FROM system.users"},
                          headers=_basic(user, secret))
    assert hostile.status_code in (400, 403)
    assert re.search(r"system|database|table", json_body(hostile)["error"]["message"])
    write = client.post(url, json={"sql": "INSERT INTO parts (part_id) VALUES (1)"},
                        headers=_basic(user, secret))
    assert write.status_code in (400, 403)
    no_auth = client.post(url, json={"sql": "SELECT 1"})
    assert no_auth.status_code == 401


def test_gateway_answers_are_cut_at_ten_thousand_rows_and_say_so(
        client: FlaskClient, deployed: tuple[int, str, str]) -> None:
    cluster_id, user, secret = deployed
    response = client.post(f"/api/v1/clusters/{cluster_id}/sql",
                           json={"sql": "SELECT number AS n, toString(number) AS s "
                                        "FROM numbers(50000)"},
                           headers=_basic(user, secret))
    body = response.get_json()
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert (body["columns"], body["row_count"], body["truncated"]) == (["n", "s"], 10_000, True)
    assert body["rows"][0] == [0, "0"] and body["rows"][-1] == [9_999, "9999"]


def test_a_valid_credential_on_a_wrong_path_does_not_count_as_a_failure(
        client: FlaskClient, runtime: Runtime, deployed: tuple[int, str, str]) -> None:
    cluster_id, user, secret = deployed
    for _ in range(30):
        wrong_path = client.post(f"/api/v1/clusters/{cluster_id}/sql/ping",
                                 headers=_basic(user, secret))
        assert wrong_path.status_code == 404
    ok = client.post(f"/api/v1/clusters/{cluster_id}/sql", json={"sql": "SELECT 1 AS x"},
                     headers=_basic(user, secret))
    assert ok.status_code == 200 and ok.get_json()["rows"] == [[1]]


def test_a_caller_without_the_credential_never_takes_a_pool_slot(
        client: FlaskClient, runtime: Runtime, deployed: tuple[int, str, str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    cluster_id, user, secret = deployed
    pooled: list[int | None] = []
    real_run = runtime.pools.run

    def counting(pool: str, fn: object, *, cluster_id: int | None, timeout: float) -> object:
        pooled.append(cluster_id)
        return real_run(pool, fn, cluster_id=cluster_id, timeout=timeout)  # type: ignore[arg-type]

    monkeypatch.setattr(runtime.pools, "run", counting)
    url = f"/api/v1/clusters/{cluster_id}/sql"
    for headers in (_basic(user, "guess"), _basic("someone_else", secret)):
        assert client.post(url, json={"sql": "SELECT 1"}, headers=headers).status_code == 401
    assert pooled == []
    assert client.post(url, json={"sql": "SELECT 1"}, headers=_basic(user, secret)
                       ).status_code == 200
    assert pooled == [cluster_id]


def test_gateway_sign_in_failures_are_rate_limited_per_address(
        client: FlaskClient, deployed: tuple[int, str, str]) -> None:
    cluster_id, user, secret = deployed
    url = f"/api/v1/clusters/{cluster_id}/sql"
    for _ in range(20):
        assert client.post(url, json={"sql": "SELECT 1"},
                           headers=_basic(user, "guess")).status_code == 401
    limited = client.post(url, json={"sql": "SELECT 1"}, headers=_basic(user, secret))
    assert limited.status_code == 429 and json_body(limited)["error"]["code"] == "rate_limited"
    elsewhere = client.post(url, json={"sql": "SELECT 1"}, headers=_basic(user, secret),
                            environ_base={"REMOTE_ADDR": "198.51.100.20"})
    assert elsewhere.status_code == 200


def test_paging_parameters_are_bounded(client: FlaskClient, runtime: Runtime,
                                       setup: tuple[int, int, int]) -> None:
    user_id, a, _b = setup
    headers = _bearer(_token(runtime, user_id, a))
    for query in ("offset=862352249355617043775436508576612352", "offset=-1", "limit=0",
                  "limit=501", "limit=x"):
        response = client.get(f"/api/v1/clusters?{query}", headers=headers)
        assert response.status_code == 400, query
        assert json_body(response)["error"]["code"] == "validation_error"
