"""Sign-in over HTTP with the real app factory: messages, throttling, sessions, the guard."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from data.metadata.models import AuditEntry, UserSession
from services.core.runtime import Runtime
from tests.http import json_body

ORIGIN = {"Origin": "http://localhost"}


def _csrf(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _login(client: FlaskClient, email: str, password: str, **extra: str) -> Any:
    data = {"email": email, "password": password, "csrf_token": _csrf(client), **extra}
    return client.post("/login", data=data)


def _audit(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


@pytest.fixture
def client(server: Flask) -> FlaskClient:
    return server.test_client()


def test_signed_out_pages_redirect_and_dash_endpoints_refuse(client: FlaskClient) -> None:
    assert client.get("/").headers["Location"] == "/login"
    assert client.get("/engine?x=1").headers["Location"] == "/login?next=/engine?x=1"
    for path in ("/_dash-layout", "/_dash-dependencies"):
        assert client.get(path).status_code == 401
    response = client.post("/_dash-update-component", json={"output": "x", "inputs": []})
    assert response.status_code == 401
    assert json_body(response)["error"]["code"] == "not_authenticated"
    assert json_body(client.get("/healthz"))["checks"] == {"metadata": "ok", "clickhouse": "ok"}


def test_sign_in_rotates_session_and_sign_out_invalidates_it(
        client: FlaskClient, admin: tuple[str, str], runtime: Runtime) -> None:
    before = client.get_cookie("lyceum_session")
    response = _login(client, *admin)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    cookie = client.get_cookie("lyceum_session")
    assert cookie is not None and (before is None or cookie.value != before.value)
    assert client.get("/_dash-layout").status_code == 200
    stolen = cookie.value
    response = client.post("/logout", data={"csrf_token": _csrf_from_layout(client)},
                           headers=ORIGIN)
    assert response.headers["Location"] == "/login?signed_out=1"
    assert "You have signed out." in client.get("/login?signed_out=1").get_data(as_text=True)
    # Replaying the old cookie must not work: the session is revoked server-side.
    client.set_cookie("lyceum_session", stolen)
    assert client.get("/_dash-layout").status_code == 401
    with runtime.db.session() as session:
        assert session.scalars(select(UserSession)).one().revoked_at is not None
    assert len(_audit(runtime, "login.success")) == 1 and len(_audit(runtime, "logout")) == 1


def _csrf_from_layout(client: FlaskClient) -> str:
    layout = client.get("/_dash-layout").get_data(as_text=True)
    found = re.search(r'"name":\s*"csrf_token",\s*"type":\s*"hidden",\s*"value":\s*"([^"]+)"',
                      layout) or re.search(r'"value":\s*"([^"]+)",[^}]*"name":\s*"csrf_token"',
                                           layout)
    assert found, layout[:2000]
    return found.group(1)


@pytest.mark.parametrize(("email", "password", "message", "status"), [
    ("root@example.com", "wrong password!", "The e-mail address or password is incorrect.", 401),
    ("nobody@example.com", "whatever12345", "The e-mail address or password is incorrect.", 401),
    ("", "", "Enter your e-mail address and your password.", 401),
    ("root@example.com", "", "Enter your e-mail address and your password.", 401),
    ("x" * 10_000, "password123", "That e-mail address or password is too long.", 401),
])
def test_bad_sign_in_gets_a_clear_message_and_no_session(
        client: FlaskClient, admin: tuple[str, str], runtime: Runtime, email: str,
        password: str, message: str, status: int) -> None:
    response = _login(client, email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in page and "Traceback" not in page
    assert client.get("/_dash-layout").status_code == 401
    if email and password:
        assert _audit(runtime, "login.failure")[-1].outcome == "denied"


def test_repeated_failures_are_throttled(client: FlaskClient, admin: tuple[str, str],
                                         runtime: Runtime) -> None:
    for _ in range(runtime.settings.login_max_failures):
        assert _login(client, admin[0], "not the password").status_code == 401
    response = _login(client, *admin)  # even the right password waits now
    assert response.status_code == 429
    assert "Too many failed sign-in attempts. Wait 15 minutes" in response.get_data(as_text=True)
    assert _audit(runtime, "login.throttled")


def test_forged_next_to_another_host_is_refused_with_a_message(
        client: FlaskClient, admin: tuple[str, str]) -> None:
    for forged in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        page = client.get(f"/login?next={forged}").get_data(as_text=True)
        assert "pointed to another site" in page
        response = _login(client, *admin, next=forged)
        assert response.headers["Location"] == "/"
        client.post("/logout", data={"csrf_token": _csrf_from_layout(client)}, headers=ORIGIN)
    response = _login(client, *admin, next="/engine")
    assert response.headers["Location"] == "/engine"


def test_login_without_csrf_token_is_refused(client: FlaskClient, admin: tuple[str, str]) -> None:
    response = client.post("/login", data={"email": admin[0], "password": admin[1]})
    assert response.status_code == 400
    assert "Your sign-in form expired" in response.get_data(as_text=True)


def test_cross_origin_callback_post_is_refused(client: FlaskClient,
                                               admin: tuple[str, str]) -> None:
    _login(client, *admin)
    response = client.post("/_dash-update-component", json={},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert json_body(response)["error"]["code"] == "cross_origin"


def test_password_hash_is_upgraded_when_parameters_rise(
        client: FlaskClient, admin: tuple[str, str], runtime: Runtime) -> None:
    from data.metadata.models import User
    from services.core.passwords import Passwords

    with runtime.db.session() as session:
        old = session.scalars(select(User)).one().password_hash
    runtime.passwords = Passwords(time_cost=2, memory_kib=8192, parallelism=1)
    assert _login(client, *admin).status_code == 302
    with runtime.db.session() as session:
        new = session.scalars(select(User)).one().password_hash
    assert old != new and new is not None and new.startswith("$argon2id$") and "t=2" in new


SHELL_MARKER = 'id="react-entry-point"'  # the Dash app shell's mount point


@pytest.mark.parametrize("path", [
    "/invite/..%2f_dash-layout", "/invite/..%2F_dash-layout", "/invite/%2e%2e%2f_dash-layout",
    "/invite/..%2f..%2f_dash-layout", "/invite/x/..%2f..%2fclusters", "/invite/%2e%2e/",
    "/login/..%2f_dash-layout", "/login%2f..%2f_dash-layout", "/loginx", "/login/",
    "/healthz/..%2f_dash-layout", "/healthz/", "/healthzz", "//invite/x", "//login",
    "/invite//..%2f_dash-layout", "/favicon.ico", "/_favicon.ico/..%2f_dash-layout",
    "/assets/..%2f_dash-layout", "/assets/..%2f..%2fapp.py", "/assets/vendor/..%2f..%2fapp.py",
    "/_dash-component-suites/..%2f_dash-layout", "/_dash-component-suites/dash/..%2f..%2fx",
    "/api/v2/clusters", "/static/..%2f_dash-layout",
])
def test_public_paths_are_decided_on_the_routed_endpoint(client: FlaskClient,
                                                         path: str) -> None:
    """Issue 14 (10): ``/invite/..%2f_dash-layout`` served the app shell to anonymous users:
    the guard matched the decoded path's prefix "/invite/" while Flask routed it to Dash's
    catch-all page."""
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code in (302, 401, 404), (path, response.status_code, text[:200])
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login"), path
    assert SHELL_MARKER not in text and "_dash-config" not in text, path


def test_public_routes_still_open_to_anyone(client: FlaskClient) -> None:
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/_favicon.ico").status_code == 200
    assert client.get("/assets/vendor/bootstrap.min.css").status_code == 200
    assert client.get("/_dash-component-suites/dash/deps/polyfill@7.12.1.min.js"
                      ).status_code == 200
    missing = client.get("/invite/inv_unknown")
    assert missing.status_code == 404 and "invitation" in missing.get_data(as_text=True).lower()
    assert client.get("/login/sso").status_code in (302, 404)


def test_every_public_endpoint_is_a_route_of_the_app(server: Flask) -> None:
    from auth.web import PUBLIC_ENDPOINTS

    assert PUBLIC_ENDPOINTS <= {rule.endpoint for rule in server.url_map.iter_rules()}


def _login_from(client: FlaskClient, email: str, password: str, *, remote: str,
                forwarded: str | None = None) -> Any:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    page = client.get("/login", environ_base={"REMOTE_ADDR": remote}, headers=headers)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True))
    assert found
    return client.post("/login", data={"email": email, "password": password,
                                       "csrf_token": found.group(1)},
                       environ_base={"REMOTE_ADDR": remote}, headers=headers)


def test_lock_out_from_one_address_does_not_stop_the_owner_at_another(
        server: Flask, admin: tuple[str, str], runtime: Runtime) -> None:
    """Was: 5 wrong passwords from address A locked the account out from every address."""
    attacker, owner = server.test_client(), server.test_client()
    for _ in range(5):
        assert _login_from(attacker, admin[0], "guess guess", remote="198.51.100.9"
                           ).status_code == 401
    assert _login_from(attacker, *admin, remote="198.51.100.9").status_code == 429
    assert _login_from(owner, *admin, remote="192.0.2.10").status_code == 302
    assert owner.get("/_dash-layout").status_code == 200


def _proxied_app(runtime: Runtime, value: str) -> Flask:
    from app import create_app
    from lyceum.settings import parse_trusted_proxies

    runtime.settings = runtime.settings.with_overrides(
        trusted_proxies=parse_trusted_proxies(value))
    return create_app(runtime.settings, runtime=runtime)


@pytest.mark.parametrize("setting", ["1", "10.0.0.0/8"])
def test_a_trusted_proxy_names_the_client(runtime: Runtime, admin: tuple[str, str],
                                          setting: str) -> None:
    """Was: behind a reverse proxy every user shared the proxy's address (and its lock-out)."""
    client = _proxied_app(runtime, setting).test_client()
    for _ in range(5):
        _login_from(client, admin[0], "guess guess", remote="10.0.0.2",
                    forwarded="198.51.100.20")
    assert _login_from(client, *admin, remote="10.0.0.2",
                       forwarded="198.51.100.20").status_code == 429
    assert _login_from(client, *admin, remote="10.0.0.2",
                       forwarded="192.0.2.30").status_code == 302
    assert _audit(runtime, "login.failure")[-1].ip == "198.51.100.20"
    assert _audit(runtime, "login.success")[-1].ip == "192.0.2.30"


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(
        server: Flask, runtime: Runtime, admin: tuple[str, str]) -> None:
    client = server.test_client()
    for n in range(5):  # a forged header per attempt must not dodge the throttle
        _login_from(client, admin[0], "guess guess", remote="10.0.0.2",
                    forwarded=f"198.51.100.{n}")
    assert _login_from(client, *admin, remote="10.0.0.2",
                       forwarded="192.0.2.99").status_code == 429
    assert {e.ip for e in _audit(runtime, "login.failure")} == {"10.0.0.2"}


def test_a_listed_proxy_is_trusted_only_when_it_is_the_peer(
        runtime: Runtime, admin: tuple[str, str]) -> None:
    client = _proxied_app(runtime, "10.0.0.5").test_client()
    _login_from(client, admin[0], "guess guess", remote="192.0.2.77",
                forwarded="198.51.100.1")  # not from the proxy: header ignored
    _login_from(client, admin[0], "guess guess", remote="10.0.0.5",
                forwarded="198.51.100.2, 10.0.0.5")  # walks past the trusted proxy
    assert [e.ip for e in _audit(runtime, "login.failure")] == ["192.0.2.77", "198.51.100.2"]
