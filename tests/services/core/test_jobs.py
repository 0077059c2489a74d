"""Celery workers for background jobs, on a real redis-server: the one inside the app process,
and ``python -m lyceum worker`` (only with a ClickHouse server)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from dash.background_callback.managers import BaseBackgroundCallbackManager
from flask import Flask

from data.metadata import memberships
from lyceum import cli
from lyceum.background_callbacks import CeleryJobs, jobs_manager
from lyceum.errors import ConfigError
from services.access.accounts import create_user
from services.core import jobs
from services.core.runtime import Runtime
from tests.access_world import register_cluster
from tests.jobs import wait_for_result
from tests.servers import ROOT, free_port
from tests.waiting import wait_until

PASSWORD = "correct horse battery"


def test_a_separate_worker_needs_redis_with_either_engine(runtime: Runtime) -> None:
    with pytest.raises(ConfigError, match="needs REDIS_URL"):
        jobs.check_external_worker(runtime.settings)
    with_redis = runtime.settings.with_overrides(redis_url="redis://127.0.0.1:1/0")
    jobs.check_external_worker(with_redis)  # the bundled engine service, over HTTP
    jobs.check_external_worker(with_redis.with_overrides(clickhouse_dsn="https://ch.example:8443"))


def test_the_worker_command_refuses_to_start_without_redis(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("LYCEUM_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert cli.main(["worker"]) == 2
    assert "needs REDIS_URL" in capsys.readouterr().err


def test_the_embedded_worker_starts_once_and_stops(runtime: Runtime, redis_url: str) -> None:
    assert not jobs.start_embedded_worker(runtime)  # no REDIS_URL: nothing to consume
    with_redis = replace(runtime, settings=runtime.settings.with_overrides(redis_url=redis_url))
    try:
        assert jobs.start_embedded_worker(with_redis)
        first = jobs._embedded
        assert jobs.start_embedded_worker(with_redis) and jobs._embedded is first
        assert first is not None and first.thread.is_alive()
    finally:
        jobs.stop_embedded_worker()
    assert jobs._embedded is None and not first.thread.is_alive()


@pytest.fixture
def remote_app(runtime: Runtime, redis_url: str, tmp_path: Path) -> Iterator[tuple[Flask, Any]]:
    """The app with REDIS_URL and a ClickHouse *server* DSN (nothing listens there), a viewer
    of one cluster, and ``python -m lyceum worker`` on the same metadata database."""
    from app import create_app

    settings = runtime.settings.with_overrides(
        redis_url=redis_url, clickhouse_dsn=f"http://127.0.0.1:{free_port()}")
    server = create_app(settings, runtime=replace(runtime, settings=settings))
    user = create_user(runtime.db, runtime.passwords, email="viewer@jobs.example",
                       password=PASSWORD)
    cid = register_cluster(runtime, "remote_plant", name="Remote")
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=cid, user_id=user.id, role="viewer",
                               granted_by=None)
    env = {**os.environ, "LYCEUM_INSTANCE": str(tmp_path / "worker"), "REDIS_URL": redis_url,
           "LYCEUM_SECRET_KEY": settings.secret_key, "LYCEUM_TOKEN_KEY": settings.token_key,
           "LYCEUM_DATABASE_URL": runtime.db.url,
           "LYCEUM_CLICKHOUSE_DSN": settings.clickhouse_dsn, "LYCEUM_DEMO": "off"}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "lyceum", "worker", "--threads", "1"],
                                   cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        def ready() -> bool:
            assert process.poll() is None, log.read_text(errors="replace")
            return "ready." in log.read_text(errors="replace")

        wait_until(ready, within=60, message=lambda: log.read_text(errors="replace"),
                   every=0.2)
        yield server, cid
    finally:
        process.terminate()
        process.wait(timeout=20)


def _sign_in(server: Flask) -> str:
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    client.post("/login", data={"email": "viewer@jobs.example", "password": PASSWORD,
                                "csrf_token": csrf.group(1)})
    cookie = client.get_cookie("lyceum_session")
    assert cookie is not None
    return cookie.value


def _queue_spc(manager: CeleryJobs, *, cookies: dict[str, str], cluster: int) -> str:
    """Put the SPC job on the queue directly; its result as text."""
    from callbacks.dashboard.spc import SPC_OUTPUTS, refresh_spc

    outputs = "...".join(f"{o.component_id}.{o.component_property}" for o in SPC_OUTPUTS)
    job_fn = next(fn for key, fn in manager.func_registry.items()
                  if key == BaseBackgroundCallbackManager.hash_function(
                      refresh_spc, f"..{outputs}.."))
    key = f"remote-{time.monotonic_ns()}"
    args = [0, "7d", "all", "all", "press-fit::peak_force", "xbar_r", "7d", None, None,
            "nelson", "p",
            str(cluster), "remote"]
    task = job_fn.delay(key, f"{key}-progress", args, {"cookies": cookies})
    return json.dumps(wait_for_result(manager, key, task.id, timeout=30, interval=0.1,
                                      message="the external worker did not answer"))


def test_an_external_worker_runs_jobs_as_the_requester(remote_app: tuple[Flask, int]) -> None:
    server, cluster = remote_app
    manager = jobs_manager(server)
    assert isinstance(manager, CeleryJobs)
    refused = _queue_spc(manager, cookies={"lyceum_session": "forged.value"}, cluster=cluster)
    assert "Sign in to continue." in refused
    # The viewer passes the role check in the worker process and gets as far as the
    # ClickHouse server, which does not exist here.
    allowed = _queue_spc(manager, cookies={"lyceum_session": _sign_in(server)},
                         cluster=cluster)
    assert "Sign in to continue." not in allowed and "access" not in allowed
    assert "The analytics engine does not answer." in allowed


def test_a_result_written_just_before_its_task_finished_is_still_collected(
        runtime: Runtime, redis_url: str) -> None:
    """Dash looks for the result, then asks whether the task still runs; a task finishing in
    between must not count as cancelled while its result waits."""
    from lyceum.background_callbacks import make_manager

    with_redis = replace(runtime, settings=runtime.settings.with_overrides(redis_url=redis_url))
    manager = make_manager(with_redis.settings)
    assert isinstance(manager, CeleryJobs)

    def noop() -> None:
        """A task that does nothing."""

    task_fn = manager.handle.task(name="lyceum-test-noop", shared=False)(noop)
    try:
        assert jobs.start_embedded_worker(with_redis)
        task = task_fn.delay()
        wait_until(task.ready, within=10, message="the no-op task did not finish", every=0.02)
    finally:
        jobs.stop_embedded_worker()
    key = f"race-{time.monotonic_ns()}"
    assert manager.get_result(key, task.id) is manager.UNDEFINED
    manager.handle.backend.set(key, json.dumps([1, 2]))  # written as the task ended
    assert manager.job_running(task.id)
    assert manager.get_result(key, task.id) == [1, 2]
    assert not manager.job_running(task.id)
