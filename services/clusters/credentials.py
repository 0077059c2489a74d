"""A cluster credential's new secret, handed over so that it cannot be lost, and rotation.

A new secret (from a deploy or a rotation) is kept server-side, sealed under the instance's
token key (:mod:`lyceum.instance_secrets`), in the same transaction that stores the
credential's hash. Cluster admins (by their current role) can read it as often as they like:
a console poll or an API response that never arrives loses nothing. It is erased when an
admin confirms they saved it (audited), or :data:`SECRET_TTL` after it was made.

:func:`rotate_credential` replaces a running cluster's secret: the old one stops working at
once (on a ClickHouse server, ``ALTER USER … IDENTIFIED``), and the new one waits like above.
:func:`start_rotation` runs it as a cluster operation with progress (the console's button).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from data.analytics import cluster_ops
from data.analytics.clickhouse import ClickHouseError
from data.metadata import cluster_meta as meta
from data.metadata import memberships
from data.metadata import pending_secrets as pending_data
from data.metadata import users as users_data
from data.metadata.db import Session
from data.metadata.models import DatabaseCluster, utcnow
from data.metadata.models_credentials import PendingClusterSecret
from lyceum.errors import Forbidden, NotFound
from lyceum.instance_secrets import SealError
from services.clusters import operations
from services.clusters.operations import OperationView, Progress
from services.core import audit
from services.core.audit import Actor, record_cluster_action
from services.core.periodic import OnePerProcess, Periodic
from services.core.runtime import Runtime

log = logging.getLogger(__name__)

#: How a cluster's credential reaches ClickHouse: checked by the app's own code (the bundled
#: engine service) or as a ClickHouse user of its own (a server). Provisioning sets one of them.
GATEWAY_MODE, CLICKHOUSE_USER_MODE = "app_gateway", "clickhouse_user"

#: How long a new secret waits to be saved before it is erased.
SECRET_TTL = timedelta(hours=24)
PURPOSES = ("deploy", "rotation")
ADMINS_ONLY = "Only admins of this cluster can see or change its credential."
NOTHING_PENDING = "No new secret is waiting to be saved for this cluster."


@dataclass(frozen=True)
class PendingSecret:
    """A new secret of a cluster's credential, until it is saved or expires."""

    cluster_id: int
    username: str
    secret: str
    purpose: str
    created_at: datetime
    expires_at: datetime


def _context(cluster_id: int, purpose: str) -> str:
    return f"pending-cluster-secret:{cluster_id}:{purpose}"


def hold_secret(runtime: Runtime, session: Session, *, cluster_id: int, secret: str,
                purpose: str, created_by: int | None = None,
                now: datetime | None = None) -> PendingClusterSecret:
    """Keep ``secret`` sealed for the cluster's admins, in the caller's transaction (the one
    that stores the credential's hash), replacing a secret still waiting."""
    if purpose not in PURPOSES:
        raise ValueError(f"purpose must be one of {PURPOSES}, got {purpose!r}")
    now = now or utcnow()
    return pending_data.put(session, PendingClusterSecret(
        cluster_id=cluster_id, purpose=purpose, created_by=created_by, created_at=now,
        expires_at=now + SECRET_TTL,
        sealed_secret=runtime.keys.seal(secret, context=_context(cluster_id, purpose))))


def _require_admin(session: Session, cluster_id: int, actor: Actor) -> DatabaseCluster:
    """The cluster, if ``actor`` is now an admin of it (or a global admin)."""
    user = users_data.get_user(session, actor.user_id) if actor.user_id is not None else None
    if user is None or not user.is_active:
        raise Forbidden(ADMINS_ONLY)
    role = memberships.role_on_cluster(session, user_id=user.id, cluster_id=cluster_id)
    if not user.is_admin and role != "admin":
        raise Forbidden(ADMINS_ONLY)
    return meta.require_cluster(session, cluster_id)


def _erase_expired(session: Session, row: PendingClusterSecret) -> None:
    pending_data.remove(session, row.cluster_id)
    record_cluster_action(session, row.cluster_id, actor=audit.SYSTEM,
                          action="cluster.secret_expire", kind="secret_expired",
                          message="The new secret was not saved within 24 hours and was erased.",
                          detail={"purpose": row.purpose})


def _open(runtime: Runtime, row: PendingClusterSecret, cluster: DatabaseCluster
          ) -> PendingSecret | None:
    try:
        secret = runtime.keys.unseal(row.sealed_secret,
                                     context=_context(row.cluster_id, row.purpose))
    except SealError:
        log.error("the pending secret of cluster %s cannot be opened with this instance's "
                  "token key", row.cluster_id)
        return None
    return PendingSecret(cluster_id=row.cluster_id, username=cluster.credential_user,
                         secret=secret, purpose=row.purpose, created_at=row.created_at,
                         expires_at=row.expires_at)


def pending_secret(runtime: Runtime, cluster_id: int, *, actor: Actor,
                   now: datetime | None = None) -> PendingSecret | None:
    """The cluster's new secret while it waits to be saved, for its admins; reading it does
    not use it up. ``None`` when nothing waits; an expired secret is erased here."""
    now = now or utcnow()
    with runtime.db.session() as session:
        cluster = _require_admin(session, cluster_id, actor)
        row = pending_data.get(session, cluster_id)
        if row is None:
            return None
        if row.expires_at <= now:
            _erase_expired(session, row)
            return None
        return _open(runtime, row, cluster)


