"""API tokens: made no higher than their owner, acting with the owner's current role, expiring,
revoked (one by one and with their owner), and listed without their secrets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from data.metadata import memberships
from data.metadata import team as team_data
from data.metadata.models import AuditEntry, utcnow
from lyceum.errors import Forbidden, NotFound, ValidationError
from services.access import tokens
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import World, build_world

ACTOR = Actor(label="test")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def audited(runtime: Runtime, action: str) -> int:
    with runtime.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry)
                                  .where(AuditEntry.action == action)) or 0)


@pytest.mark.parametrize(("token_role", "owner_role", "acts_as"), [
    ("admin", "admin", "admin"), ("viewer", "admin", "viewer"), ("admin", "viewer", "viewer"),
    ("editor", "analyst", "analyst"), ("editor", None, None), ("owner", "admin", None),
    ("viewer", "root", None),
])
def test_a_token_acts_with_the_lower_of_its_role_and_its_owners(
        token_role: str, owner_role: str | None, acts_as: str | None) -> None:
    assert tokens.effective_role(token_role, owner_role) == acts_as


def test_a_new_token_is_shown_once_stored_keyed_and_verifies(runtime: Runtime,
                                                             world: World) -> None:
    row, secret = tokens.create_token(runtime, user_id=world.users["editor"], cluster_id=world.a,
                                      name="  nightly export  ", role="analyst",
                                      expires_in_days=7, actor=ACTOR)
    assert secret.startswith(tokens.PREFIX) and row.prefix == secret[:12]
    assert row.name == "nightly export" and secret not in str(tokens.token_fields(row))
    assert "token_hash" not in tokens.token_fields(row)
    principal = tokens.verify_token(runtime, secret)
    assert principal is not None
    assert (principal.cluster_id, principal.role, principal.email) == (
        world.a, "analyst", "editor@example.com")
    assert audited(runtime, "token.create") == 1


def test_a_token_is_never_made_above_its_creator_or_for_another_cluster(
        runtime: Runtime, world: World) -> None:
    with pytest.raises(Forbidden):
        tokens.create_token(runtime, user_id=world.users["analyst"], cluster_id=world.a,
                            name="up", role="editor", expires_in_days=None, actor=ACTOR)
    with pytest.raises(Forbidden):
        tokens.create_token(runtime, user_id=world.users["admin"], cluster_id=world.b,
                            name="elsewhere", role="viewer", expires_in_days=None, actor=ACTOR)
    with pytest.raises(NotFound):
        tokens.create_token(runtime, user_id=world.users["root"], cluster_id=99_999,
                            name="nowhere", role="viewer", expires_in_days=None, actor=ACTOR)
    assert tokens.list_tokens(runtime, cluster_id=world.a) == []


def test_bad_fields_are_refused_together_and_nothing_is_stored(runtime: Runtime,
                                                               world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        tokens.create_token(runtime, user_id=world.users["admin"], cluster_id=world.a,
                            name=" ", role="owner", expires_in_days=3, actor=ACTOR)
    assert set(caught.value.fields) == {"name", "role", "expires"}
    assert tokens.list_tokens(runtime, cluster_id=world.a) == []
    assert audited(runtime, "token.create") == 0


def test_a_demoted_owner_lowers_the_token_and_a_removed_one_ends_it(runtime: Runtime,
                                                                    world: World) -> None:
    owner = world.users["editor"]
    _, secret = tokens.create_token(runtime, user_id=owner, cluster_id=world.a, name="t",
                                    role="editor", expires_in_days=None, actor=ACTOR)
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=world.a, user_id=owner, role="viewer",
                               granted_by=None)
    principal = tokens.verify_token(runtime, secret)
    assert principal is not None and principal.role == "viewer"
    with runtime.db.session() as session:
        team_data.remove_member(session, cluster_id=world.a, user_id=owner)  # not revoked yet
    assert tokens.verify_token(runtime, secret) is None


def test_expired_revoked_and_mangled_tokens_are_refused(runtime: Runtime, world: World) -> None:
    row, secret = tokens.create_token(runtime, user_id=world.users["admin"], cluster_id=world.a,
                                      name="t", role="viewer", expires_in_days=1, actor=ACTOR)
    assert tokens.verify_token(runtime, secret, now=utcnow() + timedelta(days=2)) is None
    for mangled in ("", secret[:-1], "x" + secret, secret + "x" * 200,
                    secret.replace(tokens.PREFIX, "abc_")):
        assert tokens.verify_token(runtime, mangled) is None
    assert tokens.verify_token(runtime, secret) is not None
    with pytest.raises(NotFound):
        tokens.revoke_token(runtime, cluster_id=world.b, token_id=row.id, actor=ACTOR)
    with pytest.raises(NotFound):
        tokens.revoke_token(runtime, cluster_id=world.a, token_id=row.id, actor=ACTOR,
                            owner_id=world.users["viewer"])
    tokens.revoke_token(runtime, cluster_id=world.a, token_id=row.id, actor=ACTOR)
    assert tokens.verify_token(runtime, secret) is None
    assert audited(runtime, "token.revoke") == 1


def test_revoking_an_owners_tokens_takes_every_live_one_and_lists_them(
        runtime: Runtime, world: World) -> None:
    owner = world.users["admin"]
    made = [tokens.create_token(runtime, user_id=owner, cluster_id=world.a, name=f"t{i}",
                                role="viewer", expires_in_days=None, actor=ACTOR)
            for i in range(3)]
    other, _ = tokens.create_token(runtime, user_id=world.users["editor"], cluster_id=world.a,
                                   name="other", role="viewer", expires_in_days=None, actor=ACTOR)
    with runtime.db.session() as session:
        revoked = tokens.revoke_owner_tokens(session, user_id=owner, cluster_id=world.a,
                                             actor=ACTOR, reason="removed")
    assert sorted(revoked) == sorted(row.id for row, _ in made)
    assert all(tokens.verify_token(runtime, secret) is None for _, secret in made)
    mine = tokens.list_tokens(runtime, cluster_id=world.a, owner_id=owner)
    assert len(mine) == 3 and all(t.revoked_at is not None for t in mine)
    assert [t.id for t in tokens.list_tokens(runtime, cluster_id=world.a,
                                             owner_id=world.users["editor"])] == [other.id]
