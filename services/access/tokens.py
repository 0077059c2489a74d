"""API tokens: created for one cluster with a role no higher than the creator's, shown once,
stored only as a keyed hash (HMAC-SHA256 under the instance's token key: they are 256-bit
random, so a fast hash is the right one); tokens stored as plain SHA-256 before the key existed
still work and are re-hashed on their next use.

A token never acts above its owner: on every request it acts with the lower of the role it
was made with and the owner's role on the cluster *now* (global admins count as admins of
every cluster while they are global admins). An owner removed from the cluster, or whose
account is deactivated, has no role there, so the token is refused even before it is marked
revoked; removal and deactivation also revoke the owner's tokens outright (audited).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from data.metadata import memberships
from data.metadata import tokens as tokens_data
from data.metadata import users as users_data
from data.metadata.db import Session
from data.metadata.models import ClusterAccessToken, User, utcnow
from lyceum.errors import Forbidden, NotFound, ValidationError
from services.core import audit
from services.core.audit import Actor
from services.core.roles import ROLE_NAMES, rank
from services.core.runtime import Runtime

PREFIX = "lyc_"
EXPIRY_CHOICES = (1, 7, 30, 90)
MAX_TOKEN_LENGTH = 128


@dataclass(frozen=True)
class TokenPrincipal:
    """Who a valid token acts for, and the one cluster and role it is limited to."""

    token_id: int
    user_id: int
    email: str
    is_admin: bool
    cluster_id: int
    role: str


def hash_token(runtime: Runtime, raw: str) -> str:
    """The stored form of a token."""
    return runtime.keys.digest(raw)


def _set_hash(row: ClusterAccessToken, digest: str) -> None:
    row.token_hash = digest


def _owner_role(session: Session, user: User | None, *, cluster_id: int) -> str | None:
    """The owner's role on the cluster now: global admins are admins of every cluster;
    inactive accounts have none."""
    if user is None or not user.is_active:
        return None
    if user.is_admin:
        return "admin"
    return memberships.role_on_cluster(session, user_id=user.id, cluster_id=cluster_id)


def _role_of(runtime: Runtime, *, user_id: int, cluster_id: int) -> str | None:
    with runtime.db.session() as session:
        return _owner_role(session, users_data.get_user(session, user_id),
                           cluster_id=cluster_id)


def effective_role(token_role: str, owner_role: str | None) -> str | None:
    """The role a token acts with: the lower of its own and its owner's current role."""
    if owner_role not in ROLE_NAMES or token_role not in ROLE_NAMES:
        return None
    return min(token_role, owner_role, key=rank)


def create_token(runtime: Runtime, *, user_id: int, cluster_id: int, name: str, role: str,
                 expires_in_days: int | None, actor: Actor) -> tuple[ClusterAccessToken, str]:
    """Create a token; returns the row and the secret, which is never shown again."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 120:
        errors["name"] = "Give the token a name of 1 to 120 characters."
    if role not in ROLE_NAMES:
        errors["role"] = "Choose admin, editor, analyst or viewer."
    if expires_in_days is not None and expires_in_days not in EXPIRY_CHOICES:
        errors["expires"] = "Choose 1, 7, 30 or 90 days, or no expiry."
    if errors:
        raise ValidationError("The token was not created.", fields=errors)
    with runtime.db.session() as session:
        if memberships.get_cluster(session, cluster_id) is None:
            raise NotFound("That cluster does not exist.")
    mine = _role_of(runtime, user_id=user_id, cluster_id=cluster_id)
    if mine is None or rank(role) > rank(mine):
        raise Forbidden("A token's role cannot be higher than your own role on the cluster.")
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ClusterAccessToken(
        cluster_id=cluster_id, user_id=user_id, name=name, prefix=secret[:12],
        token_hash=hash_token(runtime, secret), role=role, created_at=now,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None)
    with runtime.db.session() as session:
        tokens_data.add_token(session, row)
        audit.record(session, "token.create", actor=actor, target_type="token",
                     target_id=row.id, cluster_id=cluster_id,
                     detail={"name": name, "role": role, "expires_in_days": expires_in_days})
    return row, secret


def verify_token(runtime: Runtime, raw: str, *, now: datetime | None = None
                 ) -> TokenPrincipal | None:
    """The principal behind a token, or ``None`` if it is unknown, revoked, expired or mangled,
    or if its owner no longer has a role on the cluster (checked now, on every call).

    The principal's role is :func:`effective_role`: never above the owner's current role.
    """
    if not raw or len(raw) > MAX_TOKEN_LENGTH or not raw.startswith(PREFIX):
        return None
    now = now or utcnow()
    with runtime.db.session() as session:
        row = runtime.keys.find(raw, partial(tokens_data.by_hash, session), upgrade=_set_hash)
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and row.expires_at <= now:
            return None
        user = users_data.get_user(session, row.user_id)
        cluster = memberships.get_cluster(session, row.cluster_id)
        if user is None or cluster is None:
            return None
        role = effective_role(row.role, _owner_role(session, user, cluster_id=row.cluster_id))
        if role is None:
            return None
        tokens_data.touch(session, row, now=now)
        return TokenPrincipal(token_id=row.id, user_id=user.id, email=user.email,
                              is_admin=False, cluster_id=row.cluster_id, role=role)


def revoke_token(runtime: Runtime, *, cluster_id: int, token_id: int, actor: Actor,
                 owner_id: int | None = None) -> None:
    """Revoke a token of this cluster (only ``owner_id``'s tokens when given)."""
    with runtime.db.session() as session:
        row = tokens_data.get_token(session, token_id)
        if row is None or row.cluster_id != cluster_id or (
                owner_id is not None and row.user_id != owner_id):
            raise NotFound("That token does not exist on this cluster.")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
        audit.record(session, "token.revoke", actor=actor, target_type="token",
                     target_id=token_id, cluster_id=cluster_id)


def revoke_owner_tokens(session: Session, *, user_id: int, cluster_id: int | None,
                        actor: Actor, reason: str) -> list[int]:
    """Revoke the owner's live tokens (on one cluster, or on all when ``cluster_id`` is None),
    one ``token.revoke`` audit entry each, in the caller's transaction; returns their ids."""
    now = utcnow()
    rows = tokens_data.live_for_owner(session, user_id=user_id, cluster_id=cluster_id)
    for row in rows:
        row.revoked_at = now
        audit.record(session, "token.revoke", actor=actor, target_type="token",
                     target_id=row.id, cluster_id=row.cluster_id,
                     detail={"owner_id": user_id, "reason": reason})
    return [row.id for row in rows]


def list_tokens(runtime: Runtime, *, cluster_id: int, owner_id: int | None = None
                ) -> list[ClusterAccessToken]:
    """The cluster's tokens (only ``owner_id``'s when given); secrets are never stored."""
    with runtime.db.session() as session:
        rows = tokens_data.list_for_cluster(session, cluster_id)
    return [r for r in rows if owner_id is None or r.user_id == owner_id]


def token_fields(t: ClusterAccessToken) -> dict[str, Any]:
    """A token's public fields as plain JSON-ready data (never its hash)."""
    def iso(v: Any) -> str | None:
        return v.isoformat() if v is not None else None
    return {"id": t.id, "name": t.name, "prefix": t.prefix, "role": t.role,
            "user_id": t.user_id, "created_at": iso(t.created_at),
            "expires_at": iso(t.expires_at), "last_used_at": iso(t.last_used_at),
            "revoked_at": iso(t.revoked_at)}
