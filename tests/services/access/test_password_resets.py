"""Password-reset links: shown once, stored hashed, expiring, single use, audited, e-mailed
when SMTP is configured; using one ends every session of the account."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from typing import Any

import pytest
from sqlalchemy import select, update

from data.metadata.models import AuditEntry, User, utcnow
from data.metadata.models_accounts import PasswordReset
from lyceum.errors import NotFound, ValidationError
from services.access import accounts, password_resets
from services.access.password_resets import ResetInvalid
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import PASSWORD, World, build_world
from tests.smtp_sink import SmtpSink

ROOT = Actor(user_id=None, label="root@example.com")
NEW = "a fresh password 2"


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _reset(runtime: Runtime, world: World, key: str = "viewer") -> password_resets.NewReset:
    return password_resets.create_reset(runtime, user_id=world.users[key], actor=ROOT,
                                        link_base="http://lyceum.test/")


def _actions(runtime: Runtime) -> list[tuple[str, str]]:
    with runtime.db.session() as session:
        return [(e.action, e.outcome) for e in session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("password_reset.%"))
            .order_by(AuditEntry.id))]


def test_link_is_hashed_single_use_and_ends_every_session(runtime: Runtime,
                                                          world: World) -> None:
    signed_in = accounts.authenticate(runtime.db, runtime.passwords, keys=runtime.keys,
                                      email="viewer@example.com", password=PASSWORD, ip="")
    new = _reset(runtime, world)
    assert new.token.startswith("rst_") and not new.emailed
    with runtime.db.session() as session:
        row = session.scalars(select(PasswordReset)).one()
        assert row.token_hash == runtime.keys.digest(new.token)
        assert new.token not in (row.token_hash, row.prefix)
    assert password_resets.preview(runtime, new.token) == "viewer@example.com"
    with pytest.raises(ValidationError, match="12 to"):
        password_resets.complete(runtime, new.token, password="short", ip="")
    assert password_resets.complete(runtime, new.token, password=NEW, ip="192.0.2.4") \
        == "viewer@example.com"
    assert accounts.load_session(runtime.db, signed_in.session_token, keys=runtime.keys) is None
    accounts.authenticate(runtime.db, runtime.passwords, keys=runtime.keys,
                          email="viewer@example.com",
                          password=NEW, ip="")
    for bad in (new.token, new.token[:-1], "", "rst_" + "A" * 200, "inv_" + new.token[4:]):
        with pytest.raises(ResetInvalid, match="invalid, expired or already used"):
            password_resets.complete(runtime, bad, password=NEW, ip="")
    assert _actions(runtime) == [("password_reset.create", "success"),
                                 ("password_reset.use", "success")]


def test_a_newer_link_replaces_the_older_and_expired_links_fail(runtime: Runtime,
                                                               world: World) -> None:
    old, newer = _reset(runtime, world), _reset(runtime, world)
    with pytest.raises(ResetInvalid):
        password_resets.preview(runtime, old.token)
    with runtime.db.session() as session:
        session.execute(update(PasswordReset).values(expires_at=utcnow() - timedelta(seconds=1)))
    with pytest.raises(ResetInvalid):
        password_resets.complete(runtime, newer.token, password=NEW, ip="")
    with runtime.db.session() as session:
        hashes = {u.email: u.password_hash for u in session.scalars(select(User))}
    assert runtime.passwords.verify(hashes["viewer@example.com"], PASSWORD)


def test_unknown_or_deactivated_accounts_get_no_link(runtime: Runtime, world: World) -> None:
    with pytest.raises(NotFound, match="does not exist or is deactivated"):
        password_resets.create_reset(runtime, user_id=999_999, actor=ROOT, link_base="http://x")
    with runtime.db.session() as session:
        session.execute(update(User).where(User.id == world.users["viewer"])
                        .values(is_active=False))
    with pytest.raises(NotFound):
        _reset(runtime, world)
    with runtime.db.session() as session:
        assert not session.scalars(select(PasswordReset)).all()


def test_smtp_sends_the_reset_link_when_configured(runtime: Runtime, world: World) -> None:
    sink = SmtpSink()
    settings: Any = runtime.settings.with_overrides(
        smtp_host="127.0.0.1", smtp_port=sink.port, smtp_from="lyceum@example.com",
        smtp_starttls=False)
    runtime.settings = settings
    new = _reset(runtime, world)
    sink.thread.join(timeout=10)
    assert new.emailed
    mail = message_from_bytes(sink.messages[0])
    assert mail["To"] == "viewer@example.com"
    assert mail["Subject"] == "Reset your Lyceum Clusters password"
    assert f"http://lyceum.test/reset/{new.token}" in mail.get_payload()


def test_an_unreachable_mail_server_still_gives_the_link(runtime: Runtime,
                                                         world: World) -> None:
    from tests.servers import free_port

    runtime.settings = runtime.settings.with_overrides(
        smtp_host="127.0.0.1", smtp_port=free_port(), smtp_from="lyceum@example.com",
        smtp_starttls=False)
    new = _reset(runtime, world)
    assert not new.emailed and new.mail_error == "The e-mail could not be sent; copy the link " \
                                                 "instead."
    assert password_resets.preview(runtime, new.token) == "viewer@example.com"
