"""A daemon thread that runs one piece of work every few seconds, in the app process."""

from __future__ import annotations

import logging
import threading
import time
from abc import ABC, abstractmethod

log = logging.getLogger(__name__)


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
