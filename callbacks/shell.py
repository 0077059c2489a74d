"""The frame's cluster tabs: shown on every /clusters/<id>/… page the user may see."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, callback

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
