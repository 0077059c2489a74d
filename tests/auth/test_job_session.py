"""A background job re-authenticates its requester from the session cookie alone: other
cookies, odd values and a forged or missing session make the job anonymous."""

from __future__ import annotations

import pytest
from flask import Flask, request
from flask_login import current_user

from auth.job_session import JOB_PATH, as_requester, session_cookie
from tests.access_world import sign_in


def test_only_a_well_formed_session_cookie_is_kept(server: Flask) -> None:
    name = str(server.config.get("SESSION_COOKIE_NAME") or "session")
    assert session_cookie(server, {name: "abc.DEF-12_", "other": "x"}) == {name: "abc.DEF-12_"}
    for odd in ("a; other=1", "a b", "", "x" * 5000, 7):
        assert session_cookie(server, {name: odd}) == {}
    assert session_cookie(server, {"other": "abc"}) == {}


@pytest.mark.parametrize("cookie", ["forged.value", None])
def test_a_forged_or_missing_session_is_anonymous(server: Flask, cookie: str | None) -> None:
    name = str(server.config.get("SESSION_COOKIE_NAME") or "session")
    with as_requester(server, cookies={name: cookie} if cookie else {}, remote="10.0.0.1"):
        assert request.path == JOB_PATH and request.remote_addr == "10.0.0.1"
        assert not current_user.is_authenticated


def test_the_signed_in_requester_is_the_jobs_user(server: Flask, admin: tuple[str, str]
                                                  ) -> None:
    client = sign_in(server.test_client(), "root")
    name = str(server.config.get("SESSION_COOKIE_NAME") or "session")
    cookie = client.get_cookie(name)
    assert cookie is not None
    with as_requester(server, cookies={name: cookie.value}, remote="x" * 100):
        assert current_user.is_authenticated and current_user.email == admin[0]
        assert request.remote_addr == "x" * 64
