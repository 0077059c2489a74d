"""Dash background-callback managers, chosen at start-up.

- ``REDIS_URL`` set: :class:`CeleryJobs`, Dash's ``CeleryManager`` over the Celery app of
  :mod:`services.core.jobs` (broker and results in that Redis).
- Otherwise: :class:`ThreadJobs`, results in a diskcache folder of the instance, jobs in
  threads of the web process that queued them. Every web process (``LYCEUM_WORKERS``) shares
  that folder: the job's state, result and cancellation live there, so whichever process
  answers the renderer's next poll finds them. (Dash's ``DiskcacheManager`` forks a process
  per job; threads keep one ClickHouse client and one metadata pool per process.)

Either way every job runs as the user who asked: it rebuilds a request context from that
user's session cookie (:mod:`auth.job_session`), so the callback's ``require_role`` checks
the server-side session and role inside the job, not only when the job was queued.
"""

from __future__ import annotations

import functools
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from dash import callback_context
from dash.background_callback.managers import BaseBackgroundCallbackManager
from dash.background_callback.managers.celery_manager import CeleryManager
from flask import Flask

from auth.job_session import as_requester, session_cookie
from lyceum.dash_adapter import celery_job_fn, disk_job_fn, progress_key, set_props_key
from lyceum.settings import Settings
from services.core.jobs import celery_app
from services.core.leases import holder_is_dead

F = TypeVar("F", bound=Callable[..., Any])
#: Where ``bind`` leaves the manager on the Flask app.
EXTENSION = "lyceum_jobs"
#: Seconds an uncollected result (a closed tab, a cancelled job) is kept.
RESULT_EXPIRE_S = 600.0
#: Threads running jobs in each web process when there is no Redis.
JOB_THREADS = 4


def _state_key(job_id: str) -> str:
    return f"job-state:{job_id}"


def _cancel_key(job_id: str) -> str:
    return f"job-cancel:{job_id}"


def _owner() -> str:
    """This process, as :func:`services.core.leases.holder_is_dead` reads it."""
    return f"{socket.gethostname()}:{os.getpid()}"


def as_requester_job(fn: Callable[..., Any], server_of: Callable[[], Flask]) -> Callable[..., Any]:
    """``fn`` run inside a request context for the user whose session cookie the job got."""
    @functools.wraps(fn)
    def job(*args: Any, **kwargs: Any) -> Any:
        with as_requester(server_of(), cookies=callback_context.cookies,
                          remote=callback_context.remote):
            return fn(*args, **kwargs)
    return job


def checked_before_queueing(check: Callable[..., None]) -> Callable[[F], F]:
    """Mark a background callback with a check that runs in the request, before its job is
    queued, with the callback's arguments (e.g. ``require_role``, raising ``PreventUpdate``
    to refuse). The job checks again when it runs; this keeps refused users off the queue.
    Put it under ``@callback``."""
    def mark(fn: F) -> F:
        fn.lyceum_precheck = check  # type: ignore[attr-defined]
        return fn
    return mark


def _run_precheck(check: Callable[..., None] | None, args: Any) -> None:
    if check is None:
        return
    if isinstance(args, dict):
        check(**args)
    elif isinstance(args, (list, tuple)):
        check(*args)
    else:
        check(args)


def job_context(server: Flask | None, context: Any) -> dict[str, Any]:
    """What of a request's callback context travels with a job: the callback's inputs and
    the session cookie; no other cookie and no header (they would sit in the job queue)."""
    kept = dict(context)
    kept["headers"] = {}
    kept["cookies"] = session_cookie(server, context.get("cookies") or {}) if server else {}
    return kept


@dataclass
class _Job:
    key: str
    job_id: str = ""
    future: Future[None] | None = None
    cancelled: threading.Event = field(default_factory=threading.Event)
    started: float = field(default_factory=time.monotonic)


_running = threading.local()


def current_job_cancelled() -> bool:
    """Whether the background job running on this thread was cancelled meanwhile (a newer
    view replaced it, the page was left). ``False`` outside a thread job (Celery workers are
    interrupted by Celery itself)."""
    job: _Job | None = getattr(_running, "job", None)
    manager: ThreadJobs | None = getattr(_running, "manager", None)
    return job is not None and manager is not None and manager.cancelled(job)


class _JobStore:
    """Where a job writes its result and progress: the diskcache, with an expiry; writes of a
    job that was cancelled meanwhile are dropped."""

    def __init__(self, manager: ThreadJobs) -> None:
        self.manager = manager

    def set(self, key: str, value: Any) -> None:
        job: _Job | None = getattr(_running, "job", None)
        if job is None or not self.manager.cancelled(job):
            self.manager.handle.set(key, value, expire=self.manager.expire)


