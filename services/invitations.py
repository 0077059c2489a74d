"""Invitations by one-time link: shown once, expiring, single-use, stored only as a hash.

An admin invites an e-mail address with a role; the invitee opens the link, sets a password
and joins. With SMTP configured the link is e-mailed, otherwise the inviting admin copies it.
"""

from __future__ import annotations

import logging
import secrets
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from functools import partial

from data import memberships
from data import team as team_data
from data import users as users_data
from data.db import Session
from data.models import utcnow
from data.models_team import TeamInvitation
from lyceum.errors import AppError, NotFound, ValidationError
from lyceum.settings import Settings
from services import audit
from services.accounts import validate_new_account
from services.audit import Actor
from services.runtime import Runtime
from services.team import ROLES

log = logging.getLogger(__name__)
PREFIX = "inv_"
LIFETIME = timedelta(days=7)
MAX_TOKEN_LENGTH = 128
INVALID = "This invitation link is invalid, expired or already used. Ask for a new one."


class InvitationInvalid(AppError):
    """The link is unknown, expired, revoked or used."""

    status_code = 404
    code = "invitation_invalid"


@dataclass(frozen=True)
class NewInvitation:
    """A created invitation: its secret link token (shown once) and how it was delivered."""

    id: int
    email: str
    role: str
    expires_at: datetime
    token: str
    emailed: bool
    mail_error: str = ""


@dataclass(frozen=True)
class InvitationView:
    """What the invitee sees before accepting."""

    email: str
    role: str
    cluster_name: str
    expires_at: datetime
    has_account: bool


def hash_token(runtime: Runtime, raw: str) -> str:
    """The stored form of an invitation token (keyed; see :mod:`lyceum.instance_secrets`)."""
    return runtime.keys.digest(raw)


def _set_hash(row: TeamInvitation, digest: str) -> None:
    row.token_hash = digest


def smtp_configured(settings: Settings) -> bool:
    """Whether invitations can be e-mailed."""
    return bool(settings.smtp_host and settings.smtp_from)


def create_invitation(runtime: Runtime, *, cluster_id: int, email: str, role: str,
                      actor: Actor, link_base: str) -> NewInvitation:
    """Invite ``email`` with ``role``; e-mail the link when SMTP is configured."""
    address = (email or "").strip().lower()[:300]
    try:
        validate_new_account(address, "x" * 12)
    except ValidationError as exc:
        raise ValidationError("Enter a valid e-mail address.", fields={"email": "invalid"}) \
            from exc
    if role not in ROLES:
        raise ValidationError(f"Choose a role: {', '.join(ROLES)}.", fields={"role": "unknown"})
    token = PREFIX + secrets.token_urlsafe(32)
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        if cluster is None:
            raise NotFound("That cluster does not exist.")
        row = team_data.add_invitation(session, TeamInvitation(
            cluster_id=cluster_id, email=address, role=role, token_hash=hash_token(runtime, token),
            prefix=token[:12], expires_at=utcnow() + LIFETIME, invited_by=actor.user_id))
        audit.record(session, "invitation.create", actor=actor, target_type="invitation",
                     target_id=row.id, cluster_id=cluster_id,
                     detail={"email": address, "role": role})
        cluster_name = cluster.name
    emailed, error = False, ""
    if smtp_configured(runtime.settings):
        emailed, error = _send(runtime.settings, to=address, cluster=cluster_name, role=role,
                               link=f"{link_base.rstrip('/')}/invite/{token}")
    return NewInvitation(id=row.id, email=address, role=role, expires_at=row.expires_at,
                         token=token, emailed=emailed, mail_error=error)


