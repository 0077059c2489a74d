"""Cluster list callbacks: filter and show the clusters the user may see."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from auth.roles import Role
from callbacks.common import runtime, signed_in_user
from callbacks.guard import guarded
from components.clusters import filter_value, make_cluster_table
from components.ids.clusters import Clusters
from components.layout import make_empty_state
from services.clusters.listing import cluster_rows


def _new_button() -> dbc.Button:
    return dbc.Button([html.I(className="bi bi-plus-lg me-1"), "New cluster"],
                      href="/clusters/new", color="primary", id=Clusters.new)


@callback(Output(Clusters.table, "children"), Output(Clusters.actions, "children"),
          Output(Clusters.error, "children"),
          Input(Clusters.load, "n_intervals"), Input(Clusters.search, "value"),
          Input(Clusters.status, "value"), Input(Clusters.kind, "value"))
@guarded(Role.VIEWER, cluster=None, outputs=3, error_output=2, fill=None)
def fill_clusters(_n: int, search: str | None, status: str | None,
                  kind: str | None) -> tuple[Any, Any, Any]:
    """The filtered table; admins also get the New cluster button."""
    user = signed_in_user()
    status, kind = filter_value(status), filter_value(kind)
    rows = cluster_rows(runtime(), user_id=user.id, is_admin=user.is_admin,
                        search=search or "", status=status or "", kind=kind or "")
    action = _new_button() if user.is_admin else None
    if rows:
        return make_cluster_table(rows), action, None
    if search or status or kind:
        return make_empty_state(icon="bi-funnel", title="No cluster matches these filters",
                                text="Clear the search or choose another status or type."), \
            action, None
    text = ("Create your first analytics cluster: a ClickHouse database with the "
            "manufacturing schema, tiered storage and retention." if user.is_admin else
            "You are not a member of any cluster yet. A cluster admin can add you.")
    return make_empty_state(icon="bi-database-add", title="No clusters yet", text=text,
                            action=_new_button() if user.is_admin else None), None, None
