"""Once per deployment, whatever the number of processes: leases in the metadata database.

Every app process (each web worker, the ``run`` process while it sets up) has one
:class:`LeaseKeeper`, whose identity names the host, the process id and a random token. The
keeper announces the process (a ``process:<identity>`` lease) and renews every lease it holds
every :data:`RENEW_S` seconds; a lease lives :data:`TTL_S` seconds, so a process that dies or
hangs loses its leases that long after its last renewal and another one takes them over.

:class:`Duties` is the work one process of the deployment does for all of them (the demo
feed, alert evaluation, usage sampling and tier-move observation, the purge of expired
secrets): each process tries to take the ``duties`` lease every round; the holder runs the
duties, the others wait to take over.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
from collections.abc import Callable

from data.metadata import leases as repo
from data.metadata.db import Database

log = logging.getLogger(__name__)
#: Seconds a lease lives after its last renewal.
TTL_S = 20.0
#: Seconds between renewals (and between attempts to take a duty over).
RENEW_S = 5.0
DUTIES = "duties"
PROCESS_PREFIX = "process:"


def process_identity() -> str:
    """``host:pid:token``: unique to this process, and says where to look if it is alive."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def holder_is_dead(holder: str) -> bool:
    """True when ``holder`` names a process of this host that no longer runs (a crash that
    left its leases behind); a process of another host is judged by its lease expiring."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class LeaseKeeper:
    """The leases of one process: taken on request, renewed by a daemon thread, released at
    :meth:`stop`."""

    def __init__(self, db: Database, *, identity: str | None = None, ttl_s: float = TTL_S,
                 renew_s: float = RENEW_S) -> None:
        self.db = db
        self.identity = identity or process_identity()
        self.ttl_s, self.renew_s = ttl_s, renew_s
        self._held: set[str] = set()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def process_lease(self) -> str:
        """The name of the lease that says this process is alive."""
        return PROCESS_PREFIX + self.identity

    def take(self, name: str) -> bool:
        """Take (or renew) ``name``; ``True`` if this process holds it now."""
        taken = repo.take(self.db, name=name, holder=self.identity, now=time.time(),
                          seconds=self.ttl_s)
        with self._lock:
            if taken:
                self._held.add(name)
            else:
                self._held.discard(name)
        return taken

    def holds(self, name: str) -> bool:
        """Whether this process held ``name`` at its last renewal."""
        with self._lock:
            return name in self._held

    def release(self, name: str) -> None:
        """Give ``name`` up now (another process may take it at once)."""
        with self._lock:
            self._held.discard(name)
        repo.release(self.db, name=name, holder=self.identity)

    def others_alive(self) -> list[str]:
        """Identities of the other live processes of this deployment."""
        found = repo.live(self.db, prefix=PROCESS_PREFIX, now=time.time())
        return [holder for holder in found.values()
                if holder != self.identity and not holder_is_dead(holder)]

    def announce(self) -> None:
        """Say that this process is alive (for :data:`TTL_S` seconds, or while it renews)."""
        self.take(self.process_lease)

    def start(self) -> None:
        """Announce this process and renew its leases in a daemon thread from now on."""
        self.announce()
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="lease-keeper", daemon=True)
            self._thread.start()

    def renew(self) -> set[str]:
        """Renew every held lease once; return the names that were lost meanwhile."""
        with self._lock:
            names = sorted(self._held)
        return {name for name in names if not self.take(name)}

    def _loop(self) -> None:
        while not self._stop.wait(self.renew_s):
            try:
                lost = self.renew()
            except Exception:  # noqa: BLE001 - the database may be briefly busy; next round
                log.exception("lease renewal failed")
                continue
            if lost:
                log.warning("leases lost to another process: %s", ", ".join(sorted(lost)))

    def stop(self) -> None:
        """Stop renewing and release every lease this process holds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(self.renew_s + 1)
            self._thread = None
        with self._lock:
            names = sorted(self._held)
        for name in names:
            try:
                self.release(name)
            except Exception:  # noqa: BLE001 - an expired lease frees itself anyway
                log.exception("could not release lease %s", name)


class Duties:
    """Runs ``start`` in the one process that holds the ``duties`` lease, and ``stop`` when
    that process loses it; every process checks every :data:`RENEW_S` seconds."""

    def __init__(self, keeper: LeaseKeeper, *, start: Callable[[], None],
                 stop: Callable[[], None], name: str = DUTIES) -> None:
        self.keeper, self.name = keeper, name
        self._start, self._stop_duties = start, stop
        self.active = False
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """One round: take or renew the lease, start or stop the duties; whether held."""
        held = self.keeper.take(self.name)
        if held and not self.active:
            log.info("duties: taken by %s", self.keeper.identity)
            self._start()
            self.active = True
        elif not held and self.active:
            log.warning("duties: lost by %s", self.keeper.identity)
            self._stop_duties()
            self.active = False
        return held

    def start(self) -> None:
        """Check now, then every round in a daemon thread."""
        self._round()
        self._thread = threading.Thread(target=self._loop, name="duties", daemon=True)
        self._thread.start()

    def _round(self) -> None:
        try:
            self.check()
        except Exception:  # noqa: BLE001 - try again next round
            log.exception("duties: check failed")

    def _loop(self) -> None:
        while not self._halt.wait(self.keeper.renew_s):
            self._round()

    def stop(self) -> None:
        """Stop checking; stop the duties and give the lease up if held."""
        self._halt.set()
        if self._thread is not None:
            self._thread.join(self.keeper.renew_s + 1)
            self._thread = None
        if self.active:
            self._stop_duties()
            self.active = False
        self.keeper.release(self.name)
