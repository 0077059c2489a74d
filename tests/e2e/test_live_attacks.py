"""Issue 14's red-team cases, re-run over HTTP against the real app (waitress, real chDB).

The unit tests check each defence in-process; these check that the served app, with its real
WSGI server and path decoding, holds too. No browser: plain HTTP, as an attacker would.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from tests.e2e.conftest import app_fixture
from tests.servers import AppProcess

SQLITE_MAGIC = b"SQLite format 3"


@dataclass(frozen=True)
class World:
    """The live app, a signed-in global admin and the demo cluster with its credential."""

    url: str
    admin: requests.Session
    cluster_id: int
    username: str
    secret: str


attacked_app = app_fixture(
    "attacked_app", "An app of its own: the attacks add members, projects and a new secret, "
    "which the browser tests sharing ``live_app`` must not see.")


@pytest.fixture(scope="module")
def world(attacked_app: AppProcess) -> Iterator[World]:
    live_app = attacked_app
    admin = live_app.signed_in(*live_app.first_admin())
    clusters = admin.get(f"{live_app.url}/api/v1/clusters", timeout=30).json()["items"]
    demo = next(c for c in clusters if c["database"] == "demo_plant")
    # A fresh secret through rotation: other tests may have saved the demo's first one.
    rotated = admin.post(f"{live_app.url}/api/v1/clusters/{demo['id']}/credential/rotate",
                         timeout=60)
    assert rotated.status_code == 201, rotated.text
    body = rotated.json()
    yield World(live_app.url, admin, demo["id"], body["username"], body["secret"])


def _sql(world: World, sql: str, *, secret: str | None = None) -> requests.Response:
    return requests.post(f"{world.url}/api/v1/clusters/{world.cluster_id}/sql",
                         json={"sql": sql}, auth=(world.username, secret or world.secret),
                         timeout=60)


def test_a_report_asset_cannot_name_an_instance_file(world: World) -> None:
    base = f"{world.url}/api/v1/clusters/{world.cluster_id}"
    project = world.admin.post(f"{base}/projects", json={"name": "Red team",
                                                         "project_type": "custom"}, timeout=30)
    assert project.status_code == 201, project.text
    assets = f"{base}/projects/{project.json()['id']}/assets"
    for name in ("lyceum.db", "secret_key", "token_key", "clickhouse/config.xml",
                 "../lyceum.db", "/etc/passwd"):
        made = world.admin.post(assets, json={"asset_type": "report", "name": "x",
                                              "config": {"pdf": name}}, timeout=30)
        assert made.status_code in (400, 403, 422), (name, made.status_code, made.text)
    listed = world.admin.get(f"{base}/projects/{project.json()['id']}", timeout=30).json()
    for asset in listed["assets"]:
        pdf = world.admin.get(f"{assets}/{asset['id']}/report.pdf", timeout=30)
        assert SQLITE_MAGIC not in pdf.content and b"BEGIN" not in pdf.content


def test_the_gateway_leaks_nothing_of_other_databases(world: World) -> None:
    pairs = [("SELECT (SELECT throwIf(('x') IN system.tables))",
              "SELECT (SELECT throwIf(('x') IN nowhere.tables))"),
             ("SELECT count() FROM demo_plant.parts WHERE serial IN system.users",
              "SELECT count() FROM demo_plant.parts WHERE serial IN nowhere.users"),
             ("SELECT * FROM system.databases", "SELECT * FROM nowhere.databases")]
    for there, nothing in pairs:
        first, second = _sql(world, there), _sql(world, nothing)
        assert first.status_code == second.status_code == 403, (first.text, second.text)
        assert first.json() == second.json()
    alias = _sql(world, "SELECT fullHostName()")
    assert alias.status_code == 403 and "not allowed" in alias.json()["error"]["message"]
    ok = _sql(world, "SELECT count() AS n FROM parts")
    assert ok.status_code == 200 and ok.json()["rows"][0][0] > 0


def test_gateway_guessing_is_rate_limited(world: World) -> None:
    codes = [_sql(world, "SELECT 1", secret=f"guess-{n}").status_code for n in range(21)]
    assert codes[:20] == [401] * 20 and codes[20] == 429


def test_a_token_dies_with_its_owners_membership(world: World,
                                                 attacked_app: AppProcess) -> None:
    for email in ("keeper@example.com", "redteam@example.com"):  # two admins: one may go
        made = attacked_app.cli("create-user", "--email", email, "--cluster", "demo_plant",
                            "--role", "admin", "--password-stdin",
                            stdin="red team password 1\n")
        assert made.returncode == 0, made.stderr
    member = attacked_app.signed_in("redteam@example.com", "red team password 1")
    base = f"{world.url}/api/v1/clusters/{world.cluster_id}"
    token = member.post(f"{base}/tokens", json={"name": "rt", "role": "admin",
                                                "expires_in_days": 1}, timeout=30).json()
    bearer = {"Authorization": f"Bearer {token['secret']}"}
    assert requests.get(f"{base}/members", headers=bearer, timeout=30).status_code == 200
    users = {m["email"]: m["user_id"] for m in
             world.admin.get(f"{base}/members?limit=500", timeout=30).json()["items"]}
    uid = users["redteam@example.com"]
    demote = world.admin.patch(f"{base}/members/{uid}", json={"role": "viewer"}, timeout=30)
    assert demote.status_code == 200, demote.text
    demoted = requests.post(f"{base}/members", headers=bearer,
                            json={"email": "redteam@example.com", "role": "admin"}, timeout=30)
    assert demoted.status_code == 403
    assert world.admin.delete(f"{base}/members/{uid}", timeout=30).status_code in (200, 204)
    assert requests.get(f"{base}/members", headers=bearer, timeout=30).status_code == 401
    readd = requests.post(f"{base}/members", headers=bearer,
                          json={"email": "redteam@example.com", "role": "admin"}, timeout=30)
    assert readd.status_code == 401
    assert "redteam@example.com" not in {
        m["email"] for m in world.admin.get(f"{base}/members?limit=500", timeout=30)
        .json()["items"]}


def test_a_cookie_with_a_junk_authorization_header_is_not_a_way_around_csrf(
        world: World) -> None:
    base = f"{world.url}/api/v1/clusters/{world.cluster_id}"
    forged = world.admin.post(f"{base}/projects", json={"name": "Forged", "project_type":
                                                        "custom"},
                              headers={"Authorization": "Bearer x", "Origin": "https://evil"},
                              timeout=30)
    assert forged.status_code == 401
    names = [p["name"] for p in world.admin.get(f"{base}/projects?limit=500",
                                                timeout=30).json()["items"]]
    assert "Forged" not in names


def test_deep_json_and_encoded_paths_get_clear_answers(world: World) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    answer = world.admin.post(f"{world.url}/api/v1/clusters/{world.cluster_id}/ingest",
                              data=deep, headers={"Content-Type": "application/json"},
                              timeout=60)
    assert answer.status_code == 400 and "nested" in answer.json()["error"]["message"]
    for path in ("/invite/..%2f_dash-layout", "/invite/%2e%2e%2f_dash-layout",
                 "/login/..%2f_dash-layout", "/healthz/..%2f_dash-layout"):
        shell = requests.get(f"{world.url}{path}", allow_redirects=False, timeout=30)
        assert shell.status_code in (302, 401, 404), (path, shell.status_code)
        assert "react-entry-point" not in shell.text and "_dash-config" not in shell.text
