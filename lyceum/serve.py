"""``python -m lyceum run``: the engine service as a supervised child, the web app in N processes.

:class:`EngineSupervisor` starts ``python -m lyceum engine`` (the ClickHouse HTTP interface
over the instance's chDB data path), waits for its ``/ping``, restarts it when it dies (with a
back-off) and stops it with the app. :class:`WebServer` is gunicorn with ``LYCEUM_WORKERS``
processes of ``LYCEUM_THREADS`` threads (``gthread``); each worker opens its own runtime (a
ClickHouse client over HTTP, its own metadata-DB pool) after the fork, so no connection is
ever shared between processes, and bids for the deployment's duties
(:mod:`services.startup.background`).
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from lyceum.errors import ConfigError
from lyceum.settings import Settings

log = logging.getLogger(__name__)
#: Seconds the engine has to answer ``/ping`` after it starts.
ENGINE_READY_S = 60.0
#: Back-off between restarts of an engine that keeps dying: doubles up to the maximum.
RESTART_FIRST_S = 0.5
RESTART_MAX_S = 15.0
#: An engine that ran this long before it died is restarted at once (a crash, not a loop).
STABLE_S = 60.0
#: Seconds a gunicorn worker may stay silent (its main loop, not a request) before it is
#: replaced, and seconds given to requests in flight at shutdown.
WORKER_TIMEOUT_S = 120
GRACEFUL_S = 20
#: Seconds an idle keep-alive connection stays open. A server that closes one just as the
#: client sends its next request on it resets that request (ECONNRESET): browsers retry,
#: but API clients need not (Playwright's did, after an idle 5 s, gunicorn's default). Kept
#: above the idle time of the usual clients' pools (Node's agents 5 s, the ClickHouse
#: clients' 2.5-3 s), so that they, not the server, close a connection gone quiet; held
#: connections wait in the worker's poller, not on a thread.
KEEPALIVE_S = 75


def engine_answers(host: str, port: int, *, timeout: float = 1.0) -> bool:
    """True when an engine service answers ``GET /ping`` with ``Ok.`` on ``host:port``."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/ping", timeout=timeout) as answer:
            return bool(answer.status == 200 and answer.read().strip() == b"Ok.")
    except (OSError, urllib.error.URLError):
        return False


class EngineSupervisor:
    """The bundled engine service as a child process: started, awaited, restarted, stopped."""

    def __init__(self, settings: Settings, *, command: list[str] | None = None,
                 ready_s: float = ENGINE_READY_S) -> None:
        self.host, self.port = settings.engine_host, settings.engine_port
        self.command = command or [sys.executable, "-m", "lyceum", "engine"]
        self.ready_s = ready_s
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the engine and return once it answers ``/ping``; then watch it."""
        if engine_answers(self.host, self.port):
            raise ConfigError(
                f"Something already answers on the engine port {self.host}:{self.port}. Stop "
                "it, choose another LYCEUM_ENGINE_PORT, or set LYCEUM_ENGINE_MANAGED=off to "
                "use an engine service started separately.")
        self._spawn()
        self._await_ready()
        self._thread = threading.Thread(target=self._watch, name="engine-supervisor",
                                        daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        with self._lock:
            self.process = subprocess.Popen(self.command, env=os.environ.copy())
        log.info("engine service started (pid %d) on %s:%d", self.process.pid, self.host,
                 self.port)

    def _await_ready(self) -> None:
        deadline = time.monotonic() + self.ready_s
        while time.monotonic() < deadline:
            if engine_answers(self.host, self.port):
                return
            process = self.process
            if process is not None and process.poll() is not None and not self._stopping.is_set():
                raise ConfigError(f"The engine service exited with status {process.returncode} "
                                  "before it answered; see its messages above.")
            time.sleep(0.1)
        raise ConfigError(f"The engine service did not answer /ping on {self.host}:{self.port} "
                          f"within {self.ready_s:.0f} s.")

    def _watch(self) -> None:
        pause, started = RESTART_FIRST_S, time.monotonic()
        while not self._stopping.wait(0.5):
            process = self.process
            if process is None or process.poll() is None:
                continue
            if self._stopping.is_set():
                return
            ran = time.monotonic() - started
            log.error("engine service (pid %d) exited with status %s after %.0f s; restarting",
                      process.pid, process.returncode, ran)
            pause = RESTART_FIRST_S if ran > STABLE_S else min(pause * 2, RESTART_MAX_S)
            if self._stopping.wait(pause):
                return
            self.restarts += 1
            started = time.monotonic()
            self._spawn()
            try:
                self._await_ready()
            except ConfigError:
                log.exception("the restarted engine service is not ready")

    def stop(self, *, timeout: float = 20.0) -> None:
        """Stop watching and stop the engine (SIGTERM, then SIGKILL after ``timeout``)."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(2)
        with self._lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.info("engine service stopped")


class WebServer(BaseApplication):
    """gunicorn serving the app: ``settings.workers`` processes of ``settings.threads``
    threads; ``make_app`` builds a worker's WSGI app after the fork, ``on_exit`` runs when
    the server stops, ``worker_exit`` in each worker as it ends."""

    def __init__(self, settings: Settings, *, make_app: Callable[[], Any],
                 on_exit: Callable[[], None], worker_exit: Callable[[], None]) -> None:
        self.settings = settings
        self.make_app, self.on_exit, self.worker_exit = make_app, on_exit, worker_exit
        super().__init__()

    def load_config(self) -> None:
        """The server's settings, from ours (gunicorn reads no file and no command line)."""
        options = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "gthread",
            "threads": self.settings.threads,
            "timeout": WORKER_TIMEOUT_S,
            "graceful_timeout": GRACEFUL_S,
            "keepalive": KEEPALIVE_S,
            # the longest request line gunicorn reads: a view's link (explorer ?s=, at most
            # services.explorer.state.MAX_ENCODED characters) must fit in it
            "limit_request_line": 8190,
            "backlog": 1024,
            "proc_name": "lyceum",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "on_exit": lambda _server: self.on_exit(),
            "worker_exit": lambda _server, worker: self._worker_ends(worker),
        }
        for key, value in options.items():
            self.cfg.set(key, value)

    def _worker_ends(self, worker: Any) -> None:
        """gunicorn calls this in a worker as it ends (and in the server when it finds a
        worker already gone): our clean-up, then, in the worker, no slow way out."""
        self.worker_exit()
        if getattr(worker, "pid", None) == os.getpid():
            leave_if_stopping()

    def load(self) -> Any:
        """The WSGI app of one worker (called in the worker, after the fork)."""
        return self.make_app()


def leave_if_stopping() -> None:
    """End this process at once if it is already on its way out with status 0.

    Called from a ``finally`` block while a ``SystemExit`` is in flight. A web worker's
    clean-up has run by then (background work stopped, leases given up, clients closed); what
    the interpreter would still do is collect every object the worker holds (the explorer's
    curves: millions of them), which took 15-20 s, so the server killed workers with SIGKILL
    and reported "Perhaps out of memory?" on every Ctrl-C. Any other status (a worker that
    failed to boot, an error) goes the normal way, so gunicorn still sees it.
    """
    pending = sys.exc_info()[1]
    if not isinstance(pending, SystemExit) or pending.code not in (0, None):
        return
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(0)
