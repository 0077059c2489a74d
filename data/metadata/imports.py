"""Import and report jobs in the metadata database."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

import data.metadata.models_imports  # noqa: F401 - registers the tables on Base.metadata
from data.metadata.models import utcnow
from data.metadata.models_imports import ImportJob, ReportJob

#: Statuses of a job that has not finished.
OPEN_STATUSES: tuple[str, ...] = ("queued", "validating", "importing")


def add_import(session: Session, **fields: Any) -> ImportJob:
    """Create an import job and return it with its id."""
    job = ImportJob(**fields)
    session.add(job)
    session.flush()
    return job


def get_import(session: Session, job_id: int) -> ImportJob | None:
    """One import job."""
    return session.get(ImportJob, job_id)


def import_by_batch(session: Session, *, cluster_id: int, batch_id: str) -> ImportJob | None:
    """The import a client's batch id names on a cluster, if any."""
    return session.scalars(select(ImportJob).where(
        ImportJob.cluster_id == cluster_id, ImportJob.batch_id == batch_id)).first()


def list_imports(session: Session, *, cluster_id: int, limit: int = 20) -> list[ImportJob]:
    """The cluster's latest import jobs, newest first."""
    return list(session.scalars(select(ImportJob).where(ImportJob.cluster_id == cluster_id)
                                .order_by(ImportJob.id.desc()).limit(limit)))


def open_imports(session: Session) -> list[ImportJob]:
    """Jobs that had not finished (after a restart: interrupted)."""
    return list(session.scalars(select(ImportJob).where(ImportJob.status.in_(OPEN_STATUSES))))


def update_import(session: Session, job_id: int, **fields: Any) -> None:
    """Change fields of an import job."""
    job = session.get(ImportJob, job_id)
    if job is None:
        return
    for name, value in fields.items():
        setattr(job, name, value)
    if fields.get("status") in ("done", "failed"):
        job.finished_at = utcnow()


def add_report(session: Session, **fields: Any) -> ReportJob:
    """Create a report job."""
    job = ReportJob(**fields)
    session.add(job)
    session.flush()
    return job


def get_report(session: Session, job_id: int) -> ReportJob | None:
    """One report job."""
    return session.get(ReportJob, job_id)


def report_of_asset(session: Session, asset_id: int) -> ReportJob | None:
    """The report job that made an asset."""
    return session.scalar(select(ReportJob).where(ReportJob.asset_id == asset_id)
                          .order_by(ReportJob.id.desc()).limit(1))


def update_report(session: Session, job_id: int, **fields: Any) -> None:
    """Change fields of a report job."""
    job = session.get(ReportJob, job_id)
    if job is not None:
        for name, value in fields.items():
            setattr(job, name, value)


def open_reports(session: Session) -> list[ReportJob]:
    """Report jobs that had not finished."""
    return list(session.scalars(select(ReportJob).where(
        ReportJob.status.in_(("queued", "running")))))