def _send(settings: Settings, *, to: str, cluster: str, role: str, link: str
          ) -> tuple[bool, str]:
    message = EmailMessage()
    message["Subject"] = f"You are invited to {cluster} on Lyceum Clusters"
    message["From"] = str(settings.smtp_from)
    message["To"] = to
    message.set_content(f"You have been invited to the cluster {cluster} as {role}.\n\n"
                        f"Open this link within 7 days to set your password and join:\n"
                        f"{link}\n\nThe link works once.")
    try:
        with smtplib.SMTP(str(settings.smtp_host), settings.smtp_port, timeout=10) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        log.warning("invitation e-mail to %s failed: %s", to, exc)
        return False, "The e-mail could not be sent; copy the link instead."
    return True, ""


def _open(runtime: Runtime, session: Session, raw: str, *, now: datetime) -> TeamInvitation:
    if not isinstance(raw, str) or not raw.startswith(PREFIX) or len(raw) > MAX_TOKEN_LENGTH:
        raise InvitationInvalid(INVALID)
    row = runtime.keys.find(raw, partial(team_data.invitation_by_hash, session),
                            upgrade=_set_hash)
    if (row is None or row.used_at is not None or row.revoked_at is not None
            or row.expires_at <= now):
        raise InvitationInvalid(INVALID)
    return row


def preview(runtime: Runtime, raw: str) -> InvitationView:
    """The invitation behind a link, or :class:`InvitationInvalid`."""
    with runtime.db.session() as session:
        row = _open(runtime, session, raw, now=utcnow())
        cluster = memberships.get_cluster(session, row.cluster_id)
        has_account = users_data.get_user_by_email(session, row.email) is not None
        return InvitationView(email=row.email, role=row.role,
                              cluster_name=cluster.name if cluster else "",
                              expires_at=row.expires_at, has_account=has_account)


def accept(runtime: Runtime, raw: str, *, password: str, ip: str) -> tuple[int, str]:
    """Use the link: create the account with ``password`` (or, for an existing account,
    check it) and give it the role. Returns the user's id and e-mail. Single use."""
    now = utcnow()
    with runtime.db.session() as session:
        row = _open(runtime, session, raw, now=now)
        user = users_data.get_user_by_email(session, row.email)
        if user is None:
            validate_new_account(row.email, password or "")
            user = users_data.add_user(session, email=row.email, display_name=row.email,
                                       password_hash=runtime.passwords.hash(password))
            audit.record(session, "user.create", actor=Actor(label=row.email, ip=ip),
                         target_type="user", target_id=user.id,
                         detail={"email": row.email, "via": "invitation"})
        elif not user.is_active or not runtime.passwords.verify(user.password_hash,
                                                                password or ""):
            raise ValidationError("That is not the password of the existing account "
                                  f"{row.email}.", fields={"password": "not this account's"})
        existing = team_data.get_member(session, cluster_id=row.cluster_id, user_id=user.id)
        if existing is None:
            memberships.set_member(session, cluster_id=row.cluster_id, user_id=user.id,
                                   role=row.role, granted_by=row.invited_by)
        row.used_at, row.used_by = now, user.id
        audit.record(session, "invitation.accept", actor=Actor(user_id=user.id,
                                                               label=user.email, ip=ip),
                     target_type="invitation", target_id=row.id, cluster_id=row.cluster_id,
                     detail={"role": row.role, "kept_existing_role": existing is not None})
        return user.id, user.email


def list_open(runtime: Runtime, *, cluster_id: int) -> list[TeamInvitation]:
    """The cluster's invitations that can still be used."""
    with runtime.db.session() as session:
        return team_data.list_invitations(session, cluster_id, now=utcnow())


def revoke(runtime: Runtime, *, cluster_id: int, invitation_id: int, actor: Actor) -> None:
    """Withdraw an invitation of this cluster."""
    with runtime.db.session() as session:
        row = team_data.get_invitation(session, invitation_id)
        if row is None or row.cluster_id != cluster_id:
            raise NotFound("That invitation does not exist on this cluster.")
        if row.revoked_at is None and row.used_at is None:
            row.revoked_at = utcnow()
        audit.record(session, "invitation.revoke", actor=actor, target_type="invitation",
                     target_id=invitation_id, cluster_id=cluster_id)
