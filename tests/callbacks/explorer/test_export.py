"""The explorer's whole-set export over the real Dash endpoint: analysts start it and follow
it to the file link; viewers, other users and other clusters never see the job."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from services.core.runtime import Runtime
from services.explorer import export_jobs
from tests.access_world import World, sign_in
from tests.callbacks.explorer.test_view import STATE, call, server, world  # noqa: F401
from tests.waiting import wait_until


def _start(server: Flask, key: str, cluster: Any) -> dict[str, Any]:  # noqa: F811
    return call(sign_in(server.test_client(), key), "explorer-export-all-job-store", {
        "explorer-export-all-button.n_clicks": 1, "explorer-export-all-format-select.value":
            "csv", "explorer-cluster-store.data": {"cluster": cluster, "s": ""},
        "explorer-state-store.data": STATE})


def _follow(server: Flask, key: str, cluster: Any, job: Any) -> dict[str, Any]:  # noqa: F811
    return call(sign_in(server.test_client(), key), "explorer-export-all-progress", {
        "explorer-export-all-interval.n_intervals": 1, "explorer-export-all-job-store.data": job,
        "explorer-cluster-store.data": {"cluster": cluster, "s": ""}})


def test_an_analyst_starts_and_follows_the_export_to_its_file(
        server: Flask, world: World, mod_runtime: Runtime) -> None:  # noqa: F811
    started = _start(server, "analyst", world.a)["response"]
    job = started["explorer-export-all-job-store"]["data"]
    assert isinstance(job["job_id"], str) and started["explorer-export-all-interval"][
        "disabled"] is False
    found = export_jobs.get(mod_runtime, world.a, job["job_id"],
                            user_id=world.users["analyst"])
    wait_until(lambda: found.state == "done", within=60, message="the export never ended")
    shown = json.dumps(_follow(server, "analyst", world.a, job))
    assert f"/api/v1/clusters/{world.a}/curve-exports/{job['job_id']}" in shown
    assert "Ready: " in shown and "curves-all.csv" in shown
    client = sign_in(server.test_client(), "analyst")
    data = client.get(f"/api/v1/clusters/{world.a}/curve-exports/{job['job_id']}",
                      headers={"Origin": "http://localhost"})
    assert data.status_code == 200 and data.get_data().count(b"\n") == found.n_samples + 1


def test_others_never_start_or_see_a_job(server: Flask, world: World) -> None:  # noqa: F811
    refused = json.dumps(_start(server, "viewer", world.a))
    assert "needs the analyst role" in refused and "job_id" not in refused
    job = _start(server, "analyst", world.a)["response"]["explorer-export-all-job-store"][
        "data"]
    for key, cluster in (("admin", world.a), ("analyst", world.b), ("outsider", world.a)):
        text = json.dumps(_follow(server, key, cluster, job))
        assert "curve-exports" not in text, key
        assert "does not exist" in text or "You do not have access" in text, key
    client = sign_in(server.test_client(), "admin")
    other = client.get(f"/api/v1/clusters/{world.a}/curve-exports/{job['job_id']}",
                       headers={"Origin": "http://localhost"})
    assert other.status_code == 404
