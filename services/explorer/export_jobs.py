"""Exports of a whole filtered set as a job, for the explorer page: a worker of the
``exports`` pool writes the file chunk by chunk into the instance folder and counts its
progress; the page polls the progress and then downloads the file. A job belongs to the
user and cluster that started it; finished files are removed after ``KEEP_S``. The page's
polls and download may reach another web process of the deployment (``LYCEUM_WORKERS``):
every change of a job is also published in the shared cache (diskcache in the instance
folder, or Redis), where any process finds it; the file is in the shared instance folder."""

from __future__ import annotations

import logging
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pyarrow as pa

from lyceum.errors import NotFound
from services.core.published import Published
from services.core.runtime import Runtime
from services.explorer import export_stream
from services.explorer.state import ExplorerState

log = logging.getLogger(__name__)

#: Seconds a finished file stays to be downloaded; jobs one user may hold at once.
KEEP_S = 3600.0
MAX_JOBS_PER_USER = 3
FOLDER = "exports"
#: Every job as it is now, for the other web processes.
PUBLISHED = Published("export", KEEP_S)


@dataclass
class ExportJob:
    """One export's owner, file and progress (``state``: running, done, failed)."""

    job_id: str
    cluster_id: int
    user_id: int
    path: Path
    filename: str
    media_type: str
    n_curves: int
    n_samples: int
    total_chunks: int
    done_chunks: int = 0
    state: str = "running"
    message: str = ""
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None


@dataclass
class ExportJobs:
    """The export jobs of one runtime (``caches.of(ExportJobs)``)."""

    jobs: dict[str, ExportJob] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def clear(self) -> None:
        """Forget every job and remove its file."""
        with self.lock:
            for job in self.jobs.values():
                job.path.unlink(missing_ok=True)
            self.jobs.clear()


def _jobs(runtime: Runtime) -> ExportJobs:
    return runtime.caches.of(ExportJobs)


def _expire(jobs: ExportJobs) -> None:
    now = time.monotonic()
    with jobs.lock:
        old = [k for k, j in jobs.jobs.items()
               if j.finished is not None and now - j.finished > KEEP_S]
        for key in old:
            jobs.jobs.pop(key).path.unlink(missing_ok=True)


def start(runtime: Runtime, cluster_id: int, state: ExplorerState, *, fmt: str,
          user_id: int) -> ExportJob:
    """Start writing every curve ``state`` filters to a file (``Busy`` when the cluster's
    exports are full; then nothing runs)."""
    fmt = export_stream.check_format(fmt)
    jobs = _jobs(runtime)
    _expire(jobs)
    with jobs.lock:
        mine = [j for j in jobs.jobs.values() if j.user_id == user_id]
    for old in sorted(mine, key=lambda j: j.started)[:max(0, len(mine) - MAX_JOBS_PER_USER + 1)]:
        if old.state != "running":
            with jobs.lock:
                jobs.jobs.pop(old.job_id, None)
            old.path.unlink(missing_ok=True)
    session, query = export_stream.resolve(runtime, cluster_id, state)
    folder = runtime.settings.instance_path / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    media, ext = export_stream.FORMATS[fmt]
    job_id = secrets.token_urlsafe(12)
    job = ExportJob(job_id=job_id, cluster_id=cluster_id, user_id=user_id,
                    path=folder / f"{job_id}.{ext}", filename=f"curves-all.{ext}",
                    media_type=media, n_curves=0, n_samples=0, total_chunks=1)

    def tables() -> Iterator[pa.Table]:
        plan = export_stream.plan(session, query)
        job.n_curves, job.n_samples = plan.n_curves, plan.n_samples
        job.total_chunks = max(len(plan.chunks), 1)
        _publish(runtime, job)
        for table in export_stream.tables(session, plan):
            yield table
            job.done_chunks = min(job.done_chunks + 1, job.total_chunks)
            _publish(runtime, job)

    def run() -> None:
        partial = job.path.with_suffix(".part")
        try:
            with partial.open("wb") as sink:
                export_stream.write(fmt, tables(), sink)
            shutil.move(partial, job.path)
            job.state = "done"
        except Exception as exc:  # noqa: BLE001 - shown on the page as a failed export
            log.exception("curve export job %s failed", job_id)
            partial.unlink(missing_ok=True)
            job.state = "failed"
            job.message = getattr(exc, "user_message", "The export failed; it was logged.")
        finally:
            job.finished = time.monotonic()
            _publish(runtime, job)

    with jobs.lock:
        jobs.jobs[job_id] = job
    _publish(runtime, job)
    try:
        runtime.pools.submit("exports", run, cluster_id=cluster_id)
    except Exception:
        with jobs.lock:
            jobs.jobs.pop(job_id, None)
        raise
    return job


def get(runtime: Runtime, cluster_id: int, job_id: Any, *, user_id: int) -> ExportJob:
    """The caller's own job on this cluster (anything else: not found, all alike)."""
    with _jobs(runtime).lock:
        job = _jobs(runtime).jobs.get(job_id) if isinstance(job_id, str) else None
    if job is None:
        found = PUBLISHED.get(runtime, job_id)  # another process's job
        job = found if isinstance(found, ExportJob) else None
    if job is None or job.cluster_id != cluster_id or job.user_id != user_id:
        raise NotFound("That export does not exist (or has expired).")
    return job


def _publish(runtime: Runtime, job: ExportJob) -> None:
    """Publish a copy of ``job`` as it is now for every web process."""
    PUBLISHED.put(runtime, job.job_id, replace(job))


def progress(job: ExportJob) -> dict[str, Any]:
    """What the page shows: state, percent done, counts, the message of a failure."""
    percent = 100 if job.state == "done" else int(100 * job.done_chunks / job.total_chunks)
    return {"job_id": job.job_id, "state": job.state, "percent": percent,
            "n_curves": job.n_curves, "n_samples": job.n_samples, "message": job.message,
            "filename": job.filename}


def ready_file(runtime: Runtime, cluster_id: int, job_id: Any, *,
               user_id: int) -> ExportJob:
    """The finished job whose file may be downloaded."""
    job = get(runtime, cluster_id, job_id, user_id=user_id)
    if job.state != "done" or not job.path.exists():
        raise NotFound("That export is not ready.")
    return job
