"""Callbacks of the shared "Save to project" modal (see components/save_to_project.py).

Pattern-matching ids (``{"type": …, "page": …}``) let every page that includes the component
share the opening callback; the save callback is registered once per page in
``components.save_to_project.CONFIG_STORES``, because it reads that page's own config store.
"""

from __future__ import annotations

import re
from typing import Any

import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, callback, html

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.guard import clicked, guarded
from components.ids.shared import SaveToProject, save_to_project_id
from components.layout import make_error
from components.save_to_project import CONFIG_STORES
from services.projects.assets import editable_projects, save_asset

_CLUSTER = re.compile(r"^/clusters/([0-9]{1,12})/")
_ASSET_TYPE = {"explorer": "chart", "dashboard": "dashboard"}


def _cluster(pathname: str | None) -> str:
    """The cluster id in the page's address, as sent ("" when there is none)."""
    found = _CLUSTER.match(pathname or "")
    return found.group(1) if found else ""


def _id(kind: str) -> dict[str, Any]:
    return {"type": kind, "page": MATCH}


@callback(Output(_id(SaveToProject.MODAL), "is_open"), Output(_id(SaveToProject.PROJECT),
                                                              "options"),
          Output(_id(SaveToProject.FEEDBACK), "children"),
          Input(_id(SaveToProject.OPEN), "n_clicks"), State("_pages_location", "pathname"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", locate=_cluster, when=clicked, on_error=lambda exc, *_: (
    True, [], make_error(exc.user_message, title="Cannot save")))
def open_modal(_n: int | None, cid: int) -> tuple[bool, Any, Any]:
    """Open the modal with the projects the user may add to (the cluster of the address)."""
    found = editable_projects(runtime(), cluster_id=cid)
    if not found:
        return True, [], dbc.Alert(["No project takes new assets yet. ",
                                    html.A("Create a project", href=f"/clusters/{cid}/projects"),
                                    "."], color="info")
    return True, [{"label": name, "value": str(pid)} for pid, name in found], None


@guarded(Role.EDITOR, cluster="cid", locate=_cluster, title="Not saved",
         when=lambda _page, n, *_: n)
def _save(page: str, _n: int | None, project: str | None, name: str | None,
          cid: Any, config: Any) -> Any:
    """Save the page's current config as an asset of the chosen project (``cid``: the
    page's address, which the guard turns into the checked cluster id)."""
    asset = save_asset(runtime(), cluster_id=cid, project_id=project, actor=current_actor(),
                       asset_type=_ASSET_TYPE[page], name=name,
                       config={"page": page, "state": config or {}})
    return dbc.Alert(["Saved. ", html.A("Open the project",
                                        href=f"/clusters/{cid}/projects/{asset.project_id}")],
                     color="success", className="mb-0")


def _register(page: str, store_id: str) -> None:
    """The save callback of one page, reading that page's config store."""
    def one(kind: str) -> dict[str, str]:
        return save_to_project_id(kind, page)

    @callback(Output(one(SaveToProject.FEEDBACK), "children", allow_duplicate=True),
              Input(one(SaveToProject.SAVE), "n_clicks"),
              State(one(SaveToProject.PROJECT), "value"), State(one(SaveToProject.NAME), "value"),
              State("_pages_location", "pathname"), State(store_id, "data"),
              prevent_initial_call=True)
    def save(n: int | None, project: str | None, name: str | None, pathname: str | None,
             config: Any) -> Any:
        return _save(page, n, project, name, pathname, config)


for _page, _store in CONFIG_STORES.items():
    _register(_page, _store)
