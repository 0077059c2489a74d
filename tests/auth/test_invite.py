"""The invitation page over HTTP: never a password form for an existing account, no hint of
whether an account exists, the signed-in invitee accepts, new accounts set a password."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from data.metadata.models_team import TeamInvitation
from services.access import invitations, team
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import PASSWORD, World, build_world, sign_in
from tests.services.access.test_invitations import _CountingPasswords


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


@pytest.fixture
def client(server: Flask) -> FlaskClient:
    return server.test_client()


def _invite(runtime: Runtime, world: World, email: str, role: str = "viewer") -> str:
    return invitations.create_invitation(runtime, cluster_id=world.a, email=email, role=role,
                                         actor=Actor(label="test"), link_base="http://x/").token


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _post(client: FlaskClient, token: str, **form: str) -> Any:
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    return client.post(f"/invite/{token}", data={"csrf_token": _csrf(page), **form})


def _members(runtime: Runtime, world: World) -> set[str]:
    return {m.email for m in team.list_members(runtime.db, cluster_id=world.a)}


def test_page_reads_the_same_whether_or_not_the_account_exists(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    """Was: "An account with this e-mail address exists: enter its password to join"."""
    pages = []
    for email in ("root@example.com", "nobody.yet@example.com"):
        token = _invite(runtime, world, email)
        page = client.get(f"/invite/{token}").get_data(as_text=True)
        pages.append(page.replace(email, "EMAIL").replace(token, "TOKEN"))
    assert pages[0] == pages[1]
    assert "exists" not in pages[0] and "Sign in to accept" in pages[0]
    assert 'href="/login?next=/invite/TOKEN"' in pages[0]


def test_guessing_passwords_on_an_existing_account_checks_none_and_signs_in_no_one(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    """Was: 40 wrong guesses unthrottled and unaudited, guess 41 signed in as global admin."""
    token = _invite(runtime, world, "root@example.com", "admin")
    counting = _CountingPasswords(runtime.passwords)
    runtime.passwords = counting  # type: ignore[assignment]
    for guess in [f"guess number {n:02d}" for n in range(40)] + [PASSWORD]:
        response = _post(client, token, password=guess, password_again=guess)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/login?next=/invite/{token}"
    assert counting.verified == 0
    assert client.get("/_dash-layout").status_code == 401  # nobody is signed in
    with runtime.db.session() as session:
        assert session.scalars(select(TeamInvitation)).one().used_at is None
    page = client.get(f"/login?next=/invite/{token}").get_data(as_text=True)
    assert "Sign in with the invited e-mail address" in page


def test_the_invitee_signs_in_then_accepts_without_a_password(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    token = _invite(runtime, world, "outsider@example.com", "editor")
    login = client.get(f"/login?next=/invite/{token}").get_data(as_text=True)
    response = client.post("/login", data={"email": "outsider@example.com",
                                           "password": PASSWORD, "csrf_token": _csrf(login),
                                           "next": f"/invite/{token}"})
    assert response.headers["Location"] == f"/invite/{token}"
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "You are signed in as <strong>outsider@example.com</strong>" in page
    assert 'name="password"' not in page
    response = client.post(f"/invite/{token}", data={"csrf_token": _csrf(page)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "outsider@example.com" in _members(runtime, world)
    assert "already used" in client.get(f"/invite/{token}").get_data(as_text=True)


def test_signed_in_as_someone_else_is_refused_and_changes_nothing(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    token = _invite(runtime, world, "new.person@example.com", "admin")
    sign_in(client, "outsider")
    page = client.get(f"/invite/{token}").get_data(as_text=True)
    assert "This invitation is for" in page and 'name="password"' not in page
    response = client.post(f"/invite/{token}", data={"csrf_token": _csrf(page)})
    assert response.status_code == 403
    assert "for another e-mail address" in response.get_data(as_text=True)
    assert "outsider@example.com" not in _members(runtime, world)


def test_a_new_address_sets_a_password_and_is_signed_in(
        client: FlaskClient, runtime: Runtime, world: World) -> None:
    token = _invite(runtime, world, "fresh@example.com", "analyst")
    response = _post(client, token, password="short", password_again="short")
    assert response.status_code == 400 and "12 to" in response.get_data(as_text=True)
    response = _post(client, token, password="fresh password 1", password_again="other one!!!")
    assert response.status_code == 400
    assert "The two passwords differ." in response.get_data(as_text=True)
    assert "fresh@example.com" not in _members(runtime, world)
    response = _post(client, token, password="fresh password 1",
                     password_again="fresh password 1")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/_dash-layout").status_code == 200
    assert "fresh@example.com" in _members(runtime, world)