class ThreadJobs(BaseBackgroundCallbackManager):
    """Background callbacks in threads of this process, results in diskcache.

    Cancelling a job that has not started drops it; a job already running cannot be
    interrupted (its query finishes) but its result is thrown away.
    """

    def __init__(self, folder: Path, *, threads: int = JOB_THREADS,
                 expire: float = RESULT_EXPIRE_S) -> None:
        self.folder, self.threads, self.expire = folder, threads, expire
        self.store = _JobStore(self)
        self._handle: Any = None
        self.server: Flask | None = None
        self._jobs: dict[str, _Job] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._prechecks: dict[int, Callable[..., None]] = {}
        super().__init__(None)

    @property
    def handle(self) -> Any:
        """The diskcache of results, opened on first use (most apps in tests never run a job)."""
        if self._handle is None:
            import diskcache

            with self._lock:
                if self._handle is None:
                    self.folder.mkdir(parents=True, exist_ok=True)
                    self._handle = diskcache.Cache(str(self.folder), timeout=5)
        return self._handle

    def bind(self, server: Flask) -> None:
        """The Flask app whose sessions and runtime the jobs use."""
        self.server = server
        server.extensions[EXTENSION] = self

    def _server(self) -> Flask:
        if self.server is None:
            raise RuntimeError("ThreadJobs.bind(server) was not called")
        return self.server

    def make_job_fn(self, fn: Callable[..., Any], progress: bool, key: str | None = None) -> Any:
        job_fn = disk_job_fn(as_requester_job(fn, self._server), self.store, progress)
        check = getattr(fn, "lyceum_precheck", None)
        if check is not None:
            self._prechecks[id(job_fn)] = check
        return job_fn

    def cancelled(self, job: _Job) -> bool:
        """Whether ``job`` was cancelled, by this process or by another one."""
        if not job.cancelled.is_set() and self.handle.get(_cancel_key(job.job_id)) is not None:
            job.cancelled.set()
        return job.cancelled.is_set()

    def _mark(self, job: _Job, state: str) -> None:
        """Record ``job``'s state where every web process of the instance can read it."""
        self.handle.set(_state_key(job.job_id), (state, job.key, _owner()), expire=self.expire)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> str:
        _run_precheck(self._prechecks.get(id(job_fn)), args)
        job_id = uuid.uuid4().hex
        job = _Job(key, job_id)
        ctx = job_context(self.server, context)
        self._mark(job, "running")  # before the pool may finish it (and outside the lock)

        def run() -> None:
            if self.cancelled(job):
                return
            _running.job, _running.manager = job, self
            try:
                job_fn(key, progress_key(key), args, ctx)
            finally:
                _running.job = _running.manager = None
                self._mark(job, "done")

        with self._lock:
            self._forget_uncollected()
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="dash-job")
            self._jobs[job_id] = job
            job.future = self._pool.submit(run)
        return job_id

    def _forget_uncollected(self) -> None:
        """Drop finished jobs whose result nobody collected (their result has expired)."""
        old = time.monotonic() - self.expire
        for job_id in [k for k, j in self._jobs.items() if j.started < old
                       and j.future is not None and j.future.done()]:
            del self._jobs[job_id]

    def terminate_job(self, job: Any) -> None:
        if job is None:
            return
        with self._lock:
            found = self._jobs.pop(str(job), None)
        if found is None:  # queued by another web process: it sees the mark and drops it
            if self.handle.get(_state_key(str(job))) is not None:
                self.handle.set(_cancel_key(str(job)), True, expire=self.expire)
                self.handle.delete(_state_key(str(job)))
            return
        self.handle.delete(_state_key(found.job_id))
        if found.future is not None and not found.future.done():
            found.cancelled.set()
            found.future.cancel()

    def terminate_unhealthy_job(self, job: Any) -> bool:
        return False

    def job_running(self, job: Any) -> bool:
        # A job that finished after the result was looked for still counts as running
        # while its result waits, so the next poll collects it instead of giving up.
        with self._lock:
            found = self._jobs.get(str(job))
        if found is None:
            return self._running_elsewhere(str(job))
        if found.future is None:
            return False
        return not found.future.done() or (not found.cancelled.is_set()
                                           and self.result_ready(found.key))

    def _running_elsewhere(self, job_id: str) -> bool:
        """A job another web process queued: running while its owner lives, or finished with
        a result waiting."""
        mark = self.handle.get(_state_key(job_id))
        if mark is None:
            return False
        state, key, owner = mark
        if state == "running":
            return not holder_is_dead(owner)
        return self.result_ready(key)

    def clear_cache_entry(self, key: str) -> None:
        self.handle.delete(key)

    def get_or_create_signing_secret(self, generate: Callable[[], bytes]) -> Any:
        self.handle.add(self.SIGNING_SECRET_KEY, generate())
        return self.handle.get(self.SIGNING_SECRET_KEY)

    def get_progress(self, key: str) -> Any:
        where = progress_key(key)
        found = self.handle.get(where)
        if found:
            self.handle.delete(where)
        return found

    def result_ready(self, key: str) -> bool:
        return self.handle.get(key) is not None

    def get_result(self, key: str, job: Any) -> Any:
        result = self.handle.get(key, self.UNDEFINED)
        if result is self.UNDEFINED:
            return self.UNDEFINED
        self.clear_cache_entry(key)
        self.clear_cache_entry(progress_key(key))
        self.terminate_job(job)
        return result

    def get_updated_props(self, key: str) -> Any:
        where = set_props_key(key)
        found = self.handle.get(where, self.UNDEFINED)
        if found is self.UNDEFINED:
            return {}
        self.clear_cache_entry(where)
        return found


