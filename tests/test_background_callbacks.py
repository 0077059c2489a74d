"""Which background-callback manager the app gets, what a job keeps of the request, and the
in-process manager's cancel and expiry."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from lyceum.background_callbacks import (
    RESULT_EXPIRE_S,
    CeleryJobs,
    ThreadJobs,
    current_job_cancelled,
    job_context,
    jobs_manager,
    make_manager,
)
from services.core import jobs
from services.core.runtime import Runtime
from tests.jobs import wait_for_result


def test_without_redis_jobs_run_in_threads_with_results_in_the_instance(
        runtime: Runtime) -> None:
    manager = make_manager(runtime.settings)
    assert isinstance(manager, ThreadJobs)
    assert manager.folder == runtime.settings.instance_path / "cache" / "jobs"


def test_with_redis_jobs_go_through_celery_on_that_redis(runtime: Runtime) -> None:
    url = "redis://127.0.0.1:6399/3"
    manager = make_manager(runtime.settings.with_overrides(redis_url=url))
    assert isinstance(manager, CeleryJobs)
    assert manager.handle is jobs.celery_app(url)
    assert manager.handle.conf.broker_url == url
    assert manager.handle.conf.result_backend == url
    assert type(manager.handle.backend).__name__ == "RedisBackend"


def test_the_app_gets_the_chosen_manager(server: Flask) -> None:
    assert isinstance(jobs_manager(server), ThreadJobs)


def test_a_job_keeps_only_the_session_cookie_and_no_header(server: Flask) -> None:
    context = {"inputs_list": [{"id": "x", "property": "value", "value": 1}],
               "cookies": {"lyceum_session": "abc.def", "other": "secret"},
               "headers": {"Cookie": "lyceum_session=abc.def; other=secret",
                           "Authorization": "Bearer x"}, "remote": "10.0.0.1"}
    kept = job_context(server, context)
    assert kept["cookies"] == {"lyceum_session": "abc.def"} and kept["headers"] == {}
    assert kept["inputs_list"] == context["inputs_list"] and kept["remote"] == "10.0.0.1"
    smuggled = job_context(server, {"cookies": {"lyceum_session": "a; other=b"}})
    assert smuggled["cookies"] == {}


def _job(manager: ThreadJobs, fn: Any) -> Any:
    fn.__name__ = f"job_{id(fn)}"
    return manager.make_job_fn(fn, False, fn.__name__)


def test_thread_jobs_run_cancel_and_expire(server: Flask, tmp_path: Path) -> None:
    manager = ThreadJobs(tmp_path / "jobs", threads=1)
    manager.bind(server)
    gate, started, ran = threading.Event(), threading.Event(), []

    def slow(x: int) -> int:
        started.set()
        gate.wait(10)
        ran.append(x)
        return x * 2

    job_fn = _job(manager, slow)
    context: dict[str, Any] = {"cookies": {}}
    first = manager.call_job_fn("k1", job_fn, [1], context)
    queued = manager.call_job_fn("k2", job_fn, [2], context)
    assert manager.job_running(first) and manager.job_running(queued)
    manager.terminate_job(queued)  # not started yet: never runs
    assert not manager.job_running(queued)
    gate.set()
    manager._jobs[first].future.result(10)  # type: ignore[union-attr]
    # finished, result not collected yet: still "running", so the next poll collects it
    assert manager.job_running(first)
    assert wait_for_result(manager, "k1", first) == 2
    assert not manager.job_running(first) and ran == [1]
    assert manager.get_result("k2", queued) is manager.UNDEFINED

    gate.clear()
    started.clear()
    running = manager.call_job_fn("k3", job_fn, [3], context)
    assert started.wait(10)
    manager.terminate_job(running)  # already running: its result is thrown away
    gate.set()
    manager._pool.shutdown(wait=True)  # type: ignore[union-attr]
    assert ran == [1, 3] and manager.get_result("k3", running) is manager.UNDEFINED

    manager.store.set("k4", "value")
    _, expires = manager.handle.get("k4", expire_time=True)
    assert expires == pytest.approx(time.time() + RESULT_EXPIRE_S, abs=5)


def test_another_web_process_sees_a_job_run_finish_and_cancel(server: Flask,
                                                              tmp_path: Path) -> None:
    """Two managers on one folder stand for two web workers: the renderer's polls may reach
    either, and each must answer as the one that queued the job would."""
    owner, other = ThreadJobs(tmp_path / "jobs", threads=1), ThreadJobs(tmp_path / "jobs")
    owner.bind(server)
    other.bind(server)
    gate = threading.Event()

    def slow(x: int) -> int:
        gate.wait(10)
        return x * 2

    job_fn = _job(owner, slow)
    context: dict[str, Any] = {"cookies": {}}
    first = owner.call_job_fn("k1", job_fn, [1], context)
    assert other.job_running(first) and not other.result_ready("k1")
    gate.set()
    owner._jobs[first].future.result(10)  # type: ignore[union-attr]
    assert other.job_running(first)  # finished, result waiting: the next poll collects it
    assert wait_for_result(other, "k1", first) == 2
    assert not other.job_running(first)

    gate.clear()
    second = owner.call_job_fn("k2", job_fn, [2], context)
    other.terminate_job(second)  # cancelled from the other process: its result is dropped
    assert not other.job_running(second)
    gate.set()
    owner._pool.shutdown(wait=True)  # type: ignore[union-attr]
    assert owner.get_result("k2", second) is owner.UNDEFINED
    assert not other.job_running("never-queued")


def test_a_running_job_learns_it_was_cancelled(server: Flask, tmp_path: Path) -> None:
    """A thread job cannot be interrupted, but code it runs can ask whether it was
    cancelled (to stop waiting for a slot, say); outside a job the answer is no."""
    manager = ThreadJobs(tmp_path / "jobs", threads=1)
    manager.bind(server)
    started, gate, seen = threading.Event(), threading.Event(), []

    def watch(_x: int) -> int:
        seen.append(current_job_cancelled())
        started.set()
        gate.wait(10)
        seen.append(current_job_cancelled())
        return 0

    job = manager.call_job_fn("k1", _job(manager, watch), [1], {"cookies": {}})
    assert started.wait(10)
    manager.terminate_job(job)
    gate.set()
    manager._pool.shutdown(wait=True)  # type: ignore[union-attr]
    assert seen == [False, True] and not current_job_cancelled()
