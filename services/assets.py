"""Project assets: save, open as saved, rename, duplicate, delete."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from data import projects as data
from data.models import ProjectAsset
from lyceum.errors import NotFound, ValidationError
from services import audit
from services.audit import Actor
from services.explorer_state import decode_state, explorer_url, state_from_dict, state_to_dict
from services.projects import ASSET_TYPES, AssetView, _name, _project
from services.runtime import Runtime

#: Projects in these statuses take no new or changed assets.
READ_ONLY = ("completed", "archived")


def asset_url(cluster_id: int, asset: ProjectAsset) -> str:
    """The link that opens the asset in the page that made it, exactly as saved."""
    config = asset.config or {}
    if asset.asset_type == "chart":
        try:
            return explorer_url(cluster_id, state_from_dict(config.get("state") or {}))
        except ValidationError:
            return explorer_url(cluster_id)
    if asset.asset_type == "report":
        return (f"/api/v1/clusters/{cluster_id}/projects/{asset.project_id}/assets/"
                f"{asset.id}/report.pdf") if config.get("pdf") else ""
    if asset.asset_type == "dashboard":
        return f"/clusters/{cluster_id}/dashboard?{urlencode({'asset': asset.id})}"
    if asset.asset_type == "alert":
        # alert rules are made and switched on and off in the live dashboard's rules panel
        return f"/clusters/{cluster_id}/dashboard?{urlencode({'rule': config.get('rule_id')})}"
    return ""


def _view(cluster_id: int, asset: ProjectAsset) -> AssetView:
    return AssetView(id=asset.id, project_id=asset.project_id, asset_type=asset.asset_type,
                     name=asset.name, config=dict(asset.config or {}),
                     url=asset_url(cluster_id, asset), updated_at=asset.updated_at)


def _asset(session: Any, cluster_id: int, project_id: Any, asset_id: Any) -> ProjectAsset:
    project = _project(session, cluster_id, project_id)
    try:
        aid = int(asset_id)
    except (TypeError, ValueError):
        aid = 0
    asset = data.get_asset(session, aid) if aid > 0 else None
    if asset is None or asset.project_id != project.id:
        raise NotFound("This asset does not exist in this project.")
    return asset


def _writable(session: Any, cluster_id: int, project_id: Any) -> int:
    project = _project(session, cluster_id, project_id)
    if project.status in READ_ONLY:
        raise ValidationError(f"The project is {project.status}; resume or copy it to change "
                              "its assets.")
    return project.id


def list_assets(runtime: Runtime, *, cluster_id: int, project_id: Any) -> list[AssetView]:
    """A project's assets."""
    with runtime.db.session() as session:
        project = _project(session, cluster_id, project_id)
        return [_view(cluster_id, a) for a in data.list_assets(session, project_id=project.id)]


def get_asset(runtime: Runtime, *, cluster_id: int, project_id: Any,
              asset_id: Any) -> AssetView:
    """One asset of a project of the cluster."""
    with runtime.db.session() as session:
        return _view(cluster_id, _asset(session, cluster_id, project_id, asset_id))


def _audit(session: Any, action: str, *, actor: Actor, cluster_id: int, project_id: int,
           asset: ProjectAsset) -> None:
    audit.record(session, f"asset.{action}", actor=actor, cluster_id=cluster_id,
                 target_type="project", target_id=project_id,
                 detail={"asset": asset.id, "asset_name": asset.name, "type": asset.asset_type})


def save_asset(runtime: Runtime, *, cluster_id: int, project_id: Any, actor: Actor,
               asset_type: str, name: Any, config: dict[str, Any]) -> AssetView:
    """Save a new asset (from the explorer, the dashboard or a report job)."""
    if asset_type not in ASSET_TYPES:
        raise ValidationError("Unknown asset type.")
    if not isinstance(config, dict):
        raise ValidationError("Nothing to save yet.")
    if asset_type == "chart" and isinstance(config.get("state"), str):
        # the explorer keeps its state encoded, as in its share links
        config = {**config, "state": state_to_dict(decode_state(config["state"]))}
    elif asset_type == "chart" and config.get("state"):
        state_from_dict(config["state"])  # refuse a state the explorer could not reopen
    with runtime.db.session() as session:
        pid = _writable(session, cluster_id, project_id)
        asset = data.add_asset(session, project_id=pid, asset_type=asset_type,
                               name=_name(name), config=config, created_by=actor.user_id)
        _audit(session, "create", actor=actor, cluster_id=cluster_id, project_id=pid,
               asset=asset)
        return _view(cluster_id, asset)


def rename_asset(runtime: Runtime, *, cluster_id: int, project_id: Any, asset_id: Any,
                 actor: Actor, name: Any) -> AssetView:
    """Give an asset a new name."""
    with runtime.db.session() as session:
        pid = _writable(session, cluster_id, project_id)
        asset = _asset(session, cluster_id, project_id, asset_id)
        asset.name = _name(name)
        _audit(session, "rename", actor=actor, cluster_id=cluster_id, project_id=pid,
               asset=asset)
        return _view(cluster_id, asset)


def duplicate_asset(runtime: Runtime, *, cluster_id: int, project_id: Any, asset_id: Any,
                    actor: Actor) -> AssetView:
    """A copy of an asset named “… (copy)”."""
    with runtime.db.session() as session:
        pid = _writable(session, cluster_id, project_id)
        source = _asset(session, cluster_id, project_id, asset_id)
        copy = data.add_asset(session, project_id=pid, asset_type=source.asset_type,
                              name=f"{source.name[:113]} (copy)", config=dict(source.config),
                              created_by=actor.user_id)
        _audit(session, "duplicate", actor=actor, cluster_id=cluster_id, project_id=pid,
               asset=copy)
        return _view(cluster_id, copy)


def delete_asset(runtime: Runtime, *, cluster_id: int, project_id: Any, asset_id: Any,
                 actor: Actor) -> None:
    """Delete an asset."""
    with runtime.db.session() as session:
        pid = _writable(session, cluster_id, project_id)
        asset = _asset(session, cluster_id, project_id, asset_id)
        _audit(session, "delete", actor=actor, cluster_id=cluster_id, project_id=pid,
               asset=asset)
        data.delete_asset(session, asset)


def editable_projects(runtime: Runtime, *, cluster_id: int) -> list[tuple[int, str]]:
    """(id, name) of the cluster's projects that take new assets."""
    with runtime.db.session() as session:
        return [(p.id, p.name) for p in data.list_projects(session, cluster_id=cluster_id)
                if p.status not in READ_ONLY]


def asset_config(runtime: Runtime, *, cluster_id: int, asset_id: Any,
                 asset_type: str) -> dict[str, Any]:
    """The saved config of an asset of ``asset_type`` in one of the cluster's projects.

    For the page that reopens it (the dashboard reads ``?asset=<id>``); an asset of another
    cluster or type is not found.
    """
    with runtime.db.session() as session:
        try:
            aid = int(asset_id)
        except (TypeError, ValueError):
            aid = 0
        asset = data.get_asset(session, aid) if aid > 0 else None
        project = data.get_project(session, asset.project_id) if asset else None
        if (asset is None or project is None or project.cluster_id != cluster_id
                or asset.asset_type != asset_type):
            raise NotFound("This saved view does not exist in this cluster.")
        return dict(asset.config or {})
