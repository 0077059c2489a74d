"""The SPC panel as a background callback, posted as the browser would, on both managers:
threads + diskcache (no REDIS_URL) and Celery over a real redis-server with the worker in
this process. The job checks the requester's server-side session and role itself."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from dash.background_callback.managers import BaseBackgroundCallbackManager
from flask import Flask
from flask.testing import FlaskClient

from components.dashboard import ALL
from data.analytics.clickhouse import ClickHouse
from data.metadata import memberships
from lyceum.background_callbacks import CeleryJobs, jobs_manager
from services.access import accounts
from services.access.accounts import create_user
from services.core import jobs
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.demo import plant as demo_data
from services.quality import dashboard
from services.quality.kpis import View
from tests.access_world import register_cluster
from tests.http import json_body
from tests.jobs import wait_for_result
from tests.security.matrix import denials
from tests.waiting import wait_until

DB = "jobs_demo"
PASSWORD = "correct horse battery"
ORIGIN = {"Origin": "http://localhost"}
SPC = "dashboard-spc-graph"
VIEW = {"window": "7d", "feature": "press-fit::peak_force", "kind": "xbar_r", "baseline": "7d"}


@pytest.fixture(scope="module")
def cluster(mod_runtime: Runtime, ch: ClickHouse) -> Iterator[int]:
    """The small demo in its own cluster, a viewer of it and an outsider."""
    demo_data.load_demo(ch, DB, size="small",
                        now=datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    cid = register_cluster(mod_runtime, DB, name="Jobs plant", is_demo=True)
    for key in ("viewer", "outsider"):
        user = create_user(mod_runtime.db, mod_runtime.passwords, email=f"{key}@jobs.example",
                           password=PASSWORD)
        if key == "viewer":
            with mod_runtime.db.session() as session:
                memberships.set_member(session, cluster_id=cid, user_id=user.id, role="viewer",
                                       granted_by=None)
    yield cid
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


@pytest.fixture(scope="module", params=["threads", "celery"])
def app(request: pytest.FixtureRequest, mod_runtime: Runtime,
        cluster: int) -> Iterator[tuple[Flask, Runtime]]:
    """The app with the diskcache/threads manager, or with REDIS_URL and the in-process
    Celery worker."""
    from app import create_app

    runtime = mod_runtime
    if request.param == "celery":
        url = request.getfixturevalue("redis_url")
        runtime = replace(mod_runtime, settings=mod_runtime.settings.with_overrides(
            redis_url=url))
    server = create_app(runtime.settings, runtime=runtime)
    if request.param == "celery":
        assert jobs.start_embedded_worker(runtime)
    yield server, runtime
    jobs.stop_embedded_worker()


def _sign_in(server: Flask, key: str) -> FlaskClient:
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    response = client.post("/login", data={"email": f"{key}@jobs.example",
                                           "password": PASSWORD, "csrf_token": csrf.group(1)})
    assert response.status_code == 302
    return client


def _spc_payload(client: FlaskClient, cluster_id: int, viewer: str) -> dict[str, Any]:
    deps = json_body(client.get("/_dash-dependencies"))
    dep = next(d for d in deps if d["output"].startswith(f"..{SPC}.figure"))
    values = {"dashboard-refresh-interval": 0, "dashboard-window-select": VIEW["window"],
              "dashboard-line-select": ALL, "dashboard-station-select": ALL,
              "dashboard-spc-feature-select": VIEW["feature"],
              "dashboard-spc-kind-select": VIEW["kind"],
              "dashboard-spc-baseline-select": VIEW["baseline"],
              "dashboard-spc-baseline-first-input": None,
              "dashboard-spc-baseline-last-input": None,
              "dashboard-spc-rules-select": "nelson", "dashboard-spc-attribute-select": "p",
              "dashboard-cluster-store": str(cluster_id), "dashboard-viewer-store": viewer}
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1]}
               for part in dep["output"][2:-2].split("...")]
    return {"output": dep["output"], "outputs": outputs,
            "inputs": [{**i, "value": values[i["id"]]} for i in dep["inputs"]],
            "state": [{**s, "value": values[s["id"]]} for s in dep["state"]],
            "changedPropIds": ["dashboard-refresh-interval.n_intervals"]}


def _run_job(client: FlaskClient, payload: dict[str, Any], *,
             timeout: float = 30.0) -> dict[str, Any]:
    """Queue the job like the renderer, then poll like it until the response arrives."""
    started = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    assert started.status_code == 200, started.get_data(as_text=True)[:300]
    handle = json_body(started)
    assert set(handle) >= {"cacheKey", "job"}, handle

    def answered() -> dict[str, Any] | None:  # the poll's body once it holds the response
        polled = client.post("/_dash-update-component", json=payload, headers=ORIGIN,
                             query_string={"cacheKey": handle["cacheKey"],
                                           "job": handle["job"]})
        assert polled.status_code in (200, 204), polled.get_data(as_text=True)[:300]
        body = json_body(polled) if polled.status_code == 200 else {}
        return body if "response" in body else None

    body = wait_until(answered, within=timeout,
                      message="the background job did not answer in time", every=0.1)
    assert body is not None
    return dict(body["response"])


def test_a_job_round_trips_and_returns_the_right_chart(app: tuple[Flask, Runtime],
                                                       cluster: int) -> None:
    server, runtime = app
    client = _sign_in(server, "viewer")
    response = _run_job(client, _spc_payload(client, cluster, "viewer-a"))
    expected, pchart = dashboard.control_charts(
        runtime, View(cluster, VIEW["window"]), dashboard.SpcRequest(VIEW["feature"]),
        uncached=True).value
    assert len(expected.times) >= 2
    figure = response[SPC]["figure"]
    assert figure["data"][0]["y"] == pytest.approx(expected.series[0].values)
    assert figure["data"][0]["x"] == list(range(1, len(expected.times) + 1))
    assert response["dashboard-pchart-graph"]["figure"]["data"][0]["y"] == pytest.approx(
        pchart.series[0].values)
    assert response["dashboard-spc-baseline-div"]["children"] == expected.baseline


def test_an_outsider_is_refused_before_a_job_is_queued(app: tuple[Flask, Runtime],
                                                       cluster: int) -> None:
    server, runtime = app
    client = _sign_in(server, "outsider")
    before = denials(runtime)
    response = client.post("/_dash-update-component", headers=ORIGIN,
                           json=_spc_payload(client, cluster, "outsider-a"))
    assert response.status_code == 204  # nothing queued, nothing read
    assert denials(runtime) == before + 1


def _job_result(manager: Any, output: str, *, cookies: dict[str, str], cluster: int,
                timeout: float = 30.0) -> Any:
    """Hand the SPC job straight to the worker (past the request and its checks, as a job
    put on the queue by someone else would arrive) with ``cookies`` as the requester's."""
    from callbacks.dashboard.spc import refresh_spc

    job_fn = manager.func_registry[BaseBackgroundCallbackManager.hash_function(refresh_spc,
                                                                             output)]
    args = [0, VIEW["window"], ALL, ALL, VIEW["feature"], VIEW["kind"], VIEW["baseline"],
            None, None, "nelson", "p", str(cluster), f"direct-{time.monotonic_ns()}"]
    key = f"test-{time.monotonic_ns()}"
    context = {"cookies": cookies, "headers": {}, "remote": "::1", "inputs_list": [],
               "states_list": [], "outputs_list": []}
    job = None
    if isinstance(manager, CeleryJobs):
        job = job_fn.delay(key, f"{key}-progress", args, context).id
    else:
        job_fn(key, f"{key}-progress", args, context)
    return wait_for_result(manager, key, job, timeout=timeout, interval=0.1)


