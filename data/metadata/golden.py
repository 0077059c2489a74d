"""Golden-curve rows in the metadata database (versions per cluster, process and name)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.metadata.models_explorer import GoldenCurve


def add_version(session: Session, *, cluster_id: int, process: str, name: str, method: str,
                n_curves: int, built_from: dict[str, Any], curve: dict[str, Any],
                created_by: int | None) -> GoldenCurve:
    """Insert the next version of ``name`` (1 for a new name) and return it."""
    latest = session.scalar(select(func.max(GoldenCurve.version)).where(
        GoldenCurve.cluster_id == cluster_id, GoldenCurve.process == process,
        GoldenCurve.name == name))
    row = GoldenCurve(cluster_id=cluster_id, process=process, name=name,
                      version=int(latest or 0) + 1, method=method, n_curves=n_curves,
                      built_from=built_from, curve=curve, created_by=created_by)
    session.add(row)
    session.flush()
    return row


def list_versions(session: Session, *, cluster_id: int, process: str) -> list[GoldenCurve]:
    """Every stored version for the cluster's process, newest first."""
    return list(session.scalars(select(GoldenCurve).where(
        GoldenCurve.cluster_id == cluster_id, GoldenCurve.process == process)
        .order_by(GoldenCurve.created_at.desc(), GoldenCurve.id.desc()).limit(200)))


def get(session: Session, *, cluster_id: int, golden_id: int) -> GoldenCurve | None:
    """One version, only if it belongs to ``cluster_id``."""
    return session.scalar(select(GoldenCurve).where(GoldenCurve.id == golden_id,
                                                    GoldenCurve.cluster_id == cluster_id))
