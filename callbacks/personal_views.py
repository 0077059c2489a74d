"""Callbacks of the personal views (components/personal_views.py), registered once per page:
each reads that page's cluster store and the address its own Location keeps current.
Members with the analyst role (or above) on the cluster see and use them; the role is
checked on the server on every call."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback

from auth.roles import Role, has_role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.explorer.view import store_cluster
from callbacks.guard import clicked, guarded, unchanged
from components.ids.dashboard import Dashboard
from components.ids.explorer import Explorer
from components.ids.shared import PersonalViews, personal_views_id
from components.personal_views import make_menu_items
from services.projects.personal_views import list_views, save_view

#: page → (its cluster store, its Location).
PAGES = {"explorer": (Explorer.cluster, Explorer.url),
         "dashboard": (Dashboard.cluster, Dashboard.url)}
SHOWN = "d-flex align-items-center flex-wrap gap-1"


def _menu(cid: int, page: str) -> list[Any]:
    user = current_actor().user_id or 0
    return make_menu_items([(v.name, v.url) for v in list_views(runtime(), cid, user_id=user,
                                                                page=page)])


def _register(page: str, cluster_store: str, location: str) -> None:
    def one(kind: str) -> dict[str, str]:
        return personal_views_id(kind, page)

    @callback(Output(one(PersonalViews.BOX), "className"),
              Output(one(PersonalViews.MENU), "children"), Input(cluster_store, "data"))
    @guarded(Role.VIEWER, cluster="cluster", locate=store_cluster, outputs=2,
             on_error=unchanged)
    def fill(cluster: int) -> tuple[Any, Any]:
        """Analysts see their views of this page; other roles see nothing of it."""
        if not has_role(cluster, Role.ANALYST):
            return "d-none", []
        return SHOWN, _menu(cluster, page)

    @callback(Output(one(PersonalViews.MENU), "children", allow_duplicate=True),
              Output(one(PersonalViews.FEEDBACK), "children"),
              Input(one(PersonalViews.SAVE), "n_clicks"), State(one(PersonalViews.NAME), "value"),
              State(location, "search"), State(cluster_store, "data"),
              prevent_initial_call=True)
    @guarded(Role.ANALYST, cluster="cluster", locate=store_cluster, outputs=2, error_output=1,
             title="Not saved", when=clicked)
    def save(_n: Any, name: Any, search: Any, cluster: int) -> tuple[Any, Any]:
        """Save the view the address names under the typed name (analysts)."""
        saved = save_view(runtime(), cluster, user_id=current_actor().user_id or 0, page=page,
                          name=name, search=search)
        return _menu(cluster, page), dbc.Badge(f"Saved “{saved.name}”.", color="success")


for _page, (_store, _location) in PAGES.items():
    _register(_page, _store, _location)