def acknowledge_secret(runtime: Runtime, cluster_id: int, *, actor: Actor) -> None:
    """An admin saved the new secret: erase it for good (audited). :class:`NotFound` if no
    secret is waiting (already saved, expired, or never made)."""
    with runtime.db.session() as session:
        _require_admin(session, cluster_id, actor)
        row = pending_data.get(session, cluster_id)
        if row is None or row.expires_at <= utcnow():
            raise NotFound(NOTHING_PENDING)
        purpose = row.purpose
        pending_data.remove(session, cluster_id)
        record_cluster_action(session, cluster_id, actor=actor, action="cluster.secret_saved",
                              kind="secret_saved",
                              message="The new secret was saved and erased from the app.",
                              detail={"purpose": purpose})


def purge_expired_secrets(runtime: Runtime, *, now: datetime | None = None) -> list[int]:
    """Erase every pending secret older than :data:`SECRET_TTL` (audited); their clusters."""
    now = now or utcnow()
    with runtime.db.session() as session:
        expired = pending_data.expired(session, now=now)
        for row in expired:
            _erase_expired(session, row)
        return [row.cluster_id for row in expired]


def rotate_credential(runtime: Runtime, cluster_id: int, *, actor: Actor) -> PendingSecret:
    """Give a running cluster's credential a new random 256-bit secret; the old one stops
    working at once. The new secret waits, like a deploy's, until an admin saves it."""
    secret = secrets.token_urlsafe(32)
    try:
        with runtime.db.session() as session:
            cluster = _require_admin(session, cluster_id, actor)
            meta.require_cluster(session, cluster_id, allowed=("running",),
                                 action="have its credential rotated")
            if not cluster.credential_user:
                raise meta.ClusterStateError("This cluster has no credential to rotate.")
            if cluster.credential_mode == CLICKHOUSE_USER_MODE:
                runtime.ch.command(cluster_ops.rotate_statement(
                    username=cluster.credential_user, secret=secret,
                    on_cluster=runtime.settings.clickhouse_cluster))
            cluster.credential_hash = runtime.keys.hash_credential(secret)
            row = hold_secret(runtime, session, cluster_id=cluster_id, secret=secret,
                              purpose="rotation", created_by=actor.user_id)
            record_cluster_action(session, cluster_id, actor=actor,
                                  action="cluster.credential_rotate", kind="credential_rotated",
                                  message=f"The credential {cluster.credential_user} got a new "
                                          "secret; the old one no longer works.",
                                  detail={"username": cluster.credential_user})
            return PendingSecret(cluster_id=cluster_id, username=cluster.credential_user,
                                 secret=secret, purpose=row.purpose,
                                 created_at=row.created_at, expires_at=row.expires_at)
    except ClickHouseError as exc:
        log.warning("rotating the credential of cluster %s failed: %s", cluster_id, exc)
        with runtime.db.session() as session:
            record_cluster_action(session, cluster_id, actor=actor,
                                  action="cluster.credential_rotate", kind="failure",
                                  outcome="failure",
                                  message=f"Rotating the credential failed: {exc.user_message}",
                                  detail={"error": exc.user_message})
        raise


def _check_rotation(runtime: Runtime, cluster_id: int, actor: Actor) -> None:
    with runtime.db.session() as session:
        cluster = _require_admin(session, cluster_id, actor)
        meta.require_cluster(session, cluster_id, allowed=("running",),
                             action="have its credential rotated")
        if not cluster.credential_user:
            raise meta.ClusterStateError("This cluster has no credential to rotate.")


def start_rotation(runtime: Runtime, cluster_id: int, *, actor: Actor,
                   wait_s: float | None = None) -> OperationView:
    """Rotate the credential as a cluster operation with progress; the new secret then
    waits (see :func:`pending_secret`). Refused before anything runs when the actor is not
    an admin of the cluster, or the cluster is not running or has no credential. ``wait_s``
    waits for the end (the API's synchronous call)."""
    _check_rotation(runtime, cluster_id, actor)

    def work(progress: Progress) -> str:
        rotate_credential(runtime, cluster_id, actor=actor)
        progress(1)
        return "Rotated: the old secret no longer works. Save the new one shown above."

    if wait_s is None:
        return operations.start(runtime, cluster_id, kind="rotation", total=1, actor=actor,
                                work=work)
    return operations.run(runtime, cluster_id, kind="rotation", total=1, actor=actor,
                          work=work, timeout=wait_s)


class SecretPurger(Periodic):
    """A daemon thread erasing expired pending secrets every ``interval_s`` seconds, so none
    outlives :data:`SECRET_TTL` by more than that even if nobody opens its console."""

    name = "secret-purger"

    def __init__(self, runtime: Runtime, *, interval_s: float) -> None:
        super().__init__(interval_s=interval_s)
        self.runtime = runtime

    def work(self) -> None:
        """One purge."""
        purge_expired_secrets(self.runtime)


_purger: OnePerProcess[SecretPurger] = OnePerProcess()


def start_secret_purger(runtime: Runtime, *, interval_s: float = 300.0) -> SecretPurger:
    """Start this process's one purger (or return the one already running)."""
    return _purger.start(lambda: SecretPurger(runtime, interval_s=interval_s))


def stop_secret_purger(*, timeout: float = 10.0) -> None:
    """Stop this process's purger, if one runs."""
    _purger.stop(timeout=timeout)
