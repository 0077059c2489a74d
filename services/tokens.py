"""API tokens: created for one cluster with a role no higher than the creator's, shown once,
stored only as a keyed hash (HMAC-SHA256 under the instance's token key: they are 256-bit
random, so a fast hash is the right one); tokens stored as plain SHA-256 before the key existed
still work and are re-hashed on their next use."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from data import memberships
from data import tokens as tokens_data
from data import users as users_data
from data.models import ClusterAccessToken, utcnow
from lyceum.errors import Forbidden, NotFound, ValidationError
from services import audit
from services.audit import Actor
from services.runtime import Runtime

PREFIX = "lyc_"
EXPIRY_CHOICES = (1, 7, 30, 90)
ROLE_ORDER = {"viewer": 1, "analyst": 2, "editor": 3, "admin": 4}
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


def _role_of(runtime: Runtime, *, user_id: int, cluster_id: int) -> str | None:
    with runtime.db.session() as session:
        user = users_data.get_user(session, user_id)
        if user is not None and user.is_admin:
            return "admin"
        return memberships.role_on_cluster(session, user_id=user_id, cluster_id=cluster_id)


def create_token(runtime: Runtime, *, user_id: int, cluster_id: int, name: str, role: str,
                 expires_in_days: int | None, actor: Actor) -> tuple[ClusterAccessToken, str]:
    """Create a token; returns the row and the secret, which is never shown again."""
    name = (name or "").strip()
    errors: dict[str, str] = {}
    if not 1 <= len(name) <= 120:
        errors["name"] = "Give the token a name of 1 to 120 characters."
    if role not in ROLE_ORDER:
        errors["role"] = "Choose admin, editor, analyst or viewer."
    if expires_in_days is not None and expires_in_days not in EXPIRY_CHOICES:
        errors["expires"] = "Choose 1, 7, 30 or 90 days, or no expiry."
    if errors:
        raise ValidationError("The token was not created.", fields=errors)
    with runtime.db.session() as session:
        if memberships.get_cluster(session, cluster_id) is None:
            raise NotFound("That cluster does not exist.")
    mine = _role_of(runtime, user_id=user_id, cluster_id=cluster_id)
    if mine is None or ROLE_ORDER[role] > ROLE_ORDER[mine]:
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
    """The principal behind a token, or ``None`` if it is unknown, revoked, expired or mangled."""
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
        if user is None or not user.is_active or cluster is None:
            return None
        tokens_data.touch(session, row, now=now)
        return TokenPrincipal(token_id=row.id, user_id=user.id, email=user.email,
                              is_admin=False, cluster_id=row.cluster_id, role=row.role)


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


def list_tokens(runtime: Runtime, *, cluster_id: int, owner_id: int | None = None
                ) -> list[ClusterAccessToken]:
    """The cluster's tokens (only ``owner_id``'s when given); secrets are never stored."""
    with runtime.db.session() as session:
        rows = tokens_data.list_for_cluster(session, cluster_id)
    return [r for r in rows if owner_id is None or r.user_id == owner_id]
