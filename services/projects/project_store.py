"""Projects inside a cluster and their assets: dashboards, charts, alert rules, reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from data.metadata import projects as data
from data.metadata.models import ClusterProject
from lyceum.errors import NotFound, ValidationError
from services.clusters import catalog as catalogs
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.quality import alerts

ASSET_TYPES: tuple[str, ...] = ("dashboard", "chart", "alert", "report")
#: Lifecycle actions and the status each leads to (from the statuses it is allowed in).
ACTIONS: dict[str, tuple[str, tuple[str, ...]]] = {
    "pause": ("paused", ("active", "error")),
    "resume": ("active", ("paused", "error")),
    "complete": ("completed", ("active", "paused")),
    "archive": ("archived", ("active", "paused", "completed", "error")),
}
STATUS_COLORS = {"active": "success", "paused": "warning", "completed": "primary",
                 "error": "danger", "archived": "secondary"}
#: Which page made each asset type (the asset opens back there).
PAGES = {"dashboard": "dashboard", "chart": "explorer", "alert": "alerts", "report": "report"}
_TEMPLATE_KEYS = {"dashboards": "dashboard", "charts": "chart", "alerts": "alert",
                  "reports": "report"}


@dataclass(frozen=True)
class ProjectView:
    """A project with what its pages show."""

    id: int
    cluster_id: int
    name: str
    project_type: str
    type_name: str
    description: str
    status: str
    created_at: datetime
    updated_at: datetime
    asset_counts: dict[str, int]


@dataclass(frozen=True)
class AssetView:
    """One asset and the link that opens it as saved."""

    id: int
    project_id: int
    asset_type: str
    name: str
    config: dict[str, Any]
    url: str
    updated_at: datetime


def _name(value: Any) -> str:
    text = str(value or "").strip()
    if not text or len(text) > 120:
        raise ValidationError("Give the project a name of 1 to 120 characters.",
                              fields={"name": "invalid"})
    return text


def project_types(runtime: Runtime) -> list[tuple[str, str, str]]:
    """(code, name, description) of the five templates."""
    with runtime.db.session() as session:
        return [(t.code, t.name, t.description) for t in data.list_types(session)]


def _view(project: ClusterProject, counts: dict[str, int], type_name: str) -> ProjectView:
    return ProjectView(id=project.id, cluster_id=project.cluster_id, name=project.name,
                       project_type=project.project_type, type_name=type_name,
                       description=project.description, status=project.status,
                       created_at=project.created_at, updated_at=project.updated_at,
                       asset_counts=counts)


def list_projects(runtime: Runtime, *, cluster_id: int,
                  include_archived: bool = False) -> list[ProjectView]:
    """The cluster's projects, newest first."""
    with runtime.db.session() as session:
        types = {t.code: t.name for t in data.list_types(session)}
        projects = data.list_projects(session, cluster_id=cluster_id)
        counts = data.asset_counts(session, [p.id for p in projects])
        return [_view(p, counts.get(p.id, {}), types.get(p.project_type, p.project_type))
                for p in projects if include_archived or p.status != "archived"]


def _project(session: Any, cluster_id: int, project_id: Any) -> ClusterProject:
    """A project of this cluster; a project of another cluster is not found."""
    try:
        pid = int(project_id)
    except (TypeError, ValueError):
        pid = 0
    project = data.get_project(session, pid) if pid > 0 else None
    if project is None or project.cluster_id != cluster_id:
        raise NotFound("This project does not exist in this cluster.")
    return project


def get_project(runtime: Runtime, *, cluster_id: int, project_id: Any) -> ProjectView:
    """One project of the cluster."""
    with runtime.db.session() as session:
        project = _project(session, cluster_id, project_id)
        types = {t.code: t.name for t in data.list_types(session)}
        counts = data.asset_counts(session, [project.id]).get(project.id, {})
        return _view(project, counts, types.get(project.project_type, project.project_type))


#: Alert rules the templates' alert assets stand for (name → kind, params).
TEMPLATE_RULES: dict[str, tuple[str, dict[str, Any]]] = {
    "Yield below 95 %": ("yield_below", {"threshold": 95.0, "window_minutes": 60}),
    "Station stopped > 15 min": ("station_stopped", {"minutes": 15}),
}


def _default_config(asset_type: str, name: str, process: str | None) -> dict[str, Any]:
    """A starting asset's page; a chart shows ``process`` (the cluster's first process)."""
    if asset_type == "chart":
        return {"page": "explorer", "state": {"p": process} if process else {}}
    if asset_type == "dashboard":
        return {"page": "dashboard", "state": {}}
    return {"page": "report", "report_id": None}  # made by generating a report


