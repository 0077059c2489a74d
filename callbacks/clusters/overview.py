"""Overview callbacks: fill the cluster cards for the signed-in user."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback

from auth.roles import Role
from callbacks.common import runtime, signed_in_user
from callbacks.guard import guarded
from components.clusters import make_cluster_card
from components.ids.overview import Overview
from components.layout import make_empty_state
from services.clusters.overview import cluster_cards


@callback(Output(Overview.clusters, "children"), Output(Overview.error, "children"),
          Input(Overview.load, "n_intervals"))
@guarded(Role.VIEWER, cluster=None, outputs=2, error_output=1, fill=None)
def fill_clusters(_n: int) -> tuple[Any, Any]:
    """Cards for every cluster the user may see."""
    user = signed_in_user()
    cards = cluster_cards(runtime(), user_id=user.id, is_admin=user.is_admin)
    if not cards:
        return make_empty_state(
            icon="bi-database", title="No clusters for you yet",
            text="You are not a member of any analytics cluster. An administrator of a cluster "
                 "can add you to its team."), None
    return [make_cluster_card(card) for card in cards], None
