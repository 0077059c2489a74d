"""Data import jobs: a file (or an API batch) into a cluster, whole or not at all.

A job moves queued → validating (every row converted, checked and written to a staging
table) → importing (one ``INSERT … SELECT`` per target table) → done, or to failed at any
point, with nothing left in the cluster's tables. :func:`recover_imports` runs at start-up and
marks jobs that a crash interrupted as failed, undoing a half-finished copy.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa

from data.analytics import import_staging as staging
from data.metadata import imports as jobs_data
from data.metadata import memberships
from data.metadata.models_imports import ImportJob
from lyceum.errors import AppError, NotFound, ValidationError
from services.clusters import catalog as catalogs
from services.clusters.query_session import ClusterSession, for_cluster
from services.core import audit
from services.core.audit import SYSTEM, Actor
from services.core.read_ahead import read_ahead
from services.core.runtime import Runtime
from services.core.work_pools import Busy
from services.imports.convert import convert_batch
from services.imports.curve_ids import CurveIds
from services.imports.file_format import (
    MAX_ERRORS,
    ErrorSink,
    ImportRowErrors,
    check_mapping,
    columns_for,
    default_mapping,
    iter_source_batches,
    read_header,
)

log = logging.getLogger(__name__)
Progress = Callable[[float], None]
#: Share of the progress bar spent reading, converting and staging rows.
STAGE_SHARE = 0.8
#: Samples gathered from the source batches into one staging INSERT at most.
STAGE_INSERT_ROWS = 1_048_576
#: Uploads not imported within this time are removed at the next start.
UPLOAD_KEEP_SECONDS = 24 * 3600
_RUNNING: set[int] = set()
_LOCK = threading.Lock()


@dataclass(frozen=True)
class JobView:
    """What the UI and the API show about an import job."""

    id: int
    cluster_id: int
    file_name: str
    kind: str
    file_format: str
    source: str
    status: str
    progress: float
    rows: int
    message: str
    errors: list[dict[str, Any]]
    batch_id: str | None
    created_at: str

    @classmethod
    def of(cls, job: ImportJob) -> JobView:
        """The view of a job row."""
        return cls(id=job.id, cluster_id=job.cluster_id, file_name=job.file_name,
                   kind=job.kind, file_format=job.file_format, source=job.source,
                   status=job.status, progress=round(job.progress, 4), rows=job.rows,
                   message=job.message, errors=list(job.errors or []),
                   batch_id=job.batch_id, created_at=job.created_at.isoformat())


def uploads_dir(runtime: Runtime, cluster_id: int) -> Path:
    """Where files wait for their import job (inside the instance folder)."""
    path = runtime.settings.instance_path / "imports" / str(int(cluster_id))
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_upload_path(runtime: Runtime, cluster_id: int, fmt: str) -> Path:
    """A fresh file name for an uploaded file."""
    return uploads_dir(runtime, cluster_id) / f"{uuid.uuid4().hex}.{fmt}"


def create_job(runtime: Runtime, *, cluster_id: int, actor: Actor, file_name: str, kind: str,
               fmt: str, path: Path, mapping: dict[str, str] | None = None,
               batch_id: str | None = None, source: str = "upload") -> JobView:
    """Record a queued import of ``path`` (already on disk)."""
    columns_for(kind)
    with runtime.db.session() as session:
        job = jobs_data.add_import(
            session, cluster_id=cluster_id, file_name=file_name[:255], kind=kind,
            file_format=fmt, source=source, path=str(path), mapping=dict(mapping or {}),
            batch_id=batch_id, created_by=actor.user_id)
        audit.record(session, "import.create", actor=actor, cluster_id=cluster_id,
                     target_type="import", target_id=job.id,
                     detail={"file": file_name[:120], "kind": kind, "source": source})
        return JobView.of(job)


def get_job(runtime: Runtime, *, cluster_id: int, job_id: int) -> JobView:
    """One import job of a cluster."""
    with runtime.db.session() as session:
        job = jobs_data.get_import(session, job_id)
        if job is None or job.cluster_id != cluster_id:
            raise NotFound("This import does not exist.")
        return JobView.of(job)


def list_jobs(runtime: Runtime, *, cluster_id: int, limit: int = 20) -> list[JobView]:
    """The cluster's latest imports."""
    with runtime.db.session() as session:
        return [JobView.of(j) for j in jobs_data.list_imports(session, cluster_id=cluster_id,
                                                              limit=limit)]


