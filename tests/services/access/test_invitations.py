"""Invitations: one-time, expiring, stored hashed; SMTP when configured, else the link."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from sqlalchemy import select, update

from data.metadata.models import AuditEntry, utcnow
from data.metadata.models_team import TeamInvitation
from lyceum.errors import ValidationError
from services.access import invitations, team
from services.access.invitations import InvitationForOther, InvitationInvalid, SignInRequired
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import PASSWORD, World, build_world
from tests.smtp_sink import SmtpSink

ACTOR = Actor(user_id=None, label="test")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _invite(runtime: Runtime, world: World, email: str = "new@example.com",
            role: str = "analyst") -> invitations.NewInvitation:
    return invitations.create_invitation(runtime, cluster_id=world.a, email=email, role=role,
                                         actor=ACTOR, link_base="http://lyceum.test/")


def test_link_is_stored_hashed_and_works_once(runtime: Runtime, world: World) -> None:
    new = _invite(runtime, world)
    assert not new.emailed and new.token.startswith("inv_")
    with runtime.db.session() as session:
        row = session.scalars(select(TeamInvitation)).one()
        assert row.token_hash == invitations.hash_token(runtime, new.token)
        assert new.token not in (row.token_hash, row.prefix)
    view = invitations.preview(runtime, new.token)
    assert (view.email, view.role) == ("new@example.com", "analyst")
    with pytest.raises(ValidationError, match="12 to"):
        invitations.accept_new_account(runtime, new.token, password="short", ip="")
    user_id = invitations.accept_new_account(runtime, new.token, password=PASSWORD, ip="")
    roles = {m.user_id: m.role for m in team.list_members(runtime.db, cluster_id=world.a)}
    assert roles[user_id] == "analyst"
    for bad in (new.token, new.token[:-1], new.token + "x", "", "inv_" + "A" * 200):
        with pytest.raises(InvitationInvalid, match="invalid, expired or already used"):
            invitations.preview(runtime, bad)


def test_expired_and_withdrawn_links_are_refused(runtime: Runtime, world: World) -> None:
    expired, withdrawn = _invite(runtime, world), _invite(runtime, world, "w@example.com")
    with runtime.db.session() as session:
        session.execute(update(TeamInvitation).where(TeamInvitation.id == expired.id)
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
    invitations.revoke(runtime, cluster_id=world.a, invitation_id=withdrawn.id, actor=ACTOR)
    for token in (expired.token, withdrawn.token):
        with pytest.raises(InvitationInvalid):
            invitations.accept_new_account(runtime, token, password=PASSWORD, ip="")
    assert invitations.list_open(runtime, cluster_id=world.a) == []


class _CountingPasswords:
    """The runtime's hasher, counting how often a password is checked."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.verified = inner, 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def verify(self, stored: str | None, password: str) -> bool:
        self.verified += 1
        return bool(self.inner.verify(stored, password))


def _used(runtime: Runtime, invitation_id: int) -> bool:
    with runtime.db.session() as session:
        return session.get(TeamInvitation, invitation_id).used_at is not None  # type: ignore


def test_existing_account_is_never_asked_for_its_password(runtime: Runtime,
                                                          world: World) -> None:
    """Was: the link checked any password against the existing account, unthrottled."""
    new = _invite(runtime, world, "outsider@example.com", "viewer")
    counting = _CountingPasswords(runtime.passwords)
    runtime.passwords = counting  # type: ignore[assignment]
    for guess in ("wrong password here", PASSWORD):  # even the right one is not checked
        with pytest.raises(SignInRequired, match="Sign in with the invited e-mail address"):
            invitations.accept_new_account(runtime, new.token, password=guess, ip="")
    assert counting.verified == 0 and not _used(runtime, new.id)
    assert "outsider@example.com" not in {m.email for m in
                                          team.list_members(runtime.db, cluster_id=world.a)}
    invitations.accept_signed_in(runtime, new.token, user_id=world.users["outsider"], ip="")
    assert "outsider@example.com" in {m.email for m in
                                      team.list_members(runtime.db, cluster_id=world.a)}
    assert _used(runtime, new.id)


def test_another_signed_in_account_cannot_use_the_link(runtime: Runtime, world: World) -> None:
    new = _invite(runtime, world, "someone.else@example.com", "admin")
    with pytest.raises(InvitationForOther, match="for another e-mail address"):
        invitations.accept_signed_in(runtime, new.token, user_id=world.users["outsider"],
                                     ip="10.0.0.9")
    assert not _used(runtime, new.id)
    assert world.users["outsider"] not in {
        m.user_id for m in team.list_members(runtime.db, cluster_id=world.a)}
    with runtime.db.session() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "invitation.accept")).one()
        assert (entry.outcome, entry.ip) == ("denied", "10.0.0.9")


@pytest.mark.parametrize(("email", "role"), [("not-an-email", "viewer"), ("a@b.c", "root")])
def test_bad_invitations_are_refused(runtime: Runtime, world: World, email: str,
                                     role: str) -> None:
    with pytest.raises(ValidationError):
        _invite(runtime, world, email, role)
    assert invitations.list_open(runtime, cluster_id=world.a) == []


def test_smtp_sends_the_link_when_configured(runtime: Runtime, world: World) -> None:
    sink = SmtpSink()
    settings: Any = runtime.settings.with_overrides(
        smtp_host="127.0.0.1", smtp_port=sink.port, smtp_from="lyceum@example.com",
        smtp_starttls=False)
    runtime.settings = settings
    new = _invite(runtime, world)
    sink.thread.join(timeout=10)
    assert new.emailed
    mail = message_from_bytes(sink.messages[0])
    assert mail["To"] == "new@example.com"
    assert f"http://lyceum.test/invite/{new.token}" in mail.get_payload()
