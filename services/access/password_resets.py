"""One-time password-reset links, issued by a global admin for an existing account.

The same machinery as invitations: a random token shown once (and e-mailed when SMTP is
configured), stored only as a hash, expiring, single use, every step audited. Only global
admins issue them: a cluster admin could otherwise take over an account that also belongs to
other clusters (or a global admin) by resetting its password.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from data.metadata import password_resets as resets_data
from data.metadata import users as users_data
from data.metadata.db import Session
from data.metadata.models import utcnow
from data.metadata.models_accounts import PasswordReset
from lyceum.errors import AppError, NotFound
from services.access import mail
from services.access.accounts import validate_new_account
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime

PREFIX = "rst_"
LIFETIME = timedelta(hours=24)
MAX_TOKEN_LENGTH = 128
INVALID = "This reset link is invalid, expired or already used. Ask an administrator for a new one."


class ResetInvalid(AppError):
    """The link is unknown, expired, replaced or used."""

    status_code = 404
    code = "reset_invalid"


@dataclass(frozen=True)
class NewReset:
    """A created reset link: its token (shown once) and how it was delivered."""

    id: int
    user_id: int
    email: str
    expires_at: datetime
    token: str
    emailed: bool
    mail_error: str = ""


def reset_link(link_base: str, token: str) -> str:
    """The URL of a reset link."""
    return f"{link_base.rstrip('/')}/reset/{token}"


def create_reset(runtime: Runtime, *, user_id: int, actor: Actor, link_base: str) -> NewReset:
    """Issue a reset link for an account (older open links of it stop working)."""
    token = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    with runtime.db.session() as session:
        user = users_data.get_user(session, user_id)
        if user is None or not user.is_active:
            raise NotFound("That account does not exist or is deactivated.")
        replaced = resets_data.revoke_open_resets(session, user_id=user.id, now=now)
        row = resets_data.add_reset(session, PasswordReset(
            user_id=user.id, token_hash=runtime.keys.digest(token), prefix=token[:12],
            expires_at=now + LIFETIME, created_by=actor.user_id))
        audit.record(session, "password_reset.create", actor=actor, target_type="user",
                     target_id=user.id, detail={"email": user.email, "reset_id": row.id,
                                                "replaced": replaced})
        email, expires_at = user.email, row.expires_at
    emailed, error = False, ""
    if mail.smtp_configured(runtime.settings):
        emailed, error = mail.send(
            runtime.settings, to=email, subject="Reset your Lyceum Clusters password",
            body="An administrator issued a link to set a new password for your account.\n\n"
                 f"Open it within 24 hours:\n{reset_link(link_base, token)}\n\n"
                 "The link works once. If you did not ask for this, tell your administrator.")
    return NewReset(id=row.id, user_id=user_id, email=email, expires_at=expires_at,
                    token=token, emailed=emailed, mail_error=error)


def _open(runtime: Runtime, session: Session, raw: str, *, now: datetime) -> PasswordReset:
    if not isinstance(raw, str) or not raw.startswith(PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        raise ResetInvalid(INVALID)
    row = resets_data.reset_by_hash(session, runtime.keys.digest(raw))
    if (row is None or row.used_at is not None or row.revoked_at is not None
            or row.expires_at <= now):
        raise ResetInvalid(INVALID)
    return row


def preview(runtime: Runtime, raw: str) -> str:
    """The e-mail address a reset link is for, or :class:`ResetInvalid`."""
    with runtime.db.session() as session:
        row = _open(runtime, session, raw, now=utcnow())
        user = users_data.get_user(session, row.user_id)
        if user is None or not user.is_active:
            raise ResetInvalid(INVALID)
        return user.email


def complete(runtime: Runtime, raw: str, *, password: str, ip: str) -> str:
    """Set the new password, use the link up and end every session of the account.

    Returns the account's e-mail address.
    """
    now = utcnow()
    with runtime.db.session() as session:
        row = _open(runtime, session, raw, now=now)
        user = users_data.get_user(session, row.user_id)
        if user is None or not user.is_active:
            raise ResetInvalid(INVALID)
        validate_new_account(user.email, password or "")
        user.password_hash = runtime.passwords.hash(password)
        row.used_at = now
        ended = users_data.revoke_user_sessions(session, user_id=user.id, now=now)
        audit.record(session, "password_reset.use", actor=Actor(user_id=user.id,
                                                                label=user.email, ip=ip),
                     target_type="user", target_id=user.id,
                     detail={"reset_id": row.id, "sessions_ended": ended})
        return user.email
