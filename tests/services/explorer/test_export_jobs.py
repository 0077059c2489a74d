"""Export jobs for the explorer page: the file holds every filtered curve, progress reaches
100 %, and a job is only found by its owner on its own cluster."""

from __future__ import annotations

import polars as pl
import pytest

from lyceum.errors import NotFound, ValidationError
from services.core.runtime import Runtime
from services.explorer import export_jobs, export_stream
from services.explorer.state import ExplorerState
from tests.access_world import World
from tests.callbacks.explorer.test_view import world  # noqa: F401
from tests.waiting import wait_until

STATE = ExplorerState(process="press-fit", lines=("Line 1",))


def test_a_job_writes_every_filtered_curve_and_reports_progress(
        mod_runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(export_stream, "CHUNK_SAMPLES", 20_000)
    owner = world.users["analyst"]
    job = export_jobs.start(mod_runtime, world.a, STATE, fmt="parquet", user_id=owner)
    wait_until(lambda: job.state != "running", within=60, message="the export never ended")
    assert job.total_chunks > 1
    found = export_jobs.progress(job)
    assert found["state"] == "done" and found["percent"] == 100
    assert job.done_chunks == job.total_chunks
    ready = export_jobs.ready_file(mod_runtime, world.a, job.job_id, user_id=owner)
    frame = pl.read_parquet(ready.path)
    assert frame["curve_id"].n_unique() == job.n_curves and frame.height == job.n_samples
    assert set(frame["line"].unique().to_list()) == {"Line 1"}
    assert ready.path.parent == mod_runtime.settings.instance_path / "exports"
    assert not list(ready.path.parent.glob("*.part"))


def test_only_the_owner_on_the_cluster_finds_a_job(mod_runtime: Runtime,
                                                   world: World) -> None:  # noqa: F811
    owner = world.users["analyst"]
    job = export_jobs.start(mod_runtime, world.a, STATE, fmt="csv", user_id=owner)
    wait_until(lambda: job.state != "running", within=60, message="the export never ended")
    for cluster, user, job_id in ((world.a, world.users["viewer"], job.job_id),
                                  (world.b, owner, job.job_id),
                                  (world.a, owner, "guessed-id"),
                                  (world.a, owner, None)):
        with pytest.raises(NotFound) as caught:
            export_jobs.ready_file(mod_runtime, cluster, job_id, user_id=user)
        assert caught.value.user_message == "That export does not exist (or has expired)."


def test_another_web_process_follows_and_serves_the_job(
        mod_runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """With several web processes the page's polls and download may reach one that did not
    start the export: it finds the job's published progress and the shared file."""
    monkeypatch.setattr(export_stream, "CHUNK_SAMPLES", 20_000)
    other = Runtime.open(mod_runtime.settings)  # a second process: its own caches
    try:
        owner = world.users["analyst"]
        job = export_jobs.start(mod_runtime, world.a, STATE, fmt="csv", user_id=owner)
        seen = export_jobs.progress(export_jobs.get(other, world.a, job.job_id,
                                                    user_id=owner))
        assert seen["state"] in ("running", "done")
        wait_until(lambda: export_jobs.get(other, world.a, job.job_id,
                                           user_id=owner).state == "done",
                   within=60, message="the export never ended there")
        elsewhere = export_jobs.ready_file(other, world.a, job.job_id, user_id=owner)
        assert elsewhere.path == job.path and elsewhere.path.exists()
        assert export_jobs.progress(elsewhere)["percent"] == 100
        assert elsewhere.n_curves == job.n_curves > 0
        for cluster, user in ((world.a, world.users["viewer"]), (world.b, owner)):
            with pytest.raises(NotFound):
                export_jobs.ready_file(other, cluster, job.job_id, user_id=user)
    finally:
        other.close()


def test_a_set_too_large_fails_the_job_with_the_reason(
        mod_runtime: Runtime, world: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setattr(export_stream, "MAX_CURVES", 5)
    job = export_jobs.start(mod_runtime, world.a, STATE, fmt="csv",
                            user_id=world.users["analyst"])
    wait_until(lambda: job.state != "running", within=60, message="the export never ended")
    assert job.state == "failed" and "narrow the filters" in job.message
    assert not job.path.exists() and not job.path.with_suffix(".part").exists()


def test_bad_requests_start_nothing(mod_runtime: Runtime, world: World) -> None:  # noqa: F811
    before = dict(export_jobs._jobs(mod_runtime).jobs)
    with pytest.raises(ValidationError):
        export_jobs.start(mod_runtime, world.a, STATE, fmt="xlsx", user_id=1)
    with pytest.raises(ValidationError):
        export_jobs.start(mod_runtime, world.a, ExplorerState(process="press-fit",
                                                              lines=("Line 9",)),
                          fmt="csv", user_id=1)
    assert export_jobs._jobs(mod_runtime).jobs == before