def _template_alerts(runtime: Runtime, *, cluster_id: int, project_id: int, actor: Actor,
                     names: list[str]) -> None:
    """Real alert rules for the template's alert assets, each kept as an asset."""
    for name in names:
        kind, params = TEMPLATE_RULES.get(name, ("yield_below", {"threshold": 95.0,
                                                                 "window_minutes": 60}))
        rule_id = alerts.create_rule(runtime, cluster_id, name=name, kind=kind, params=params,
                                     actor=actor)
        with runtime.db.session() as session:
            data.add_asset(session, project_id=project_id, asset_type="alert", name=name,
                           created_by=actor.user_id,
                           config={"page": "alerts", "rule_id": rule_id, "kind": kind,
                                   "params": params})


def create_project(runtime: Runtime, *, cluster_id: int, actor: Actor, name: Any,
                   project_type: Any, description: Any = "") -> ProjectView:
    """A new project from a template, with the template's starting assets."""
    first = catalogs.first_process(runtime, cluster_id)
    with runtime.db.session() as session:
        template = data.get_type(session, str(project_type or ""))
        if template is None:
            raise ValidationError("Choose one of the project templates.",
                                  fields={"project_type": "unknown"})
        project = data.add_project(session, cluster_id=cluster_id, name=_name(name),
                                   project_type=template.code,
                                   description=str(description or "")[:2000],
                                   created_by=actor.user_id)
        starting = template.default_assets or {}
        for key, asset_type in _TEMPLATE_KEYS.items():
            for asset_name in starting.get(key, []) if asset_type != "alert" else []:
                data.add_asset(session, project_id=project.id, asset_type=asset_type,
                               name=asset_name, created_by=actor.user_id,
                               config=_default_config(asset_type, asset_name, first))
        audit.record(session, "project.create", actor=actor, cluster_id=cluster_id,
                     target_type="project", target_id=project.id,
                     detail={"name": project.name, "template": template.code})
        project_id = project.id
    _template_alerts(runtime, cluster_id=cluster_id, project_id=project_id, actor=actor,
                     names=list(starting.get("alerts", [])))
    return get_project(runtime, cluster_id=cluster_id, project_id=project_id)


def update_project(runtime: Runtime, *, cluster_id: int, project_id: Any, actor: Actor,
                   name: Any, description: Any = "") -> ProjectView:
    """Rename a project or change its description."""
    with runtime.db.session() as session:
        project = _project(session, cluster_id, project_id)
        project.name, project.description = _name(name), str(description or "")[:2000]
        audit.record(session, "project.update", actor=actor, cluster_id=cluster_id,
                     target_type="project", target_id=project.id, detail={"name": project.name})
    return get_project(runtime, cluster_id=cluster_id, project_id=project_id)


def change_status(runtime: Runtime, *, cluster_id: int, project_id: Any, actor: Actor,
                  action: str) -> ProjectView:
    """Pause, resume, complete or archive a project."""
    if action not in ACTIONS:
        raise ValidationError("Unknown project action.")
    target, allowed = ACTIONS[action]
    with runtime.db.session() as session:
        project = _project(session, cluster_id, project_id)
        if project.status not in allowed:
            raise ValidationError(f"A {project.status} project cannot be {target}.")
        project.status = target
        audit.record(session, f"project.{action}", actor=actor, cluster_id=cluster_id,
                     target_type="project", target_id=project.id, detail={"status": target})
    return get_project(runtime, cluster_id=cluster_id, project_id=project_id)


def activity(runtime: Runtime, *, cluster_id: int, project_id: Any,
             limit: int = 20) -> list[tuple[datetime, str, str]]:
    """(when, who, what) of the project's latest audit entries."""
    with runtime.db.session() as session:
        project = _project(session, cluster_id, project_id)
        entries = data.project_audit(session, cluster_id=cluster_id, project_id=project.id,
                                     limit=limit)
        return [(e.created_at, e.actor, _describe(e.action, e.detail or {})) for e in entries]


_PHRASES = {
    "project.create": "created the project", "project.update": "edited the project",
    "project.pause": "paused the project", "project.resume": "resumed the project",
    "project.complete": "completed the project", "project.archive": "archived the project",
    "asset.create": "saved {type} “{name}”", "asset.rename": "renamed {type} to “{name}”",
    "asset.duplicate": "duplicated {type} as “{name}”", "asset.delete": "deleted {type} “{name}”",
    "asset.update": "updated {type} “{name}”",
    "report.create": "asked for the report “{name}”",
    "report.download": "downloaded the report “{name}”",
}


def _describe(action: str, detail: dict[str, Any]) -> str:
    """An audit entry as a short sentence (“saved chart “Overlay””)."""
    phrase = _PHRASES.get(action, action)
    name = str(detail.get("asset_name") or detail.get("name") or "")
    return phrase.format(type=str(detail.get("type", "asset")), name=name)
