"""Invitations by one-time link: shown once, expiring, single-use, stored only as a hash.

An admin invites an e-mail address with a role; the invitee opens the link and either sets a
password (a new account) or, if the address already has an account, signs in as it and then
accepts: the link is never a form that checks an existing account's password. With SMTP
configured the link is e-mailed, otherwise the inviting admin copies it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from data.metadata import memberships
from data.metadata import team as team_data
from data.metadata import users as users_data
from data.metadata.db import Session
from data.metadata.models import utcnow
from data.metadata.models_team import TeamInvitation
from lyceum.errors import AppError, NotFound, ValidationError
from lyceum.settings import Settings
from services.access import mail
from services.access.accounts import validate_new_account
from services.core import audit
from services.core.audit import Actor
from services.core.roles import ROLE_NAMES
from services.core.runtime import Runtime

PREFIX = "inv_"
LIFETIME = timedelta(days=7)
MAX_TOKEN_LENGTH = 128
INVALID = "This invitation link is invalid, expired or already used. Ask for a new one."
SIGN_IN_TO_ACCEPT = "Sign in with the invited e-mail address to accept the invitation."
FOR_OTHER = ("This invitation is for another e-mail address. Sign out, then open the link "
             "again and sign in with the invited address.")


class InvitationInvalid(AppError):
    """The link is unknown, expired, revoked or used."""

    status_code = 404
    code = "invitation_invalid"


class SignInRequired(AppError):
    """The invited address has an account: its owner must sign in to accept."""

    status_code = 401
    code = "sign_in_required"


class InvitationForOther(AppError):
    """The signed-in account is not the invited address."""

    status_code = 403
    code = "invitation_for_other"


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


def hash_token(runtime: Runtime, raw: str) -> str:
    """The stored form of an invitation token (keyed; see :mod:`lyceum.instance_secrets`)."""
    return runtime.keys.digest(raw)


def _set_hash(row: TeamInvitation, digest: str) -> None:
    row.token_hash = digest


def smtp_configured(settings: Settings) -> bool:
    """Whether invitations can be e-mailed."""
    return mail.smtp_configured(settings)


def create_invitation(runtime: Runtime, *, cluster_id: int, email: str, role: str,
                      actor: Actor, link_base: str) -> NewInvitation:
    """Invite ``email`` with ``role``; e-mail the link when SMTP is configured."""
    address = (email or "").strip().lower()[:300]
    try:
        validate_new_account(address, "x" * 12)
    except ValidationError as exc:
        raise ValidationError("Enter a valid e-mail address.", fields={"email": "invalid"}) \
            from exc
    if role not in ROLE_NAMES:
        raise ValidationError(f"Choose a role: {', '.join(ROLE_NAMES)}.",
                              fields={"role": "unknown"})
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
    return mail.send(settings, to=to, subject=f"You are invited to {cluster} on Lyceum Clusters",
                     body=f"You have been invited to the cluster {cluster} as {role}.\n\n"
                          f"Open this link within 7 days to join:\n{link}\n\n"
                          "The link works once.")


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
    """The invitation behind a link, or :class:`InvitationInvalid`.

    It says nothing about whether the address already has an account.
    """
    with runtime.db.session() as session:
        row = _open(runtime, session, raw, now=utcnow())
        cluster = memberships.get_cluster(session, row.cluster_id)
        return InvitationView(email=row.email, role=row.role,
                              cluster_name=cluster.name if cluster else "",
                              expires_at=row.expires_at)


def accept_new_account(runtime: Runtime, raw: str, *, password: str, ip: str) -> int:
    """Use the link to create the invited account with ``password`` and give it the role.

    An address that already has an account is never checked against a password here: it
    raises :class:`SignInRequired` (its owner signs in, then accepts). Returns the new id.
    """
    now = utcnow()
    with runtime.db.session() as session:
        row = _open(runtime, session, raw, now=now)
        if users_data.get_user_by_email(session, row.email) is not None:
            raise SignInRequired(SIGN_IN_TO_ACCEPT)
        validate_new_account(row.email, password or "")
        user = users_data.add_user(session, email=row.email, display_name=row.email,
                                   password_hash=runtime.passwords.hash(password))
        audit.record(session, "user.create", actor=Actor(label=row.email, ip=ip),
                     target_type="user", target_id=user.id,
                     detail={"email": row.email, "via": "invitation"})
        _use(session, row, user_id=user.id, email=user.email, ip=ip, now=now)
        return user.id


def accept_signed_in(runtime: Runtime, raw: str, *, user_id: int, ip: str) -> None:
    """Use the link for the signed-in account ``user_id``, which must be the invited address."""
    now = utcnow()
    with runtime.db.session() as session:
        row = _open(runtime, session, raw, now=now)
        user = users_data.get_user(session, user_id)
        if user is None or not user.is_active or user.email.lower() != row.email.lower():
            refused = (user.email if user is not None else "", row.id, row.cluster_id)
        else:
            _use(session, row, user_id=user.id, email=user.email, ip=ip, now=now)
            return
    with runtime.db.session() as session:
        audit.record(session, "invitation.accept", actor=Actor(user_id=user_id,
                                                               label=refused[0], ip=ip),
                     outcome="denied", target_type="invitation", target_id=refused[1],
                     cluster_id=refused[2], detail={"reason": "signed in as another account"})
    raise InvitationForOther(FOR_OTHER)


def _use(session: Session, row: TeamInvitation, *, user_id: int, email: str, ip: str,
         now: datetime) -> None:
    existing = team_data.get_member(session, cluster_id=row.cluster_id, user_id=user_id)
    if existing is None:
        memberships.set_member(session, cluster_id=row.cluster_id, user_id=user_id,
                               role=row.role, granted_by=row.invited_by)
    row.used_at, row.used_by = now, user_id
    audit.record(session, "invitation.accept", actor=Actor(user_id=user_id, label=email, ip=ip),
                 target_type="invitation", target_id=row.id, cluster_id=row.cluster_id,
                 detail={"role": row.role, "kept_existing_role": existing is not None})


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
