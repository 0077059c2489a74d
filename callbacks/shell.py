"""The frame: the cluster tabs on every /clusters/<id>/… page the user may see, the narrow
screen's menu, and the navbar's part search (every page)."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, callback, clientside_callback, no_update

from auth.roles import Role, require_role
from callbacks.common import runtime, signed_in_user
from callbacks.guard import guarded
from components.ids.shared import Shell
from components.layout import make_cluster_nav, make_part_search_result
from lyceum.errors import AppError
from services.clusters.page_access import cluster_id_in, cluster_name, cluster_pages
from services.explorer.part_finder import find_part


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
    """(clicks, pathname, search, isOpen) => {
        const ctx = window.dash_clientside.callback_context;
        const byToggle = ctx.triggered.some(t => t.prop_id.startsWith('""" + Shell.navbar_toggle
    + """.'));
        return byToggle ? !isOpen : false;
    }""",
    Output(Shell.navbar_collapse, "is_open"),
    Input(Shell.navbar_toggle, "n_clicks"), Input(Shell.location, "pathname"),
    Input(Shell.location, "search"),  # the part search may open the same page, another part
    State(Shell.navbar_collapse, "is_open"), prevent_initial_call=True)


def _searched(_submitted: Any, _clicked: Any, text: Any, _pathname: Any) -> bool:
    return bool(_submitted or _clicked)


def _search_refused(exc: AppError, *_args: Any) -> tuple[Any, Any]:
    return make_part_search_result(message=exc.user_message), no_update


@callback(Output(Shell.part_search_result, "children"), Output(Shell.part_search_go, "href"),
          Input(Shell.part_search, "n_submit"), Input(Shell.part_search_button, "n_clicks"),
          State(Shell.part_search, "value"), State(Shell.location, "pathname"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, cluster=None, when=_searched, on_error=_search_refused)
def search_part(_submitted: Any, _clicked: Any, text: Any, pathname: Any) -> tuple[Any, Any]:
    """Enter or the button: open the trace page of the one part that matches (on the cluster
    of the page it was typed on, else on every cluster the user may read), or list the
    matches, or say that nothing matched. Each cluster's membership is checked now."""
    user = signed_in_user()
    found = find_part(runtime(), text, user_id=user.id, is_admin=bool(user.is_admin),
                      scope=getattr(user, "scope", None),
                      current=cluster_id_in(pathname if isinstance(pathname, str) else None))
    if found.open:
        return None, found.open
    hits = [{"serial": h.serial, "cluster_name": h.cluster_name, "n_curves": h.n_curves,
             "href": h.href} for h in found.hits]
    return make_part_search_result(message=found.message, hits=hits), no_update


# A new page clears the search's answer (in the browser: nothing to ask the server).
clientside_callback(
    "(_pathname, _search) => null",
    Output(Shell.part_search_result, "children", allow_duplicate=True),
    Input(Shell.location, "pathname"), Input(Shell.location, "search"),
    prevent_initial_call=True)