#: The Flask app each Celery app's jobs run in (a task is registered once per Celery app,
#: so the app is looked up when the job runs; the latest bound app of this process).
_celery_servers: dict[int, Flask] = {}


class _OwnTasks:
    """The Celery app as Dash's job factory sees it, registering tasks with this app only
    (Celery adds a decorated task to every app of the process unless ``shared=False``)."""

    def __init__(self, app: Any) -> None:
        self.app, self.backend = app, app.backend

    def task(self, **options: Any) -> Any:
        return self.app.task(shared=False, **options)


class CeleryJobs(CeleryManager):
    """Dash's Celery manager, with jobs run as the requester and a lean job context."""

    def __init__(self, celery_app: Any, *, expire: float | None = None) -> None:
        self._prechecks: dict[str, Callable[..., None]] = {}
        self._waiting: dict[str, str] = {}
        self._lock = threading.Lock()
        super().__init__(celery_app, expire=expire)

    def bind(self, server: Flask) -> None:
        """The Flask app whose sessions and runtime the jobs of this process use."""
        _celery_servers[id(self.handle)] = server
        server.extensions[EXTENSION] = self

    def make_job_fn(self, fn: Callable[..., Any], progress: bool, key: str | None = None) -> Any:
        name = f"background_callback_{key}"
        check = getattr(fn, "lyceum_precheck", None)
        if check is not None:
            self._prechecks[name] = check
        existing = self.handle.tasks.get(name)
        if existing is not None:  # another app of this process registered it already
            return existing
        app_id = id(self.handle)

        def server_of() -> Flask:
            if app_id not in _celery_servers:
                raise RuntimeError("CeleryJobs.bind(server) was not called in this process")
            return _celery_servers[app_id]
        return celery_job_fn(as_requester_job(fn, server_of), _OwnTasks(self.handle), progress,
                             key)

    def call_job_fn(self, key: str, job_fn: Any, args: Any, context: Any) -> Any:
        _run_precheck(self._prechecks.get(getattr(job_fn, "name", "")), args)
        server = _celery_servers.get(id(self.handle))
        return super().call_job_fn(key, job_fn, args, job_context(server, context))

    def get_result(self, key: str, job: Any) -> Any:
        found = super().get_result(key, job)
        if found is self.UNDEFINED and job is not None:
            with self._lock:  # Dash asks job_running(job) next: remember what it waits for
                self._waiting[str(job)] = key
        return found

    def job_running(self, job: Any) -> bool:
        # The task writes its result, then turns SUCCESS: one that finished between the
        # result lookup and this check counts as running, so the next poll collects it.
        with self._lock:
            key = self._waiting.pop(str(job), None)
        if super().job_running(job):
            return True
        return key is not None and self.result_ready(key)

    def terminate_job(self, job: Any) -> None:
        # Workers run jobs in threads, which cannot be killed: revoke (a queued job is
        # skipped; a running one finishes and its result expires uncollected). Dash also
        # calls this after collecting a result: a finished job needs no broadcast.
        if job is not None and not self.handle.AsyncResult(job).ready():
            self.handle.control.revoke(job)


def make_manager(settings: Settings) -> ThreadJobs | CeleryJobs:
    """The background-callback manager for these settings (Celery when REDIS_URL is set)."""
    if settings.redis_url:
        return CeleryJobs(celery_app(settings.redis_url))
    return ThreadJobs(settings.instance_path / "cache" / "jobs")


def jobs_manager(server: Flask) -> ThreadJobs | CeleryJobs:
    """The background-callback manager bound to ``server``."""
    found: ThreadJobs | CeleryJobs = server.extensions[EXTENSION]
    return found
