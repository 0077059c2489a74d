"""Invitations: one-time, expiring, stored hashed; SMTP when configured, else the link."""

from __future__ import annotations

import threading
from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from sqlalchemy import select, update

from data.models import utcnow
from data.models_team import TeamInvitation
from lyceum.errors import ValidationError
from services import invitations, team
from services.audit import Actor
from services.invitations import InvitationInvalid
from services.runtime import Runtime
from tests.access_world import PASSWORD, World, build_world

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
    assert (view.email, view.role, view.has_account) == ("new@example.com", "analyst", False)
    with pytest.raises(ValidationError, match="12 to"):
        invitations.accept(runtime, new.token, password="short", ip="")
    user_id, email = invitations.accept(runtime, new.token, password=PASSWORD, ip="")
    assert email == "new@example.com"
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
            invitations.accept(runtime, token, password=PASSWORD, ip="")
    assert invitations.list_open(runtime, cluster_id=world.a) == []


def test_existing_account_must_prove_its_password(runtime: Runtime, world: World) -> None:
    new = _invite(runtime, world, "outsider@example.com", "viewer")
    assert invitations.preview(runtime, new.token).has_account
    with pytest.raises(ValidationError, match="not the password"):
        invitations.accept(runtime, new.token, password="wrong password here", ip="")
    invitations.accept(runtime, new.token, password=PASSWORD, ip="")
    assert "outsider@example.com" in {m.email for m in
                                      team.list_members(runtime.db, cluster_id=world.a)}


@pytest.mark.parametrize(("email", "role"), [("not-an-email", "viewer"), ("a@b.c", "root")])
def test_bad_invitations_are_refused(runtime: Runtime, world: World, email: str,
                                     role: str) -> None:
    with pytest.raises(ValidationError):
        _invite(runtime, world, email, role)
    assert invitations.list_open(runtime, cluster_id=world.a) == []


class _SmtpSink:
    """A tiny SMTP server on a free loopback port that keeps the messages it receives."""

    def __init__(self) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.messages: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        conn, _ = self.sock.accept()
        stream = conn.makefile("rwb")

        def say(line: str) -> None:
            stream.write(line.encode() + b"\r\n")
            stream.flush()
        say("220 sink")
        data: list[bytes] = []
        while line := stream.readline():
            cmd = line.strip().upper()
            if cmd.startswith((b"EHLO", b"HELO")):
                say("250 sink")
            elif cmd == b"DATA":
                say("354 go")
                while (chunk := stream.readline()) != b".\r\n":
                    data.append(chunk)
                self.messages.append(b"".join(data))
                say("250 ok")
            elif cmd == b"QUIT":
                say("221 bye")
                break
            else:
                say("250 ok")
        conn.close()


def test_smtp_sends_the_link_when_configured(runtime: Runtime, world: World) -> None:
    sink = _SmtpSink()
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