def start_import(runtime: Runtime, job_id: int) -> None:
    """Run the job in the app's import pool (chDB lives in this process).

    When the pool or the cluster's share of it is full the job is marked failed with the
    reason, and :class:`services.core.work_pools.Busy` is raised."""
    with runtime.db.session() as session:
        job = jobs_data.get_import(session, job_id)
        if job is None:
            raise NotFound("This import does not exist.")
        cluster_id, kind = job.cluster_id, job.kind
    with _LOCK:
        if job_id in _RUNNING:
            return
        _RUNNING.add(job_id)
    try:
        runtime.pools.submit("imports", partial(_run_logged, runtime, job_id),
                             cluster_id=cluster_id)
    except Busy as exc:
        with _LOCK:
            _RUNNING.discard(job_id)
        _fail(runtime, None, job_id, kind=kind, message=exc.user_message, undo=False)
        raise


def _run_logged(runtime: Runtime, job_id: int) -> None:
    try:
        run_import(runtime, job_id)
    except Exception:  # noqa: BLE001 - the job is already marked failed; keep the thread
        log.exception("import %s crashed", job_id)
    finally:
        with _LOCK:
            _RUNNING.discard(job_id)


class _Reporter:
    """Writes progress to the job row (at most every 0.2 s) and calls the test hook."""

    def __init__(self, runtime: Runtime, job_id: int, hook: Progress | None) -> None:
        self.runtime, self.job_id, self.hook = runtime, job_id, hook
        self.last = 0.0

    def __call__(self, value: float, *, status: str | None = None, force: bool = False) -> None:
        now = time.monotonic()
        if force or status or now - self.last > 0.2:
            fields: dict[str, Any] = {"progress": min(max(value, 0.0), 1.0)}
            if status:
                fields["status"] = status
            with self.runtime.db.session() as session:
                jobs_data.update_import(session, self.job_id, **fields)
            self.last = now
        if self.hook is not None:
            self.hook(value)


def run_import(runtime: Runtime, job_id: int, *, on_progress: Progress | None = None) -> JobView:
    """Import one queued job now, in this thread; returns the finished job (done or failed)."""
    with runtime.db.session() as session:
        job = jobs_data.get_import(session, job_id)
        if job is None:
            raise NotFound("This import does not exist.")
        cluster_id, kind, fmt = job.cluster_id, job.kind, job.file_format
        path, mapping = Path(job.path), dict(job.mapping or {})
        if job.status != "queued":
            return JobView.of(job)
    report = _Reporter(runtime, job_id, on_progress)
    cs: ClusterSession | None = None
    committing = False
    try:
        cs = for_cluster(runtime, cluster_id, background=True)
        report(0.0, status="validating")
        known = catalogs.catalog(runtime, cluster_id).processes if kind == "curves" else ()
        rows = _stage(cs, job_id=job_id, kind=kind, fmt=fmt, path=path, mapping=mapping,
                      report=report, ceiling=runtime.settings.max_decompressed_bytes,
                      units={p.name: (p.x_unit, p.y_unit) for p in known})
        report(STAGE_SHARE + 0.05, status="importing")
        committing = True
        _commit(cs, job_id=job_id, kind=kind, report=report, known=known)
        committing = False
        staging.drop_stage(cs, job_id=job_id)
        catalogs.data_changed(runtime, cluster_id)
        _finish(runtime, job_id, status="done", rows=rows,
                message=f"{rows:,} rows imported.", cluster_id=cluster_id)
    except ImportRowErrors as exc:
        _fail(runtime, cs, job_id, kind=kind, message=exc.user_message,
              errors=[{"row": e.row, "column": e.column, "message": e.message}
                      for e in exc.errors], undo=False)
    except AppError as exc:
        _fail(runtime, cs, job_id, kind=kind, message=exc.user_message, undo=committing)
    except Exception:
        log.exception("import %s failed", job_id)
        _fail(runtime, cs, job_id, kind=kind, undo=committing,
              message="The import failed on the server (it was logged); nothing was imported.")
    finally:
        path.unlink(missing_ok=True)
    return get_job(runtime, cluster_id=cluster_id, job_id=job_id)


