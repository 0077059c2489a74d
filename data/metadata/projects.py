"""Projects, project templates and assets in the metadata database."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.metadata.models import AuditEntry, ClusterProject, ProjectAsset, ProjectType


def list_types(session: Session) -> list[ProjectType]:
    """The project templates in a stable order (custom last)."""
    types = list(session.scalars(select(ProjectType)))
    return sorted(types, key=lambda t: (t.code == "custom", t.name))


def get_type(session: Session, code: str) -> ProjectType | None:
    """One template."""
    return session.get(ProjectType, code)


def list_projects(session: Session, *, cluster_id: int) -> list[ClusterProject]:
    """The cluster's projects, newest first."""
    return list(session.scalars(select(ClusterProject).where(
        ClusterProject.cluster_id == cluster_id).order_by(ClusterProject.id.desc())))


def get_project(session: Session, project_id: int) -> ClusterProject | None:
    """One project by id."""
    return session.get(ClusterProject, project_id)


def add_project(session: Session, **fields: Any) -> ClusterProject:
    """Insert a project."""
    project = ClusterProject(**fields)
    session.add(project)
    session.flush()
    return project


def asset_counts(session: Session, project_ids: list[int]) -> dict[int, dict[str, int]]:
    """Assets per project and type."""
    out: dict[int, dict[str, int]] = defaultdict(dict)
    if not project_ids:
        return out
    rows = session.execute(select(ProjectAsset.project_id, ProjectAsset.asset_type,
                                  func.count()).where(ProjectAsset.project_id.in_(project_ids))
                           .group_by(ProjectAsset.project_id, ProjectAsset.asset_type))
    for pid, kind, n in rows:
        out[pid][kind] = n
    return out


def list_assets(session: Session, *, project_id: int) -> list[ProjectAsset]:
    """A project's assets by type and name."""
    return list(session.scalars(select(ProjectAsset).where(
        ProjectAsset.project_id == project_id).order_by(ProjectAsset.asset_type,
                                                         ProjectAsset.name)))


def assets_of_type(session: Session, asset_type: str) -> list[ProjectAsset]:
    """Every asset of one type, in every project (start-up upkeep)."""
    return list(session.scalars(select(ProjectAsset).where(
        ProjectAsset.asset_type == asset_type).order_by(ProjectAsset.id)))


def get_asset(session: Session, asset_id: int) -> ProjectAsset | None:
    """One asset by id."""
    return session.get(ProjectAsset, asset_id)


def add_asset(session: Session, **fields: Any) -> ProjectAsset:
    """Insert an asset."""
    asset = ProjectAsset(**fields)
    session.add(asset)
    session.flush()
    return asset


def delete_asset(session: Session, asset: ProjectAsset) -> None:
    """Delete an asset."""
    session.delete(asset)


def project_audit(session: Session, *, cluster_id: int, project_id: int,
                  limit: int) -> list[AuditEntry]:
    """The project's audit entries, newest first."""
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.cluster_id == cluster_id, AuditEntry.target_type == "project",
        AuditEntry.target_id == str(project_id)).order_by(AuditEntry.id.desc()).limit(limit)))
