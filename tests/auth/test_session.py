"""The browser session helpers shared by login, invitation, account and single sign-on."""

from __future__ import annotations

from flask import Flask, session
from flask_login import current_user

from auth import session as auth_session
from services.access.accounts import SessionUser
from services.core.runtime import Runtime

USER = SessionUser(id=7, email="ana@example.com", display_name="Ana", is_admin=False,
                   session_token="server-side-token")


def test_start_signed_in_rotates_the_cookie_session(server: Flask) -> None:
    with server.test_request_context("/login", method="POST", environ_base={
            "REMOTE_ADDR": "10.0.0.9"}):
        session["csrf"] = "old-form-token"
        session["planted"] = "value from before sign-in"
        auth_session.start_signed_in(USER)
        assert "planted" not in session
        assert session["csrf"] not in ("", "old-form-token")
        assert current_user.id == 7 and current_user.get_id() == "server-side-token"
        actor = auth_session.current_actor()
        assert (actor.user_id, actor.label, actor.ip) == (7, "ana@example.com", "10.0.0.9")


def test_csrf_token_is_stable_and_checked(server: Flask) -> None:
    with server.test_request_context("/account/password", method="POST",
                                     data={"csrf_token": "forged"}):
        token = auth_session.csrf_token()
        assert auth_session.csrf_token() == token
        assert not auth_session.csrf_ok()
    with server.test_request_context("/account/password", method="POST",
                                     data={"csrf_token": "abc"}):
        session["csrf"] = "abc"
        assert auth_session.csrf_ok()
    with server.test_request_context("/account/password", method="POST", data={}):
        assert not auth_session.csrf_ok()


def test_anonymous_actor(server: Flask) -> None:
    with server.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        actor = auth_session.current_actor()
        assert (actor.user_id, actor.label, actor.ip) == (None, "anonymous", "192.0.2.1")


def test_app_runtime_is_the_runtime_the_app_was_made_with(server: Flask,
                                                          runtime: Runtime) -> None:
    with server.test_request_context("/"):
        assert auth_session.app_runtime() is runtime
        assert server.extensions[auth_session.EXTENSION] is runtime


def test_outside_a_request_the_client_address_is_empty() -> None:
    assert auth_session.client_ip() == ""
