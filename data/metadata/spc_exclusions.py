"""SPC exclusions: the metadata rows of a cluster's excluded subgroups, and whether curves
hold a value of a feature in the cluster's ClickHouse data (bound parameters only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.metadata.models import User
from data.metadata.models_spc import SpcExclusion


def curve_ids(session: Session, cluster_id: int, *, process: str,
              feature: str) -> frozenset[int]:
    """Every excluded curve of one feature of the cluster."""
    return frozenset(session.scalars(select(SpcExclusion.curve_id).where(
        SpcExclusion.cluster_id == cluster_id, SpcExclusion.process == process,
        SpcExclusion.feature == feature)))


def batches(session: Session, cluster_id: int, *, process: str,
            feature: str) -> list[tuple[str, Any, str, Any, str | None, int]]:
    """(batch, point time, reason, excluded at, e-mail of the editor, curves) per
    exclusion of one feature, newest point first."""
    query = (select(SpcExclusion.batch, func.min(SpcExclusion.point_time),
                    func.min(SpcExclusion.reason), func.min(SpcExclusion.excluded_at),
                    func.min(User.email), func.count())
             .outerjoin(User, User.id == SpcExclusion.excluded_by)
             .where(SpcExclusion.cluster_id == cluster_id, SpcExclusion.process == process,
                    SpcExclusion.feature == feature)
             .group_by(SpcExclusion.batch).order_by(func.min(SpcExclusion.point_time).desc()))
    return [tuple(row) for row in session.execute(query)]  # type: ignore[misc]


def count(session: Session, cluster_id: int, *, process: str, feature: str) -> int:
    """How many curves of one feature are excluded."""
    return session.scalar(select(func.count()).select_from(SpcExclusion).where(
        SpcExclusion.cluster_id == cluster_id, SpcExclusion.process == process,
        SpcExclusion.feature == feature)) or 0


def add(session: Session, rows: list[SpcExclusion]) -> None:
    """Insert exclusion rows."""
    session.add_all(rows)
    session.flush()


def batch_rows(session: Session, cluster_id: int, batch: str) -> list[SpcExclusion]:
    """The rows of one exclusion of the cluster."""
    return list(session.scalars(select(SpcExclusion).where(
        SpcExclusion.cluster_id == cluster_id, SpcExclusion.batch == batch)))


def remove_batch(session: Session, cluster_id: int, batch: str) -> None:
    """Delete one exclusion's rows."""
    session.execute(delete(SpcExclusion).where(SpcExclusion.cluster_id == cluster_id,
                                               SpcExclusion.batch == batch))
    session.flush()


def feature_curves(s: Any, *, process: str, feature: str, ids: list[int]) -> int:
    """How many of ``ids`` hold a value of the feature in the cluster's data."""
    sql = (f"SELECT uniqExact(curve_id) FROM {s.database}.curve_features "
           "WHERE process = {process:String} AND feature = {feature:String} "
           "AND curve_id IN {ids:Array(UInt64)}")
    return int(s.scalar(sql, parameters={"process": process, "feature": feature,
                                         "ids": ids}) or 0)
