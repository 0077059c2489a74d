"""Single sign-on against authlib's own authorization server (in-process, on loopback)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from data.metadata.models import AuditEntry, User
from services.access.accounts import create_user
from services.core.runtime import Runtime
from tests.idp import IdentityProvider, start_provider, stop_provider

CALLBACK = "http://localhost/login/sso/callback"


@pytest.fixture
def idp() -> Iterator[IdentityProvider]:
    provider = start_provider(redirect_uri=CALLBACK)
    yield provider
    stop_provider(provider)


@pytest.fixture
def sso_server(runtime: Runtime, idp: IdentityProvider) -> Flask:
    from app import create_app

    runtime.settings = runtime.settings.with_overrides(
        oidc_issuer=idp.issuer, oidc_client_id=idp.client.client_id,
        oidc_client_secret=idp.client.client_secret)
    return create_app(runtime.settings, runtime=runtime)


def _sso(client: FlaskClient, idp: IdentityProvider, *, tamper_state: bool = False) -> str:
    """Run the whole code flow; returns where the app finally sends the browser."""
    start = client.get("/login/sso")
    assert start.status_code == 302 and start.headers["Location"].startswith(idp.issuer)
    at_idp = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert at_idp.status_code == 302, at_idp.text
    back = urlsplit(at_idp.headers["Location"])
    query = back.query.replace("state=", "state=x") if tamper_state else back.query
    done = client.get(f"{back.path}?{query}")
    assert done.status_code == 302
    return str(done.headers["Location"])


def _users(runtime: Runtime) -> list[User]:
    with runtime.db.session() as session:
        return list(session.scalars(select(User).order_by(User.id)))


def test_no_sso_button_when_not_configured(server: Flask) -> None:
    assert "Sign in with SSO" not in server.test_client().get("/login").get_data(as_text=True)
    assert server.test_client().get("/login/sso").headers["Location"] == "/login"


def test_sso_button_when_configured(sso_server: Flask) -> None:
    assert "Sign in with SSO" in sso_server.test_client().get("/login").get_data(as_text=True)


def test_first_sign_in_creates_the_account_and_later_ones_reuse_it(
        sso_server: Flask, idp: IdentityProvider, runtime: Runtime) -> None:
    idp.user = {"sub": "worker-42", "email": "Worker@Plant.example", "name": "Worker"}
    client = sso_server.test_client()
    assert _sso(client, idp) == "/"
    assert client.get("/_dash-layout").status_code == 200
    (user,) = _users(runtime)
    assert (user.oidc_issuer, user.oidc_subject, user.email, user.password_hash) == (
        idp.issuer, "worker-42", "worker@plant.example", None)
    idp.user = {"sub": "worker-42", "email": "renamed@plant.example"}
    assert _sso(sso_server.test_client(), idp) == "/"
    assert [u.id for u in _users(runtime)] == [user.id]


def test_same_email_is_never_merged(sso_server: Flask, idp: IdentityProvider,
                                    runtime: Runtime) -> None:
    create_user(runtime.db, runtime.passwords, email="boss@plant.example",
                password="correct horse battery", is_admin=True)
    idp.user = {"sub": "attacker", "email": "boss@plant.example"}
    client = sso_server.test_client()
    target = _sso(client, idp)
    assert target == "/login?sso_error=email_taken"
    page = client.get(target).get_data(as_text=True)
    assert "already exists and is not linked to single sign-on" in page
    assert client.get("/_dash-layout").status_code == 401
    (boss,) = _users(runtime)
    assert boss.oidc_subject is None
    with runtime.db.session() as session:
        assert session.scalars(select(AuditEntry).where(
            AuditEntry.action == "login.sso_refused")).one().outcome == "denied"


def test_a_tampered_state_is_refused(sso_server: Flask, idp: IdentityProvider,
                                     runtime: Runtime) -> None:
    idp.user = {"sub": "someone", "email": "someone@plant.example"}
    client = sso_server.test_client()
    assert _sso(client, idp, tamper_state=True) == "/login?sso_error=failed"
    assert "Single sign-on did not complete" in client.get(
        "/login?sso_error=failed").get_data(as_text=True)
    assert _users(runtime) == []
