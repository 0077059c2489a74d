"""The explorer refines by itself: an image drawn from stored partials coarser than the
screen says so under the chart, and this callback then draws the same view at screen
resolution from today's paths and replaces the image and the words.

The answer is put on the chart in the browser, and only if the chart still shows the view it
was asked for: a zoom made while it was drawn has moved on, and an older, finer image must not
replace the newer one."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, clientside_callback
from dash.exceptions import PreventUpdate

from auth.roles import Role
from callbacks.common import runtime
from callbacks.explorer.view import IMAGE_H, IMAGE_W, STORE, decoded, state_token
from callbacks.guard import guarded, unchanged
from components import explorer_figure as fig
from components.explorer_image import DataUrls
from components.ids.explorer import Explorer
from lyceum.errors import AppError
from services.explorer import view as explorer_view


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list) and len(value) == 2:
        return float(value[0]), float(value[1])
    return None


@callback(Output(Explorer.refined, "data"),
          Input(Explorer.refine, "data"), State(Explorer.cluster, "data"),
          State(Explorer.state, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, on_error=unchanged)
def refine(asked: Any, cluster: int, encoded: Any) -> dict[str, Any]:
    """Draw the asked view at screen resolution (only for the state it was asked for): the
    image, the words under the chart, and the ranges it is for."""
    if not isinstance(asked, dict) or not isinstance(encoded, str) \
            or asked.get("token") != state_token(encoded):
        raise PreventUpdate
    try:
        x_range, y_range = _pair(asked.get("x")), _pair(asked.get("y"))
        state = decoded(encoded).with_(x_range=x_range, y_range=y_range)
    except (TypeError, ValueError):
        raise PreventUpdate from None
    ranges = {"x": list(x_range) if x_range else None, "y": list(y_range) if y_range else None}
    try:
        dens = explorer_view.refine(runtime(), cluster, state, width=IMAGE_W, height=IMAGE_H)
    except AppError as exc:  # the view stays as drawn; the words stop saying "refining…"
        return {**ranges, "failed": exc.user_message}
    image = fig.density_image(dens, color_by=state.color_by, hidden=state.hidden,
                              urls=runtime().caches.of(DataUrls))
    return {**ranges, "image": image, "summary": explorer_view.summary_text(dens)}


#: What replaces "refining…" in the words under the chart when the finer image failed.
NOT_REFINED = "not refined: "


clientside_callback(
    """function (refined, view, figure, summary) {
        const nothing = window.dash_clientside.no_update;
        if (!refined || !figure || !figure.layout) { return [nothing, nothing]; }
        const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
        const shown = view || {};
        if (!same(refined.x, shown.x) || !same(refined.y, shown.y)) {
            return [nothing, nothing];  // the chart moved on while this was drawn
        }
        if (refined.failed) {
            const words = typeof summary === 'string' ? summary : '';
            return [nothing, words.includes('refining…')
                ? words.replace('refining…', 'NOT_REFINED' + refined.failed) : nothing];
        }
        const images = (figure.layout.images || []).slice();
        images[0] = refined.image;
        return [{...figure, layout: {...figure.layout, images: images}}, refined.summary];
    }""".replace("NOT_REFINED", NOT_REFINED),
    Output(Explorer.graph, "figure", allow_duplicate=True),
    Output(Explorer.summary, "children", allow_duplicate=True),
    Input(Explorer.refined, "data"), State(Explorer.view, "data"),
    State(Explorer.graph, "figure"), State(Explorer.summary, "children"),
    prevent_initial_call=True)