def _stage(cs: ClusterSession, *, job_id: int, kind: str, fmt: str, path: Path,
           mapping: dict[str, str], report: _Reporter, ceiling: int,
           units: dict[str, tuple[str, str]]) -> int:
    """Convert and check every row into the staging table; raise on any bad row (or on a
    Parquet file that decompresses past its budget under ``ceiling``). ``units``: the
    (x, y) units of each process the cluster already has."""
    if not path.exists():
        raise ValidationError("The uploaded file is gone; upload it again.")
    names = read_header(path, fmt, ceiling=ceiling)
    mapping = check_mapping(kind, mapping or default_mapping(kind, names), names)
    staging.create_stage(cs, job_id=job_id, kind=kind)
    sink, size = ErrorSink(), max(path.stat().st_size, 1)
    total_rows = _parquet_rows(path) if fmt == "parquet" else 0
    ids = CurveIds(job_id) if kind == "curves" else None

    def prepared() -> Iterator[tuple[list[tuple[Any, bool]], int, float]]:
        done = 0
        with path.open("rb") as handle:
            for batch in iter_source_batches(path, fmt, names, handle=handle,
                                             ceiling=ceiling):
                table = convert_batch(batch, kind=kind, mapping=mapping, first_row=done + 1,
                                      sink=sink, units=units)
                done += batch.num_rows
                share = done / total_rows if total_rows else handle.tell() / size
                yield ([] if sink.total else _prepare(table, ids)), done, share

    done = 0
    pending = _Pending(cs, job_id=job_id)
    for tables, rows, share in read_ahead(prepared()):
        done = rows
        pending.add(tables)
        report(STAGE_SHARE * min(share, 1.0))
    pending.flush()
    if done == 0:
        raise ValidationError("The file has a header but no rows.")
    sink.raise_if_any()
    mixed = staging.mixed_units(cs, job_id=job_id, limit=MAX_ERRORS) if kind == "curves" else []
    for row, column, message in (
            staging.duplicate_rows(cs, job_id=job_id, kind=kind, limit=MAX_ERRORS)
            + staging.existing_rows(cs, job_id=job_id, kind=kind, limit=MAX_ERRORS) + mixed):
        sink.add(row, mapping.get(column, column), message)
    sink.raise_if_any()
    return done


class _Pending:
    """Converted tables waiting for their staging insert: one INSERT per
    :data:`STAGE_INSERT_ROWS` samples, not one per source batch (each insert makes parts
    the engine must later merge, alter and attach)."""

    def __init__(self, cs: ClusterSession, *, job_id: int) -> None:
        self.cs, self.job_id = cs, job_id
        self.tables: dict[bool, list[pa.Table]] = {False: [], True: []}
        self.rows = 0

    def add(self, tables: list[tuple[pa.Table, bool]]) -> None:
        """Queue one batch's tables; insert when enough samples are waiting."""
        for table, curves in tables:
            self.tables[curves].append(table)
            self.rows += 0 if curves else table.num_rows
        if self.rows >= STAGE_INSERT_ROWS:
            self.flush()

    def flush(self) -> None:
        """Insert everything queued (samples first, then the per-curve rows)."""
        for curves in (False, True):
            queued, self.tables[curves] = self.tables[curves], []
            if queued:
                table = pa.concat_tables(queued).unify_dictionaries().combine_chunks()
                staging.insert_stage(self.cs, job_id=self.job_id, table=table, curves=curves)
        self.rows = 0


def _prepare(table: Any, ids: CurveIds | None) -> list[tuple[Any, bool]]:
    """The staging inserts of one converted batch: (table, is the per-curve table)."""
    if ids is None:
        return [(table, False)]
    samples, curves = ids.split(table)
    return [(samples, False)] + ([(curves, True)] if curves.num_rows else [])


