"""The frame's cluster tabs: shown on every /clusters/<id>/… page the user may see."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback

from auth.roles import Role, require_role
from callbacks.common import runtime
from components.ids import Shell
from components.layout import make_cluster_nav
from lyceum.errors import AppError
from services.clusters.page_access import cluster_id_in, cluster_name, cluster_pages


@callback(Output(Shell.cluster_nav, "children"), Input(Shell.location, "pathname"))
def cluster_tabs(pathname: str | None) -> Any:
    """Tabs for the cluster in the address, limited to the pages the user's role may open."""
    cluster_id = cluster_id_in(pathname)
    if cluster_id is None:
        return None
    try:
        role = require_role(cluster_id, Role.VIEWER)
        name = cluster_name(runtime(), cluster_id)
    except AppError:
        return None
    pages = cluster_pages(dash.page_registry.values(), cluster_id=cluster_id, role=role.label)
    return make_cluster_nav(cluster_id=cluster_id, cluster_name=name, pages=pages,
                            active_path=pathname or "")


# The menu of a narrow screen opens and closes in the browser (no server trip: it changes
# nothing and shows only links the page already holds); a new page closes it.
clientside_callback(
    """(clicks, pathname, isOpen) => {
        const ctx = window.dash_clientside.callback_context;
        const byToggle = ctx.triggered.some(t => t.prop_id.startsWith('""" + Shell.navbar_toggle
    + """.'));
        return byToggle ? !isOpen : false;
    }""",
    Output(Shell.navbar_collapse, "is_open"),
    Input(Shell.navbar_toggle, "n_clicks"), Input(Shell.location, "pathname"),
    State(Shell.navbar_collapse, "is_open"), prevent_initial_call=True)
