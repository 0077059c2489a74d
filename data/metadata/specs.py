"""Specification limits: the metadata rows of a cluster, and whether a feature exists in
the cluster's ClickHouse data (``curve_features``, bound parameters only)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from data.metadata.models import User
from data.metadata.models_specs import FeatureSpec


def rows(session: Session, cluster_id: int) -> list[tuple[FeatureSpec, str | None]]:
    """The cluster's limit rows with the e-mail of whoever changed each last."""
    query = (select(FeatureSpec, User.email).outerjoin(User, User.id == FeatureSpec.updated_by)
             .where(FeatureSpec.cluster_id == cluster_id)
             .order_by(FeatureSpec.process, FeatureSpec.feature))
    return [(spec, email) for spec, email in session.execute(query)]


def row(session: Session, cluster_id: int, *, process: str,
        feature: str) -> FeatureSpec | None:
    """One (process, feature) row of the cluster, if it has one."""
    return session.scalars(select(FeatureSpec).where(
        FeatureSpec.cluster_id == cluster_id, FeatureSpec.process == process,
        FeatureSpec.feature == feature)).first()


def add(session: Session, spec: FeatureSpec) -> FeatureSpec:
    """Insert a row (flushed, so its id is known)."""
    session.add(spec)
    session.flush()
    return spec


def delete(session: Session, spec: FeatureSpec) -> None:
    """Remove a row."""
    session.delete(spec)
    session.flush()


def feature_exists(s: Any, *, process: str, feature: str) -> bool:
    """Whether the cluster's ``curve_features`` holds at least one value of the feature."""
    sql = (f"SELECT count() FROM (SELECT 1 FROM {s.database}.curve_features "
           "WHERE process = {process:String} AND feature = {feature:String} LIMIT 1)")
    return bool(s.scalar(sql, parameters={"process": process, "feature": feature}))
