"""Accounts: atomic sign-in throttling per (account, address) and per address with backoff,
password changes, and all-or-nothing account creation."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import select, update

from data.metadata.models import AuditEntry, User, UserSession
from data.metadata.models_accounts import LoginThrottle
from lyceum.errors import AppError, NotFound, ValidationError
from services.access import accounts, team
from services.access.accounts import SignInError, SignInThrottled
from services.core.runtime import Runtime
from tests.access_world import PASSWORD, World, build_world
from tests.services.access.test_invitations import _CountingPasswords

VICTIM = "viewer@example.com"


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _try(runtime: Runtime, password: str, *, ip: str, email: str = VICTIM) -> str:
    try:
        accounts.authenticate(runtime.db, runtime.passwords, keys=runtime.keys,
                              email=email, password=password,
                              ip=ip)
    except SignInThrottled:
        return "throttled"
    except SignInError:
        return "wrong"
    return "ok"


def _audit(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_parallel_wrong_guesses_run_at_most_the_limit_of_checks(runtime: Runtime,
                                                                world: World) -> None:
    """Was: 24 parallel wrong passwords ran 12 checks instead of 5."""
    counting = _CountingPasswords(runtime.passwords)
    runtime.passwords = counting  # type: ignore[assignment]
    start = threading.Barrier(24)
    results: list[str] = []

    def guess(n: int) -> None:
        start.wait()
        results.append(_try(runtime, f"wrong guess {n:02d}", ip="203.0.113.7"))

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counting.verified == 5
    assert sorted(results) == ["throttled"] * 19 + ["wrong"] * 5
    assert len(_audit(runtime, "login.failure")) == 5
    assert len(_audit(runtime, "login.throttled")) == 19


def test_an_attacker_elsewhere_cannot_lock_the_owner_out(runtime: Runtime,
                                                        world: World) -> None:
    """Was: 5 wrong passwords from one address locked the account from every address."""
    for n in range(5):
        assert _try(runtime, f"attacker guess {n}", ip="198.51.100.1") == "wrong"
    assert _try(runtime, PASSWORD, ip="198.51.100.1") == "throttled"
    assert _try(runtime, PASSWORD, ip="192.0.2.50") == "ok"
    entry = _audit(runtime, "login.throttled")[-1]
    assert (entry.ip, entry.actor, entry.detail["scope"]) == (
        "198.51.100.1", VICTIM, "account at address")


def test_one_address_guessing_many_accounts_is_throttled_as_a_whole(
        runtime: Runtime, world: World) -> None:
    for n in range(20):  # 4 accounts x 5 guesses: each pair at its limit, the address too
        email = f"{('admin', 'editor', 'analyst', 'outsider')[n % 4]}@example.com"
        assert _try(runtime, f"spray {n}", ip="198.51.100.2", email=email) == "wrong"
    assert _try(runtime, "spray again", ip="198.51.100.2", email="root@example.com") \
        == "throttled"
    assert _audit(runtime, "login.throttled")[-1].detail["scope"] == "address"
    assert _try(runtime, PASSWORD, ip="192.0.2.51", email="root@example.com") == "ok"


def test_a_window_that_ends_full_doubles_the_next_one(runtime: Runtime, world: World) -> None:
    key = f"acct:{VICTIM}|198.51.100.3"
    for n in range(5):
        _try(runtime, f"guess {n}", ip="198.51.100.3")

    def expire() -> None:
        with runtime.db.session() as session:
            session.execute(update(LoginThrottle).values(window_end=time.time() - 1))

    def penalty() -> float:
        with runtime.db.session() as session:
            return float(session.get(LoginThrottle, key).penalty)  # type: ignore[union-attr]

    assert penalty() == 900
    expire()
    assert _try(runtime, "after the wait", ip="198.51.100.3") == "wrong"
    assert penalty() == 1800
    for n in range(4):
        _try(runtime, f"more {n}", ip="198.51.100.3")
    expire()
    _try(runtime, "and again", ip="198.51.100.3")
    assert penalty() == 3600
    expire()
    with runtime.db.session() as session:  # a quiet window: back to the base length
        session.execute(update(LoginThrottle).values(failures=1, window_end=time.time() - 1))
    _try(runtime, "quiet", ip="198.51.100.3")
    assert penalty() == 900


def test_a_correct_password_clears_its_pair_and_refunds_the_address(
        runtime: Runtime, world: World) -> None:
    for n in range(4):
        _try(runtime, f"typo {n}", ip="192.0.2.60")
    assert _try(runtime, PASSWORD, ip="192.0.2.60") == "ok"
    with runtime.db.session() as session:
        assert session.get(LoginThrottle, f"acct:{VICTIM}|192.0.2.60") is None
        assert session.get(LoginThrottle, "addr:192.0.2.60").failures == 4  # type: ignore


# --- password change ---------------------------------------------------------------------

def _sessions(runtime: Runtime, user_id: int) -> list[UserSession]:
    with runtime.db.session() as session:
        return list(session.scalars(select(UserSession).where(UserSession.user_id == user_id)))


def _hash(runtime: Runtime, user_id: int) -> str | None:
    with runtime.db.session() as session:
        return session.get(User, user_id).password_hash  # type: ignore[union-attr]


def test_change_password_ends_other_sessions_and_is_audited(runtime: Runtime,
                                                            world: World) -> None:
    mine = accounts.authenticate(runtime.db, runtime.passwords, keys=runtime.keys, email=VICTIM,
                                 password=PASSWORD, ip="192.0.2.1")
    accounts.authenticate(runtime.db, runtime.passwords, keys=runtime.keys,
                          email=VICTIM, password=PASSWORD,
                          ip="192.0.2.2")
    ended = accounts.change_password(runtime.db, runtime.passwords, keys=runtime.keys,
                                     user_id=mine.id,
                                     session_token=mine.session_token, current=PASSWORD,
                                     new="a brand new password", ip="192.0.2.1")
    assert ended == 1
    assert accounts.load_session(runtime.db, mine.session_token, keys=runtime.keys) is not None
    assert [s.revoked_at is None for s in _sessions(runtime, mine.id)] == [True, False]
    assert _try(runtime, "a brand new password", ip="192.0.2.3") == "ok"
    entry = _audit(runtime, "password.change")[-1]
    assert (entry.outcome, entry.detail) == ("success", {"other_sessions_ended": 1})


@pytest.mark.parametrize(("current", "new", "message"), [
    ("", "a brand new password", "Enter your current password and the new one."),
    (PASSWORD, "short", "Passwords are 12 to 1024 characters long."),
    (PASSWORD, PASSWORD, "The new password is the same as the current one."),
    ("not the password", "a brand new password", "The current password is incorrect."),
])
def test_bad_password_changes_are_refused_and_change_nothing(
        runtime: Runtime, world: World, current: str, new: str, message: str) -> None:
    user_id = world.users["viewer"]
    before = _hash(runtime, user_id)
    with pytest.raises(ValidationError) as caught:
        accounts.change_password(runtime.db, runtime.passwords, keys=runtime.keys, user_id=user_id,
                                 session_token="", current=current, new=new, ip="192.0.2.9")
    assert caught.value.user_message == message
    assert _hash(runtime, user_id) == before


def test_an_sso_only_account_has_no_password_to_change(runtime: Runtime, world: World) -> None:
    user_id = world.users["viewer"]
    with runtime.db.session() as session:
        session.execute(update(User).where(User.id == user_id).values(password_hash=None))
    with pytest.raises(ValidationError, match="signs in with single sign-on"):
        accounts.change_password(runtime.db, runtime.passwords, keys=runtime.keys, user_id=user_id,
                                 session_token="", current=PASSWORD,
                                 new="a brand new password", ip="192.0.2.9")
    assert _hash(runtime, user_id) is None


def test_password_change_guesses_are_throttled_like_sign_in(runtime: Runtime,
                                                           world: World) -> None:
    user_id = world.users["viewer"]
    for n in range(5):
        with pytest.raises(ValidationError, match="current password is incorrect"):
            accounts.change_password(runtime.db, runtime.passwords, keys=runtime.keys,
                                     user_id=user_id,
                                     session_token="", current=f"guess {n:02d} xx",
                                     new="a brand new password", ip="192.0.2.10")
    with pytest.raises(SignInThrottled, match="Too many failed sign-in attempts"):
        accounts.change_password(runtime.db, runtime.passwords, keys=runtime.keys, user_id=user_id,
                                 session_token="", current=PASSWORD,
                                 new="a brand new password", ip="192.0.2.10")
    denied = [e for e in _audit(runtime, "password.change") if e.outcome == "denied"]
    assert len(denied) == 5
    assert _audit(runtime, "login.throttled")[-1].detail["attempt"] == "password change"


# --- all-or-nothing account creation ------------------------------------------------------

def _users(runtime: Runtime) -> list[str]:
    with runtime.db.session() as session:
        return sorted(u.email for u in session.scalars(select(User)))


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"database": "no_such_db"}, NotFound, "No cluster uses the database 'no_such_db'."),
    ({"role": "root"}, ValidationError, "Roles are admin, editor, analyst, viewer."),
    ({"email": "not-an-email"}, ValidationError, "Enter a valid e-mail address."),
    ({"password": "short"}, ValidationError, "Passwords are 12 to 1024 characters long."),
    ({"email": "viewer@example.com"}, ValidationError,
     "An account with this e-mail address already exists."),
])
def test_create_member_account_refuses_without_leaving_anything(
        runtime: Runtime, world: World, kwargs: dict[str, Any], error: type[AppError],
        message: str) -> None:
    """Was: an unknown cluster left the account behind (its password never shown)."""
    with runtime.db.session() as session:
        from data.metadata.models import DatabaseCluster

        database = session.get(DatabaseCluster, world.a).database_name  # type: ignore
    before = _users(runtime)
    args: dict[str, Any] = {"email": "newcomer@example.com", "password": PASSWORD,
                            "database": database, "role": "viewer", **kwargs}
    with pytest.raises(error) as caught:
        accounts.create_member_account(runtime.db, runtime.passwords, **args)
    assert caught.value.user_message == message
    assert _users(runtime) == before
    user = accounts.create_member_account(runtime.db, runtime.passwords,
                                          **{**args, **{"email": "newcomer@example.com",
                                                        "password": PASSWORD,
                                                        "database": database,
                                                        "role": "viewer"}})
    roles = {m.user_id: m.role for m in team.list_members(runtime.db, cluster_id=world.a)}
    assert roles[user.id] == "viewer"


def test_ipv6_addresses_are_throttled_by_their_64(runtime: Runtime, world: World) -> None:
    assert accounts.address_group("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert accounts.address_group("::ffff:192.0.2.1") == "192.0.2.1"
    assert accounts.address_group("192.0.2.1") == "192.0.2.1"
    assert accounts.address_group("") == ""
    for n in range(20):  # one host rotating through its /64 and across accounts
        email = f"{('admin', 'editor', 'analyst', 'outsider')[n % 4]}@example.com"
        assert _try(runtime, f"spray {n}", ip=f"2001:db8:1:2::{n + 1:x}", email=email) == "wrong"
    assert _try(runtime, PASSWORD, ip="2001:db8:1:2::ff", email="root@example.com") \
        == "throttled"
    assert _try(runtime, PASSWORD, ip="2001:db8:1:3::1", email="root@example.com") == "ok"