@pytest.mark.parametrize("session", ["forged", "absent", "revoked"])
def test_a_job_without_a_live_session_gets_no_result(app: tuple[Flask, Runtime], cluster: int,
                                                     session: str) -> None:
    server, runtime = app
    manager = jobs_manager(server)
    client = _sign_in(server, "viewer")
    cookie = client.get_cookie("lyceum_session")
    assert cookie is not None
    output = _spc_payload(client, cluster, "direct")["output"]
    good = _job_result(manager, output, cookies={"lyceum_session": cookie.value},
                       cluster=cluster)
    assert "Cp " in json.dumps(good, default=str)
    if session == "forged":
        cookies = {"lyceum_session": cookie.value[:-4] + "AAAA"}
    elif session == "absent":
        cookies = {}
    else:
        token = next(t for t in _session_tokens(server, client))
        accounts.end_session(runtime.db, token, keys=runtime.keys, actor=Actor(label="test"))
        cookies = {"lyceum_session": cookie.value}
    refused = json.dumps(_job_result(manager, output, cookies=cookies, cluster=cluster),
                         default=str)
    assert "Sign in to continue." in refused
    assert "Cp " not in refused and "__dash_patch_update" not in refused


def _session_tokens(server: Flask, client: FlaskClient) -> Iterator[str]:
    with client.session_transaction() as session:
        yield str(session["_user_id"])
