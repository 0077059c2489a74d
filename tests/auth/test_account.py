"""The account page (change one's password) and the public reset-link page over HTTP."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.access import password_resets
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, PASSWORD, World, build_world, sign_in

NEW = "a fresh password 3"


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


def _change(client: FlaskClient, current: str, new: str, again: str | None = None) -> Any:
    page = client.get("/account").get_data(as_text=True)
    return client.post("/account/password", headers=ORIGIN, data={
        "csrf_token": _csrf(page), "current_password": current, "new_password": new,
        "new_password_again": new if again is None else again})


def test_account_page_needs_a_session(server: Flask) -> None:
    client = server.test_client()
    assert client.get("/account").headers["Location"] == "/login?next=/account"
    assert client.post("/account/password", headers=ORIGIN).status_code == 401


def test_changing_the_password_signs_out_other_devices_only(
        server: Flask, runtime: Runtime, world: World) -> None:
    here, there = sign_in(server.test_client(), "viewer"), sign_in(server.test_client(), "viewer")
    page = here.get("/account").get_data(as_text=True)
    assert "Signed in as" in page and "viewer@example.com" in page
    response = _change(here, PASSWORD, NEW)
    assert response.headers["Location"] == "/account?changed=1"
    assert "Your other devices were signed out." in here.get(
        "/account?changed=1").get_data(as_text=True)
    assert here.get("/_dash-layout").status_code == 200
    assert there.get("/_dash-layout").status_code == 401


@pytest.mark.parametrize(("current", "new", "again", "message", "status"), [
    ("wrong password!", NEW, None, "The current password is incorrect.", 400),
    (PASSWORD, NEW, "something else", "The two new passwords differ.", 400),
    (PASSWORD, "short", None, "Passwords are 12 to 1024 characters long.", 400),
])
def test_bad_changes_show_a_message_and_change_nothing(
        server: Flask, runtime: Runtime, world: World, current: str, new: str,
        again: str | None, message: str, status: int) -> None:
    client = sign_in(server.test_client(), "viewer")
    response = _change(client, current, new, again)
    assert response.status_code == status and message in response.get_data(as_text=True)
    sign_in(server.test_client(), "viewer")  # the old password still works


def test_cross_site_password_change_is_refused(server: Flask, world: World) -> None:
    client = sign_in(server.test_client(), "viewer")
    page = client.get("/account").get_data(as_text=True)
    response = client.post("/account/password", headers={"Origin": "https://evil.example"},
                           data={"csrf_token": _csrf(page), "current_password": PASSWORD,
                                 "new_password": NEW, "new_password_again": NEW})
    assert response.status_code == 403
    sign_in(server.test_client(), "viewer")


def test_reset_link_page_sets_the_password_once(server: Flask, runtime: Runtime,
                                                world: World) -> None:
    signed_in = sign_in(server.test_client(), "analyst")
    token = password_resets.create_reset(runtime, user_id=world.users["analyst"],
                                         actor=Actor(label="root"), link_base="http://x").token
    client = server.test_client()
    page = client.get(f"/reset/{token}").get_data(as_text=True)
    assert "Choose a new password for" in page and "analyst@example.com" in page
    response = client.post(f"/reset/{token}", data={"csrf_token": _csrf(page),
                                                    "password": NEW, "password_again": "nope"})
    assert response.status_code == 400 and "The two passwords differ." in response.get_data(
        as_text=True)
    response = client.post(f"/reset/{token}", data={"csrf_token": _csrf(page),
                                                    "password": NEW, "password_again": NEW})
    assert response.headers["Location"] == "/login?reset=1"
    assert "Your password is set." in client.get("/login?reset=1").get_data(as_text=True)
    assert signed_in.get("/_dash-layout").status_code == 401  # every session ended
    again = client.get(f"/reset/{token}")
    assert again.status_code == 404 and "already used" in again.get_data(as_text=True)
    login = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"email": "analyst@example.com", "password": NEW,
                                           "csrf_token": _csrf(login)})
    assert response.status_code == 302


def test_only_a_single_token_segment_is_public(server: Flask) -> None:
    client = server.test_client()
    assert client.get("/reset/rst_unknown").status_code == 404
    for path in ("/reset/..%2f_dash-layout", "/reset/rst_x/../../_dash-layout", "/reset/"):
        response = client.get(path)
        assert response.status_code in (302, 401, 404)
        assert "_dash-config" not in response.get_data(as_text=True)
