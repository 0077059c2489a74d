"""``python -m lyceum run`` for real: the supervised engine service, and two app processes of
one deployment sharing one engine service and one metadata database."""

from __future__ import annotations

import http.client
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ConfigError
from lyceum.serve import EngineSupervisor, engine_answers
from lyceum.settings import load_settings
from services.clusters import rules
from services.clusters.request import ClusterSpec, MemberGrant
from tests.servers import ROOT, AppProcess, EngineProcess, free_port
from tests.waiting import wait_until

APP_USER = "lyceum_app"


@dataclass
class Deployment:
    """One engine service, two app processes on the same instance, a signed-in admin."""

    engine: EngineProcess
    first: AppProcess
    second: AppProcess
    admin: requests.Session


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    instance = tmp_path_factory.mktemp("two-apps") / "instance"
    engine = EngineProcess(instance)
    engine.start()
    first = AppProcess(instance, engine=engine, partials=False)
    second = AppProcess(instance, engine=engine, partials=False)
    try:
        first.start()
        second.start()
        yield Deployment(engine, first, second,
                         first.signed_in(*first.first_admin(), origin=False))
    finally:
        second.stop()
        first.stop()
        engine.stop()


def _engine(deployment: Deployment) -> ClickHouse:
    return ClickHouse(f"http://{APP_USER}:{deployment.engine.key}@127.0.0.1:"
                      f"{deployment.engine.port}", bundled=True)


def _duty_holders(deployment: Deployment) -> list[str]:
    with sqlite3.connect(deployment.first.instance / "lyceum.db") as db:
        return [row[0] for row in db.execute(
            "SELECT holder FROM leases WHERE name = 'duties' AND expires_at > "
            "CAST(strftime('%s', 'now') AS REAL)")]


def test_a_cluster_deployed_through_one_process_works_through_the_other(
        deployment: Deployment) -> None:
    assert "First administrator created" in deployment.first.output()
    assert "First administrator created" not in deployment.second.output()
    first, second, admin = deployment.first.url, deployment.second.url, deployment.admin
    with sqlite3.connect(deployment.first.instance / "lyceum.db") as db:
        (admin_id,) = db.execute("SELECT id FROM users WHERE email = 'admin@lyceum.local'"
                                 ).fetchone()
    spec = rules.spec_to_dict(rules.apply_preset(
        ClusterSpec(name="Two processes", members=(MemberGrant(admin_id, "admin"),)),
        "development"))
    made = admin.post(f"{first}/api/v1/clusters", json=spec, headers={"Origin": first},
                      timeout=60)
    assert made.status_code == 202, made.text
    cluster_id = made.json()["id"]

    def running() -> dict[str, Any] | None:  # asked of the *other* process, same session
        body: dict[str, Any] = admin.get(f"{second}/api/v1/clusters/{cluster_id}/status",
                                         timeout=30).json()
        assert body["status"] in ("provisioning", "running"), body
        return body if body["status"] == "running" else None

    status = wait_until(running, within=120, message="the cluster did not become running")
    assert status is not None and status["health"] is not None
    assert status["health"]["status"] in ("ok", "warn")
    # the one-time secret, sealed by the deploying process, is read through the other one
    secret = admin.get(f"{second}/api/v1/clusters/{cluster_id}/credential/pending-secret",
                       timeout=30)
    assert secret.status_code == 200, secret.text
    body = secret.json()
    answer = requests.post(f"{second}/api/v1/clusters/{cluster_id}/sql",
                           json={"sql": "SELECT count() AS n FROM parts"},
                           auth=(body["username"], body["secret"]), timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.json()["rows"] == [[0]]
    listed = admin.get(f"{second}/api/v1/clusters", timeout=30).json()["items"]
    assert [c["status"] for c in listed if c["id"] == cluster_id] == ["running"]


def test_the_demo_feed_inserts_once_and_moves_when_its_process_stops(
        deployment: Deployment) -> None:
    ch = _engine(deployment)
    feed = ("SELECT count(), uniqExact(part_id) FROM demo_plant.parts "
            "WHERE startsWith(serial, 'LF-')")
    try:
        holders = wait_until(lambda: _duty_holders(deployment), within=30,
                             message="nobody holds the duties")
        assert len(holders) == 1
        def fed(at_least: int) -> tuple[int, int] | None:
            count, unique = ch.rows(feed)[0]
            return (int(count), int(unique)) if count >= at_least else None

        before = wait_until(lambda: fed(3), within=60, message="the demo feed inserted nothing")
        # every fed part once: two feeds would repeat ids
        assert before is not None and before[0] == before[1]
        owner = next(app for app in (deployment.first, deployment.second)
                     if _serves(app, holders[0]))
        owner.stop()  # a clean stop gives the lease up; the other process takes it over
        taken = wait_until(lambda: [h for h in _duty_holders(deployment) if h != holders[0]],
                           within=30, message="no process took the duties over")
        assert len(taken) == 1
        after = wait_until(lambda: fed(before[0] + 2), within=60,
                           message="the feed did not go on")
        assert after is not None and after[0] == after[1]
    finally:
        ch.close()


def _serves(app: AppProcess, holder: str) -> bool:
    """Whether ``holder`` (``host:pid:token``) is a worker of ``app``."""
    pid = int(holder.split(":")[1])
    assert app.proc is not None
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1]) == app.proc.pid
    except FileNotFoundError:
        return False


