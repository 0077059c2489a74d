"""The two helpers every callback module uses: the app's runtime and the signed-in user."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_login import login_user, logout_user

from auth.session import AuthUser
from callbacks import common
from callbacks.common import signed_in_user
from lyceum.errors import NotAuthenticated
from services.access.accounts import SessionUser
from services.core.runtime import Runtime


def test_runtime_is_the_one_the_app_was_made_with(server: Flask, runtime: Runtime) -> None:
    with server.test_request_context("/"):
        assert common.runtime() is runtime


def test_without_a_signed_in_user_the_message_asks_to_sign_in(server: Flask) -> None:
    with server.test_request_context("/"), pytest.raises(NotAuthenticated) as refused:
        signed_in_user()
    assert refused.value.user_message == "Sign in to continue."


def test_the_signed_in_user_is_returned_until_they_sign_out(
        server: Flask, admin: tuple[str, str]) -> None:
    user = AuthUser(SessionUser(1, admin[0], admin[0], True, "t"))
    with server.test_request_context("/"):
        login_user(user)
        assert signed_in_user().email == admin[0]
        logout_user()
        with pytest.raises(NotAuthenticated) as refused:
            signed_in_user()
    assert refused.value.user_message == "Sign in to continue."
