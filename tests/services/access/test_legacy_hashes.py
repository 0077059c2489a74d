"""Tokens, sessions, invitations and cluster credentials are stored as keyed hashes; rows of
before (plain SHA-256, argon2) keep working, and token rows are re-hashed on their next use."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from data.metadata import memberships
from data.metadata.models import ClusterAccessToken, UserSession, utcnow
from data.metadata.models_team import TeamInvitation
from lyceum.errors import NotAuthenticated
from services.access import accounts, invitations, sso, tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.gateway import sql
from tests.access_world import PASSWORD, World, build_world

ACTOR = Actor(label="test")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _sha256(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def test_new_api_tokens_are_keyed_and_old_ones_work_once_rehashed(
        runtime: Runtime, world: World) -> None:
    row, raw = tokens.create_token(runtime, user_id=world.users["admin"], cluster_id=world.a,
                                   name="new", role="viewer", expires_in_days=None, actor=ACTOR)
    assert row.token_hash == runtime.keys.digest(raw) != _sha256(raw)
    old = tokens.PREFIX + secrets.token_urlsafe(32)
    with runtime.db.session() as session:
        session.add(ClusterAccessToken(cluster_id=world.a, user_id=world.users["admin"],
                                       name="old", prefix=old[:12], token_hash=_sha256(old),
                                       role="viewer", created_at=utcnow()))
    principal = tokens.verify_token(runtime, old)
    assert principal is not None and principal.cluster_id == world.a
    with runtime.db.session() as session:
        stored = session.scalar(select(ClusterAccessToken.token_hash)
                                .where(ClusterAccessToken.name == "old"))
    assert stored == runtime.keys.digest(old)
    assert tokens.verify_token(runtime, old) is not None
    assert tokens.verify_token(runtime, old[:-1] + ("A" if old[-1] != "A" else "B")) is None


def test_sessions_are_keyed_and_old_ones_still_sign_in(runtime: Runtime, world: World) -> None:
    user = accounts.authenticate(runtime.db, runtime.passwords, keys=runtime.keys,
                                 email="viewer@example.com", password=PASSWORD, ip="10.0.0.1")
    with runtime.db.session() as session:
        hashes = set(session.scalars(select(UserSession.token_hash)))
    assert hashes == {runtime.keys.digest(user.session_token)}
    old = secrets.token_urlsafe(32)
    with runtime.db.session() as session:
        session.add(UserSession(user_id=world.users["viewer"], token_hash=_sha256(old),
                                expires_at=utcnow() + timedelta(hours=1), ip="", user_agent=""))
    found = accounts.load_session(runtime.db, old, keys=runtime.keys)
    assert found is not None and found.email == "viewer@example.com"
    with runtime.db.session() as session:
        assert runtime.keys.digest(old) in set(session.scalars(select(UserSession.token_hash)))
    accounts.end_session(runtime.db, old, keys=runtime.keys, actor=ACTOR)
    assert accounts.load_session(runtime.db, old, keys=runtime.keys) is None
    assert accounts.load_session(runtime.db, user.session_token, keys=runtime.keys) is not None


def test_single_sign_on_sessions_are_keyed(runtime: Runtime) -> None:
    user = sso.sign_in(runtime.db, keys=runtime.keys, issuer="https://idp.test",
                       subject="s-1", email="sso@example.com", name="Sso", ip="10.0.0.2")
    with runtime.db.session() as session:
        hashes = set(session.scalars(select(UserSession.token_hash)))
    assert hashes == {runtime.keys.digest(user.session_token)}
    assert accounts.load_session(runtime.db, user.session_token, keys=runtime.keys) is not None


def test_old_invitation_links_still_open_and_are_rehashed(runtime: Runtime,
                                                          world: World) -> None:
    new = invitations.create_invitation(runtime, cluster_id=world.a, email="n@example.com",
                                        role="viewer", actor=ACTOR, link_base="http://x/")
    with runtime.db.session() as session:
        row = session.scalars(select(TeamInvitation)).one()
        assert row.token_hash == runtime.keys.digest(new.token) != _sha256(new.token)
        row.token_hash = _sha256(new.token)  # as a link of before the token key was stored
    assert invitations.preview(runtime, new.token).email == "n@example.com"
    with runtime.db.session() as session:
        assert session.scalars(select(TeamInvitation)).one().token_hash == \
            runtime.keys.digest(new.token)


def _set_credential(runtime: Runtime, cluster_id: int, stored: str) -> None:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        cluster.credential_user, cluster.credential_hash = "acc_app", stored
        cluster.credential_mode = "app_gateway"


def test_the_gateway_checks_keyed_credentials_without_argon2(
        runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = secrets.token_urlsafe(32)
    _set_credential(runtime, world.a, runtime.passwords.hash(secret))  # argon2, as before
    assert sql.authenticate(runtime, cluster_id=world.a, username="acc_app",
                                secret=secret).cluster_id == world.a
    _set_credential(runtime, world.a, runtime.keys.hash_credential(secret))

    def no_argon2(*_: object) -> bool:
        raise AssertionError("argon2 ran for a keyed credential")

    monkeypatch.setattr(runtime.passwords, "verify", no_argon2)
    assert sql.authenticate(runtime, cluster_id=world.a, username="acc_app",
                                secret=secret).cluster_id == world.a
    for user, wrong in (("acc_app", secret + "x"), ("acc_app", ""), ("other", secret)):
        with pytest.raises(NotAuthenticated):
            sql.authenticate(runtime, cluster_id=world.a, username=user, secret=wrong)
    with pytest.raises(NotAuthenticated):
        sql.authenticate(runtime, cluster_id=world.b, username="acc_app", secret=secret)