def test_the_supervisor_restarts_a_dead_engine_and_stops_it(
        tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setenv("LYCEUM_INSTANCE", str(tmp_path))
    monkeypatch.setenv("LYCEUM_ENGINE_PORT", str(port))
    settings = load_settings()
    supervisor = EngineSupervisor(settings)
    supervisor.start()
    try:
        assert engine_answers("127.0.0.1", port)
        assert supervisor.process is not None
        first_pid = supervisor.process.pid
        os.kill(first_pid, signal.SIGKILL)
        wait_until(lambda: supervisor.restarts == 1 and engine_answers("127.0.0.1", port),
                   within=60, message="the engine was not restarted")
        assert supervisor.process.pid != first_pid
        with pytest.raises(ConfigError, match="already answers"):
            EngineSupervisor(settings).start()  # a second one would fight over the port
    finally:
        supervisor.stop()
    assert not engine_answers("127.0.0.1", port) and supervisor.process.poll() is not None


def _children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the direct children of ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            if parent == pid:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    found.append((int(entry), cmdline.read().replace(b"\0", b" ").decode()))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return found


def test_run_serves_from_its_workers_beside_its_engine_and_stops_both(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    app = AppProcess(tmp_path_factory.mktemp("workers") / "instance", workers=2,
                     env={"LYCEUM_DEMO": "off"}, partials=False)
    app.start()
    try:
        assert app.proc is not None
        children = _children(app.proc.pid)
        engines = [pid for pid, line in children if "lyceum engine" in line]
        workers = [pid for pid, _ in children if pid not in engines]
        assert len(engines) == 1 and len(workers) == 2, children
        assert engine_answers("127.0.0.1", app.engine_port)
        assert requests.get(f"{app.url}/healthz", timeout=30).status_code == 200
        assert "2 web process(es) of 20 threads" in app.output()  # LYCEUM_THREADS default
        # A connection left idle longer than a client's pool keeps one (Node's 5 s) is still
        # open: the server does not close it under a request the client is sending.
        host, port = app.url.removeprefix("http://").split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        connection.request("GET", "/healthz")
        assert connection.getresponse().read() is not None
        held = connection.sock
        time.sleep(6.5)
        connection.request("GET", "/healthz")
        assert connection.getresponse().status == 200 and connection.sock is held
        connection.close()
    finally:
        app.stop()
    assert not engine_answers("127.0.0.1", app.engine_port)
    assert all(not os.path.exists(f"/proc/{pid}") for pid in engines + workers)
    assert "SIGKILL" not in app.output()  # every worker left in its own time


LEAVING = """
import atexit, sys
from lyceum.serve import leave_if_stopping
atexit.register(lambda: print("the long way out", flush=True))
try:
    sys.exit({code})
finally:
    leave_if_stopping()
"""


@pytest.mark.parametrize(("code", "long_way"), [(0, False), (3, True)])
def test_a_worker_that_stops_cleanly_leaves_without_the_interpreters_last_sweep(
        code: int, long_way: bool) -> None:
    """Status 0 ends at once (no atexit, no final collection of a big heap); any other status
    keeps the interpreter's normal exit, so gunicorn still sees a worker that failed."""
    done = subprocess.run([sys.executable, "-c", LEAVING.format(code=code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == code, done.stderr
    assert ("the long way out" in done.stdout) is long_way
