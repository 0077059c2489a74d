"""The explorer refines by itself: an image drawn from stored partials coarser than the
screen says so under the chart, and this callback then draws the same view at screen
resolution from today's paths and replaces the image and the words."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback
from dash.exceptions import PreventUpdate

from auth.roles import Role
from callbacks.common import runtime
from callbacks.explorer.view import IMAGE_H, IMAGE_W, STORE, decoded, state_token
from callbacks.guard import guarded, unchanged
from components import explorer_figure as fig
from components.explorer_image import DataUrls
from components.ids.explorer import Explorer
from services.explorer import view as explorer_view


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None


@callback(Output(Explorer.graph, "figure", allow_duplicate=True),
          Output(Explorer.summary, "children", allow_duplicate=True),
          Input(Explorer.refine, "data"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, on_error=unchanged)
def refine(asked: Any, cluster: int, encoded: Any) -> tuple[Any, Any]:
    """Draw the asked view at screen resolution (only for the state it was asked for)."""
    if not isinstance(asked, dict) or not isinstance(encoded, str) \
            or asked.get("token") != state_token(encoded):
        raise PreventUpdate
    try:
        state = decoded(encoded).with_(x_range=_pair(asked.get("x")),
                                       y_range=_pair(asked.get("y")))
    except (TypeError, ValueError):
        raise PreventUpdate from None
    dens = explorer_view.refine(runtime(), cluster, state, width=IMAGE_W, height=IMAGE_H)
    patch = fig.zoom_patch(dens, color_by=state.color_by, hidden=state.hidden, outliers=None,
                           selected=None, urls=runtime().caches.of(DataUrls))
    return patch, explorer_view.summary_text(dens)
