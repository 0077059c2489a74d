"""Single sign-on accounts: created on the first sign-in, found again by (issuer, subject),
never merged with a password account by e-mail; every refusal opens no session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.metadata.models import User, UserSession
from services.access import sso
from services.access.accounts import (
    SessionUser,
    SignInError,
    create_user,
    deactivate_user,
    load_session,
)
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import audit_count

ISSUER = "https://idp.example.com"


def _sessions(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(UserSession)) or 0)


def _sign_in(runtime: Runtime, **over: str) -> SessionUser:
    fields = {"issuer": ISSUER, "subject": "sub-1", "email": " Ada@Example.COM ",
              "name": "Ada Lovelace", "ip": "10.0.0.1", **over}
    return sso.sign_in(runtime.db, keys=runtime.keys, **fields)


def test_the_first_sign_in_creates_the_account_and_a_session(runtime: Runtime) -> None:
    found = _sign_in(runtime)
    assert (found.email, found.display_name, found.is_admin) == (
        "ada@example.com", "Ada Lovelace", False)
    opened = load_session(runtime.db, found.session_token, keys=runtime.keys)
    assert opened is not None and opened.id == found.id
    with runtime.db.session() as session:
        user = session.get(User, found.id)
        assert user is not None and user.password_hash is None
        assert (user.oidc_issuer, user.oidc_subject) == (ISSUER, "sub-1")
        assert user.last_login_at is not None


def test_the_same_identity_signs_in_to_the_same_account(runtime: Runtime) -> None:
    first = _sign_in(runtime)
    again = _sign_in(runtime, email="new-address@example.com", name="Renamed")
    assert again.id == first.id and again.email == "ada@example.com"
    assert again.session_token != first.session_token and _sessions(runtime) == 2
    other = _sign_in(runtime, subject="sub-2", email="")
    assert other.id != first.id and other.email == f"sub-2@{ISSUER}"


def test_an_e_mail_of_another_account_is_refused_and_never_merged(runtime: Runtime) -> None:
    create_user(runtime.db, runtime.passwords, email="ada@example.com",
                password="long enough password")
    before = audit_count(runtime, outcome="denied")
    with pytest.raises(SignInError) as refused:
        _sign_in(runtime)
    assert str(refused.value) == (
        "An account with the e-mail address ada@example.com already exists and is not "
        "linked to this single sign-on identity. Sign in with your password, or ask an "
        "administrator.")
    assert _sessions(runtime) == 0 and audit_count(runtime, outcome="denied") == before + 1
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1


@pytest.mark.parametrize("over", [{"issuer": ""}, {"subject": ""}, {"subject": "s" * 256},
                                  {"issuer": "i" * 256}])
def test_an_unusable_identity_is_refused(runtime: Runtime, over: dict[str, str]) -> None:
    with pytest.raises(SignInError, match="^The identity provider sent no usable identity.$"):
        _sign_in(runtime, **over)
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0
    assert _sessions(runtime) == 0


def test_a_disabled_account_gets_no_session(runtime: Runtime) -> None:
    _sign_in(runtime)
    deactivate_user(runtime.db, email="ada@example.com", actor=Actor(label="root"))
    sessions = _sessions(runtime)
    with pytest.raises(SignInError, match="^This account is disabled.$"):
        _sign_in(runtime)
    assert _sessions(runtime) == sessions
