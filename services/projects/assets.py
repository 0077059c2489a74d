"""Project assets: save, open as saved, rename, duplicate, delete."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any
from urllib.parse import urlencode

from data.metadata import imports as jobs_data
from data.metadata import projects as data
from data.metadata.models import ProjectAsset
from lyceum.errors import NotFound, ValidationError
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.explorer.state import decode_state, explorer_url, state_from_dict, state_to_dict
from services.projects.project_store import PAGES, AssetView, _name, _project

#: Projects in these statuses take no new or changed assets.
READ_ONLY = ("completed", "archived")
#: The config keys a client may save, per asset type it may save. Alert assets are made with
#: their alert rule, report assets by the report service (:func:`save_report_asset`).
CLIENT_CONFIG_KEYS: dict[str, frozenset[str]] = {
    "chart": frozenset({"page", "state"}),
    "dashboard": frozenset({"page", "state"}),
}
_MADE_BY_SERVER = {
    "report": "A report asset is made by generating a report of the project, not saved "
              "directly.",
    "alert": "An alert asset is made with its alert rule in the live dashboard, not saved "
             "directly.",
}
#: What a report asset keeps besides the id of the report job that made its file.
REPORT_SUMMARY_KEYS = frozenset({"filters", "pages", "source_asset", "generated_at"})
_VIEW_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
_MAX_VIEW_KEYS = 16
_MAX_TEXT = 200
_AUDIT_CONFIG_CHARS = 2000
MAX_ID = 2**31 - 1


def report_id_of(config: dict[str, Any]) -> int | None:
    """The server-issued report job id a report asset's config refers to, if it is one."""
    value = config.get("report_id")
    if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID:
        return value
    return None


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
                f"{asset.id}/report.pdf") if report_id_of(config) else ""
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


def _config_detail(config: dict[str, Any]) -> dict[str, Any]:
    """What the audit keeps of a config: its SHA-256, and the config itself unless it is long."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    found: dict[str, Any] = {"config_sha256": hashlib.sha256(text.encode()).hexdigest()}
    if len(text) <= _AUDIT_CONFIG_CHARS:
        found["config"] = config
    else:
        found["config_keys"] = sorted(config)
    return found


def _audit(session: Any, action: str, *, actor: Actor, cluster_id: int, project_id: int,
           asset: ProjectAsset, with_config: bool = False) -> None:
    detail: dict[str, Any] = {"asset": asset.id, "asset_name": asset.name,
                              "type": asset.asset_type}
    if with_config:
        detail.update(_config_detail(dict(asset.config or {})))
    audit.record(session, f"asset.{action}", actor=actor, cluster_id=cluster_id,
                 target_type="project", target_id=project_id, detail=detail)


def _scalar(value: Any) -> bool:
    if isinstance(value, str):
        return len(value) <= _MAX_TEXT
    return value is None or isinstance(value, bool | int | float)


def _dashboard_state(state: Any) -> dict[str, Any]:
    """A dashboard's saved choices: a few named plain values, nothing else."""
    if state in (None, ""):
        return {}
    if (not isinstance(state, dict) or len(state) > _MAX_VIEW_KEYS
            or not all(isinstance(k, str) and _VIEW_KEY.fullmatch(k) and _scalar(v)
                       for k, v in state.items())):
        raise ValidationError("The dashboard view holds only its named choices (short text or "
                              "numbers).", fields={"config": "invalid"})
    return dict(state)


def client_config(asset_type: str, config: Any) -> dict[str, Any]:
    """A client's asset config checked against the keys its type takes, or refused.

    Only charts and dashboards are saved by clients; their config is ``page`` (the page that
    made it) and ``state`` (what that page reopens), validated as that page would.
    """
    if asset_type in _MADE_BY_SERVER:
        raise ValidationError(_MADE_BY_SERVER[asset_type], fields={"asset_type": "not allowed"})
    if asset_type not in CLIENT_CONFIG_KEYS:
        raise ValidationError("Unknown asset type.", fields={"asset_type": "unknown"})
    if not isinstance(config, dict):
        raise ValidationError("Nothing to save yet.", fields={"config": "invalid"})
    unknown = sorted(str(k)[:40] for k in config if k not in CLIENT_CONFIG_KEYS[asset_type])
    if unknown:
        raise ValidationError(f"A {asset_type} asset does not take these settings: "
                              f"{', '.join(unknown)}.", fields={"config": "invalid"})
    page = config.get("page", PAGES[asset_type])
    if page != PAGES[asset_type]:
        raise ValidationError(f"A {asset_type} asset is made in the {PAGES[asset_type]} page.",
                              fields={"config": "invalid"})
    state = config.get("state")
    if asset_type == "dashboard":
        return {"page": page, "state": _dashboard_state(state)}
    if isinstance(state, str):
        # the explorer keeps its state encoded, as in its share links
        return {"page": page, "state": state_to_dict(decode_state(state))}
    if state in (None, "", {}):
        return {"page": page, "state": {}}
    return {"page": page, "state": state_to_dict(state_from_dict(state))}


def save_asset(runtime: Runtime, *, cluster_id: int, project_id: Any, actor: Actor,
               asset_type: str, name: Any, config: Any) -> AssetView:
    """Save a chart or dashboard a client made (from the explorer, the dashboard, the API)."""
    clean = client_config(asset_type, config)
    with runtime.db.session() as session:
        pid = _writable(session, cluster_id, project_id)
        asset = data.add_asset(session, project_id=pid, asset_type=asset_type,
                               name=_name(name), config=clean, created_by=actor.user_id)
        _audit(session, "create", actor=actor, cluster_id=cluster_id, project_id=pid,
               asset=asset, with_config=True)
        return _view(cluster_id, asset)


def save_report_asset(runtime: Runtime, *, report_id: int, actor: Actor,
                      summary: dict[str, Any]) -> AssetView:
    """The asset of a finished report job (for the report service only).

    Its config names the job by the id the server issued; the file's place is derived from
    that id when it is downloaded, never read from the config.
    """
    with runtime.db.session() as session:
        job = jobs_data.get_report(session, report_id)
        if job is None:
            raise NotFound("This report does not exist.")
        pid = _writable(session, job.cluster_id, job.project_id)
        config = {"page": "report", "report_id": job.id,
                  **{k: v for k, v in summary.items() if k in REPORT_SUMMARY_KEYS}}
        asset = data.add_asset(session, project_id=pid, asset_type="report",
                               name=_name(job.title), config=config, created_by=actor.user_id)
        _audit(session, "create", actor=actor, cluster_id=job.cluster_id, project_id=pid,
               asset=asset, with_config=True)
        return _view(job.cluster_id, asset)


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
               asset=copy, with_config=True)
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