def _parquet_rows(path: Path) -> int:
    import pyarrow.parquet as pq

    try:
        return int(pq.ParquetFile(path).metadata.num_rows)
    except Exception:  # noqa: BLE001 - read_header reports an unreadable file
        return 0


def _commit(cs: ClusterSession, *, job_id: int, kind: str, report: _Reporter,
            known: tuple[catalogs.ProcessInfo, ...]) -> None:
    """Move the staged rows into the cluster's tables: axis names and units the file leaves
    out come from the cluster's catalog (``known``); curves get their generic features."""
    names = {"procs": [p.name for p in known], "xn": [p.x_name for p in known],
             "xu": [p.x_unit for p in known], "yn": [p.y_name for p in known],
             "yu": [p.y_unit for p in known]}
    steps = staging.commit_steps(kind)
    for n, step in enumerate(steps, start=1):
        staging.commit_step(cs, job_id=job_id, step=step, names=names)
        report(STAGE_SHARE + 0.05 + 0.15 * n / len(steps), force=True)


def _finish(runtime: Runtime, job_id: int, *, status: str, rows: int, message: str,
            cluster_id: int) -> None:
    with runtime.db.session() as session:
        jobs_data.update_import(session, job_id, status=status, rows=rows, message=message,
                                progress=1.0)
        audit.record(session, f"import.{status}", actor=SYSTEM, cluster_id=cluster_id,
                     target_type="import", target_id=job_id, detail={"rows": rows})


def _fail(runtime: Runtime, cs: ClusterSession | None, job_id: int, *, kind: str,
          message: str, undo: bool, errors: list[dict[str, Any]] | None = None) -> None:
    """Mark the job failed and leave nothing behind in the cluster."""
    if cs is not None:
        try:
            if undo and staging.stage_exists(cs, job_id=job_id):
                staging.rollback(cs, job_id=job_id, kind=kind)
            staging.drop_stage(cs, job_id=job_id)
        except AppError:
            log.exception("cleaning up import %s failed; start-up recovery retries", job_id)
            message += " (Clean-up is retried at the next start.)"
    with runtime.db.session() as session:
        job = jobs_data.get_import(session, job_id)
        jobs_data.update_import(session, job_id, status="failed", message=message,
                                errors=errors or [])
        audit.record(session, "import.failed", actor=SYSTEM, outcome="failure",
                     cluster_id=job.cluster_id if job else None, target_type="import",
                     target_id=job_id, detail={"message": message[:300]})


def recover_imports(runtime: Runtime) -> int:
    """At start-up: fail every interrupted import, undo half-done copies, drop staging tables.

    Returns how many jobs were marked failed. Call it once, before serving requests.
    """
    with runtime.db.session() as session:
        open_jobs = [(j.id, j.cluster_id, j.kind, j.status, j.path)
                     for j in jobs_data.open_imports(session)]
    for job_id, cluster_id, kind, status, path in open_jobs:
        try:
            cs = for_cluster(runtime, cluster_id, background=True)
        except AppError:
            cs = None
        _fail(runtime, cs, job_id, kind=kind, undo=status == "importing",
              message="The import was interrupted (the server stopped); nothing was "
                      "imported. Upload the file again.")
        if path:
            Path(path).unlink(missing_ok=True)
    _drop_orphans(runtime)
    return len(open_jobs)


def _drop_orphans(runtime: Runtime) -> None:
    """Drop staging tables and uploads no job will use (left by a crash or never imported)."""
    cutoff = time.time() - UPLOAD_KEEP_SECONDS
    for leftover in (runtime.settings.instance_path / "imports").glob("*/*"):
        if leftover.is_file() and leftover.stat().st_mtime < cutoff:
            leftover.unlink(missing_ok=True)

    with runtime.db.session() as session:
        clusters = [c.id for c in memberships.list_clusters(session)]
    for cluster_id in clusters:
        try:
            cs = for_cluster(runtime, cluster_id, background=True)
            for job_id in staging.stage_job_ids(cs):
                staging.drop_stage(cs, job_id=job_id)
        except AppError:
            continue
