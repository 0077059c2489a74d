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

import hashlib
import hmac
import logging
import queue
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from data.metadata import audit as audit_data
from data.metadata import memberships
from data.metadata.db import Database, Session
from data.metadata.models import utcnow
from lyceum.errors import NotAuthenticated
from lyceum.settings import ENGINE_APP_USER
from services.clusters.query_session import limit_settings
from services.core import audit
from services.core.runtime import Runtime
from services.gateway.sql import (
    AUTH_FAILURE_LIMIT,
    AUTH_FAILURE_WINDOW,
    GENERIC_AUTH_FAILURE,
    QueryRefused,
    TooManyFailures,
)

log = logging.getLogger(__name__)
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
    verified = runtime.caches.of(VerifiedSecrets)
    cluster = memberships.credential_state(runtime.db.engine, user)
    stored_hash = cluster.credential_hash if cluster else None
    if not (stored_hash and verified.holds(user, key, address, stored_hash)):
        # not the secret that opened this credential a moment ago: the full check
        with runtime.db.session() as session:
            _verify_secret(runtime, session, cluster, user=user, key=key, address=address)
        verified.keep(user, key, address, str(stored_hash))
    assert cluster is not None
    if cluster.status != "running" or cluster.decommissioned_at is not None:
        raise QueryRefused(f"The cluster “{cluster.name}” is {cluster.status}; "
                           "only running clusters answer queries.")
    return EngineCaller(user=user, address=address, cluster_id=cluster.cluster_id,
                        database=cluster.database_name,
                        limits=limit_settings(cluster.query_limits,
                                              ceilings=runtime.settings.ceilings))


def _verify_secret(runtime: Runtime, session: Session,
                   cluster: memberships.CredentialState | None, *, user: str, key: str,
                   address: str) -> None:
    """The full check of ``key`` against ``cluster``'s credential hash: the address's failure
    count, then the keyed hash (always computed, so an unknown user costs what a wrong secret
    costs); a failure is audited and raises."""
    if audit_data.count_recent(session, action=AUTH_ACTION,
                               since=utcnow() - AUTH_FAILURE_WINDOW,
                               ip=address) >= AUTH_FAILURE_LIMIT:
        raise TooManyFailures("Too many failed sign-ins from this address; wait a "
                              "few minutes.")
    stored_hash = cluster.credential_hash if cluster else None
    secret_ok = runtime.keys.verify_credential(stored_hash, key,
                                               legacy=runtime.passwords.verify)
    if cluster is None or not secret_ok:
        runtime.caches.of(VerifiedSecrets).clear()  # after any failure, all take the full check
        audit.record(session, AUTH_ACTION, actor=audit.Actor(label=user[:200], ip=address),
                     outcome="failure", target_type="engine",
                     target_id=cluster.cluster_id if cluster else "",
                     cluster_id=cluster.cluster_id if cluster else None)
        session.commit()
        raise NotAuthenticated(GENERIC_AUTH_FAILURE)


