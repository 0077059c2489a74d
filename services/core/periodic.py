"""A daemon thread that runs one piece of work every few seconds, in the app process."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar

log = logging.getLogger(__name__)


class Background(Protocol):
    """A thread-owning object that can be started and stopped."""

    @property
    def running(self) -> bool: ...
    def start(self) -> None: ...
    def stop(self, *, timeout: float = 10.0) -> None: ...


P = TypeVar("P", bound=Background)


class Periodic(ABC):
    """Calls :meth:`work` every ``interval_s`` seconds until stopped; an error is logged and
    the next round runs as usual. Subclasses implement :meth:`work`."""

    name = "periodic"

    def __init__(self, *, interval_s: float) -> None:
        self.interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=self.name, daemon=True)

    @property
    def running(self) -> bool:
        """True while the thread runs."""
        return self._thread.is_alive()

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, *, timeout: float = 10.0) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @abstractmethod
    def work(self) -> None:
        """One round of work."""

    def _loop(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.work()
            except Exception:  # noqa: BLE001 - keep going next round
                log.exception("%s: round failed", self.name)
            self._stop.wait(max(0.5, self.interval_s - (time.monotonic() - started)))


class OnePerProcess(Generic[P]):
    """Holds the single running instance of a background thread (e.g. a :class:`Periodic`)
    in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: P | None = None

    @property
    def running(self) -> bool:
        """True while an instance runs."""
        return self._running is not None and self._running.running

    def start(self, make: Callable[[], P]) -> P:
        """Start ``make()`` unless one runs already; return the running one."""
        with self._lock:
            if self._running is None or not self._running.running:
                self._running = make()
                self._running.start()
            return self._running

    def stop(self, *, timeout: float = 10.0) -> None:
        """Stop the running one, if any."""
        with self._lock:
            if self._running is not None:
                self._running.stop(timeout=timeout)
                self._running = None
