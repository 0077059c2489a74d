"""Who is calling the engine service: the app itself, or one cluster's credential.

The engine service (``python -m lyceum engine``) answers the ClickHouse HTTP interface. Two
kinds of callers reach it:

* the app (user ``lyceum_app`` with the instance's engine key): the app's admin door, it may
  run anything, with the settings it sends;
* a cluster's app credential (``credential_user`` and its secret, checked by the keyed hash
  exactly as the query gateway does): it reads and inserts in its own database only (see
  :mod:`services.gateway.engine_statements`), under the cluster's limits.

Every failure gives the same answer after the same work (the keyed hash is always computed),
is audited, and counts towards the per-address limit of the gateway.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field

from data import audit as audit_data
from data import memberships
from data.models import utcnow
from lyceum.errors import NotAuthenticated
from lyceum.settings import ENGINE_APP_USER
from services.clusters.query_session import cluster_query_settings
from services.core import audit
from services.core.runtime import Runtime
from services.gateway.sql import (
    AUTH_FAILURE_LIMIT,
    AUTH_FAILURE_WINDOW,
    GENERIC_AUTH_FAILURE,
    QueryRefused,
    TooManyFailures,
)

#: The audit action of a failed sign-in at the engine service (counted like the gateway's).
AUTH_ACTION = "gateway.authenticate"


@dataclass(frozen=True)
class EngineCaller:
    """A verified caller of the engine service."""

    user: str
    address: str = ""
    #: The cluster a credential opens; ``None`` for the app itself.
    cluster_id: int | None = None
    database: str | None = None
    limits: dict[str, int] = field(default_factory=dict)

    @property
    def is_app(self) -> bool:
        """True for the app's own key (which may run anything)."""
        return self.cluster_id is None

    @property
    def actor(self) -> audit.Actor:
        """The caller as an audit actor."""
        return audit.Actor(label=self.user[:200], ip=self.address)


def authenticate_caller(runtime: Runtime, *, user: str, key: str,
                        address: str = "") -> EngineCaller:
    """The caller ``user``/``key`` is; :class:`NotAuthenticated` (one message for every
    failure), :class:`TooManyFailures` for an address that failed too often, or
    :class:`~services.gateway.sql.QueryRefused` for a cluster that is not running."""
    if user == ENGINE_APP_USER and hmac.compare_digest(
            key.encode(), runtime.settings.engine_key.encode()):
        return EngineCaller(user=user, address=address)
    with runtime.db.session() as session:
        if audit_data.count_recent(session, action=AUTH_ACTION,
                                   since=utcnow() - AUTH_FAILURE_WINDOW,
                                   ip=address) >= AUTH_FAILURE_LIMIT:
            raise TooManyFailures("Too many failed sign-ins from this address; wait a few "
                                  "minutes.")
        cluster = memberships.get_cluster_by_credential_user(session, user)
        stored_hash = cluster.credential_hash if cluster else None
        # The keyed hash always runs, so an unknown user costs what a wrong secret costs.
        secret_ok = runtime.keys.verify_credential(stored_hash, key,
                                                   legacy=runtime.passwords.verify)
        if cluster is None or not secret_ok:
            audit.record(session, AUTH_ACTION, actor=audit.Actor(label=user[:200], ip=address),
                         outcome="failure", target_type="engine",
                         target_id=cluster.id if cluster else "",
                         cluster_id=cluster.id if cluster else None)
            session.commit()
            raise NotAuthenticated(GENERIC_AUTH_FAILURE)
        if cluster.status != "running" or cluster.decommissioned_at is not None:
            raise QueryRefused(f"The cluster “{cluster.name}” is {cluster.status}; "
                               "only running clusters answer queries.")
        return EngineCaller(user=user, address=address, cluster_id=cluster.id,
                            database=cluster.database_name,
                            limits=cluster_query_settings(cluster,
                                                          ceilings=runtime.settings.ceilings))


def record_statement(runtime: Runtime, caller: EngineCaller, *, action: str, outcome: str,
                     detail: dict[str, object]) -> None:
    """Audit one statement of a cluster's credential (the app's own are not audited here)."""
    if caller.is_app:
        return
    with runtime.db.session() as session:
        audit.record(session, action, actor=caller.actor, outcome=outcome,
                     target_type="cluster", target_id=caller.cluster_id or "",
                     cluster_id=caller.cluster_id, detail=detail)
        session.commit()