class VerifiedSecrets:
    """Credentials whose secret was verified a moment ago (a runtime cache).

    A client sends its secret with every statement; verifying it (the failure count of the
    address, the keyed hash) cost most of a small statement. What is kept is a digest of
    (user, secret, address) with the credential hash it matched: it counts only while the
    cluster's *current* credential hash (read on every request, with its status) is still
    that one, so a rotation or a decommission takes effect at the next statement. A wrong
    secret is never kept, and any failure forgets everything kept, so an address that
    failed too often is refused as before.
    """

    TTL_S = 60.0
    SIZE = 1024

    def __init__(self) -> None:
        self._kept: OrderedDict[bytes, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _digest(user: str, key: str, address: str) -> bytes:
        return hashlib.sha256(f"{user}\0{key}\0{address}".encode()).digest()

    def holds(self, user: str, key: str, address: str, stored_hash: str) -> bool:
        """True if ``user``/``key`` from ``address`` matched ``stored_hash`` within the last
        ``TTL_S`` seconds."""
        digest = self._digest(user, key, address)
        with self._lock:
            found = self._kept.get(digest)
            if found is None or time.monotonic() - found[0] > self.TTL_S:
                return False
            return hmac.compare_digest(found[1].encode(), stored_hash.encode())

    def keep(self, user: str, key: str, address: str, stored_hash: str) -> None:
        """Remember that ``user``/``key`` from ``address`` matched ``stored_hash`` now (the
        oldest goes when full)."""
        digest = self._digest(user, key, address)
        with self._lock:
            self._kept[digest] = (time.monotonic(), stored_hash)
            self._kept.move_to_end(digest)
            while len(self._kept) > self.SIZE:
                self._kept.popitem(last=False)

    def clear(self) -> None:
        """Forget every verified secret."""
        with self._lock:
            self._kept.clear()


class AuditWriter:
    """Writes the engine's audit entries from one thread, many per commit (a runtime cache).

    A credential's statements are audited as the gateway's are, but the commit, the chain
    head's update and the audit chain's anchor are paid once per batch
    (:func:`services.core.audit.record_many`), off the request: under concurrent clients the
    request threads never queue on the metadata database's write lock. Each entry keeps the
    time it was submitted. Nothing is dropped: a batch that cannot be written is tried again
    (``RETRY_S``), then entry by entry, and an entry that still cannot be written is logged
    whole at ERROR. :meth:`flush` waits until everything submitted is written; after
    :meth:`close` (when the service stops) entries are written in the submitting thread.
    """

    BATCH = 500
    #: How long the writer gathers entries after the first before it writes them (at most
    #: ``1 / GATHER_S`` commits a second, whatever the statement rate; an entry waits no
    #: longer than this plus one write).
    GATHER_S = 0.05
    #: Pauses before writing a failed batch again (a database busy for a moment).
    RETRY_S = (0.05, 0.5, 2.0)

    def __init__(self) -> None:
        self._queue: queue.SimpleQueue[tuple[Database, audit.Pending]] = queue.SimpleQueue()
        self._pending = 0
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._closed = False

    def submit(self, db: Database, action: str, actor: audit.Actor,
               fields: dict[str, Any]) -> None:
        """Queue one entry (``fields`` as :func:`services.core.audit.record` takes them)."""
        item = (db, audit.Pending(action, actor, **fields, at=utcnow()))
        with self._start:
            if self._closed:
                self._write_safely([item])
                return
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="engine-audit",
                                                daemon=True)
                self._thread.start()
            with self._idle:
                self._pending += 1
            self._queue.put(item)

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            until = time.monotonic() + self.GATHER_S
            while len(batch) < self.BATCH:
                try:
                    batch.append(self._queue.get(timeout=max(until - time.monotonic(), 0)))
                except queue.Empty:
                    break
            self._write_safely(batch)
            with self._idle:
                self._pending -= len(batch)
                self._idle.notify_all()

    def _write_safely(self, batch: list[tuple[Database, audit.Pending]]) -> None:
        for pause in (*self.RETRY_S, None):
            try:
                self._write(batch)
                return
            except Exception:  # noqa: BLE001 - a failed batch must not stop the writer
                if pause is None:
                    log.exception("could not write %d engine audit entries together; "
                                  "writing them one by one", len(batch))
                    break
                time.sleep(pause)
        for item in batch:
            try:
                self._write([item])
            except Exception:  # noqa: BLE001 - the entry is kept in the log instead
                log.exception("could not write an engine audit entry: %r", item[1])

    @staticmethod
    def _write(batch: list[tuple[Database, audit.Pending]]) -> None:
        by_db: dict[int, tuple[Database, list[audit.Pending]]] = {}
        for db, pending in batch:
            by_db.setdefault(id(db), (db, []))[1].append(pending)
        for db, entries in by_db.values():
            with db.session() as session:
                audit.record_many(session, entries)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every submitted entry is written; False if ``timeout`` passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout=timeout)

    def close(self, timeout: float = 30.0) -> bool:
        """Write what is waiting, and from now on write each entry as it is submitted (the
        service is stopping: nothing may wait in a queue nobody will read)."""
        with self._start:
            self._closed = True
        return self.flush(timeout)

    def clear(self) -> None:
        """Write what is waiting (a cache's ``clear``: nothing is ever dropped)."""
        self.flush()


def record_statement(runtime: Runtime, caller: EngineCaller, *, action: str, outcome: str,
                     detail: dict[str, object]) -> None:
    """Audit one statement of a cluster's credential (the app's own are not audited here);
    written by the runtime's :class:`AuditWriter`."""
    if caller.is_app:
        return
    runtime.caches.of(AuditWriter).submit(runtime.db, action, caller.actor, {
        "outcome": outcome, "target_type": "cluster", "target_id": caller.cluster_id or "",
        "cluster_id": caller.cluster_id, "detail": detail})
