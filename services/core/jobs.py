"""Background jobs through Celery when REDIS_URL is set: the Celery app, and its workers.

Redis is both the broker and the result store. Every web process consumes jobs in a few
threads of its own (:func:`start_embedded_worker`); separate worker processes may take jobs
too (:func:`run_worker`, ``python -m lyceum worker``), reaching ClickHouse over HTTP like the
web processes. They use threads as well, so no database connection is ever shared across a
fork.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from lyceum.errors import ConfigError
from lyceum.settings import Settings
from services.core.runtime import Runtime

log = logging.getLogger(__name__)
#: How long a job's result waits in Redis to be collected before it expires.
RESULT_EXPIRES_S = 3600
#: Threads of the worker inside the app process.
EMBEDDED_THREADS = 2
#: Celery's per-task loggers ("received", "succeeded"), kept to warnings in the app process.
QUIET_LOGGERS = ("celery.app.trace", "celery.worker.strategy")

_apps: dict[str, Any] = {}
_apps_lock = threading.Lock()


def celery_app(redis_url: str) -> Any:
    """The process's Celery app for ``redis_url`` (broker and result backend), made once."""
    from celery import Celery

    with _apps_lock:
        if redis_url not in _apps:
            app = Celery("lyceum", broker=redis_url, backend=redis_url, set_as_current=False)
            app.conf.update(
                task_serializer="json", result_serializer="json", accept_content=["json"],
                result_expires=RESULT_EXPIRES_S, task_track_started=True,
                worker_prefetch_multiplier=1, worker_hijack_root_logger=False,
                broker_connection_retry_on_startup=True,
                broker_transport_options={"visibility_timeout": RESULT_EXPIRES_S})
            _apps[redis_url] = app
        return _apps[redis_url]


def _hostname(kind: str) -> str:
    return f"lyceum-{kind}-{os.getpid()}@{socket.gethostname()}"


class _EmbeddedWorker:
    """A Celery worker consuming in a daemon thread of the app process."""

    def __init__(self, app: Any, *, threads: int) -> None:
        ready = threading.Event()

        class Controller(app.WorkController):
            def on_consumer_ready(self, consumer: Any) -> None:
                super().on_consumer_ready(consumer)
                ready.set()

        self.ready = ready
        self.controller = Controller(
            app=app, hostname=_hostname("embedded"), pool="threads", concurrency=threads,
            loglevel="WARNING", without_heartbeat=True, without_mingle=True,
            without_gossip=True)
        self.thread = threading.Thread(target=self.controller.start, name="celery-embedded",
                                       daemon=True)

    def stop(self, *, timeout: float) -> None:
        from celery.worker import state

        state.should_terminate = 0  # the consumer loop checks this and shuts down
        self.thread.join(timeout)
        state.should_terminate = None
        if self.thread.is_alive():
            log.warning("the embedded job worker did not stop within %.0f s", timeout)


_embedded: _EmbeddedWorker | None = None
_embedded_lock = threading.Lock()


def start_embedded_worker(runtime: Runtime, *, threads: int = EMBEDDED_THREADS,
                          wait_s: float = 15.0) -> bool:
    """Start the in-process worker when REDIS_URL is set (once per process); ``True`` if it
    runs. Waits up to ``wait_s`` for it to consume."""
    global _embedded
    url = runtime.settings.redis_url
    if not url:
        return False
    with _embedded_lock:
        if _embedded is None:
            for name in QUIET_LOGGERS:  # two INFO lines per job would flood the app's log
                logging.getLogger(name).setLevel(logging.WARNING)
            app = celery_app(url)
            app.set_default()  # pool threads trace tasks in the default app (one per process)
            worker = _EmbeddedWorker(app, threads=threads)
            worker.thread.start()
            if not worker.ready.wait(wait_s):
                log.warning("the embedded job worker is not consuming yet after %.0f s", wait_s)
            _embedded = worker
            log.info("background jobs: Celery worker in this process (%d threads)", threads)
    return True


def stop_embedded_worker(*, timeout: float = 10.0) -> None:
    """Stop the in-process worker, if one runs."""
    global _embedded
    with _embedded_lock:
        if _embedded is not None:
            _embedded.stop(timeout=timeout)
            _embedded = None


def check_external_worker(settings: Settings) -> None:
    """Refuse a separate worker process without REDIS_URL (Redis is the job queue). It
    reaches ClickHouse over HTTP like the web processes: the bundled engine service or a
    server."""
    if not settings.redis_url:
        raise ConfigError("A separate job worker needs REDIS_URL (Redis is the job queue).")


def run_worker(runtime: Runtime, *, threads: int) -> int:
    """Consume jobs in this process until stopped (SIGTERM/SIGINT); the exit code.

    The app's background callbacks must be registered first (``create_app``)."""
    check_external_worker(runtime.settings)
    assert runtime.settings.redis_url
    app = celery_app(runtime.settings.redis_url)
    app.set_default()  # pool threads trace tasks in the default app
    worker = app.Worker(hostname=_hostname("worker"), pool="threads", concurrency=threads,
                        loglevel="INFO", without_mingle=True, without_gossip=True)
    worker.start()
    return int(worker.exitcode or 0)
