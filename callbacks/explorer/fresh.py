"""The explorer follows new data: every 2 s it asks whether an import or ingest changed the
cluster's data; if so it redraws (and refreshes the process list), and says so while the new
curves are being indexed in memory."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role
from callbacks.common import runtime
from callbacks.explorer.view import STORE, decoded
from callbacks.guard import guarded, unchanged
from components.ids.explorer import Explorer, ExplorerFresh
from services.explorer import freshness

_OUTPUTS = {"note": Output(ExplorerFresh.note, "children"),
            "seen": Output(ExplorerFresh.seen, "data"),
            "redraw": Output(ExplorerFresh.redraw, "data"),
            "processes": Output(Explorer.process, "options", allow_duplicate=True)}


@callback(output=_OUTPUTS, inputs=[
    Input(ExplorerFresh.tick, "n_intervals"), State(Explorer.cluster, "data"),
    State(Explorer.state, "data"), State(ExplorerFresh.seen, "data"),
    State(Explorer.groups, "data")], prevent_initial_call=True)
@guarded(Role.VIEWER, **STORE, on_error=unchanged)
def follow_data(_n: int, cluster: int, encoded: Any, seen: Any, drawn: Any) -> dict[str, Any]:
    """Redraw when the data version moved or the indexing just finished; a new version also
    refreshes the process list.

    The redraw is a signal the draw callback answers with the state *it* reads then: this
    callback never writes the state back, since the copy it was sent may be older than a
    filter or group toggle made while it ran (that wrote a hidden group back into view)."""
    if not encoded:
        raise PreventUpdate
    fresh = freshness.freshness(runtime(), cluster, decoded(encoded).process)
    now = {"v": fresh.version, "indexing": fresh.indexing}
    if now == seen:
        raise PreventUpdate
    # Before the first check the baseline is the version the figure was drawn with, so data
    # that arrived between the page's first draw and this check still redraws it.
    drawn_v = drawn.get("v") if isinstance(drawn, dict) else None
    base = seen if isinstance(seen, dict) else ({"v": drawn_v} if drawn_v is not None
                                                 else None)
    redraw = isinstance(base, dict) and (base.get("v") != fresh.version
                                         or bool(base.get("indexing") and not fresh.indexing))
    moved = isinstance(seen, dict) and seen.get("v") != fresh.version
    return {"note": fresh.note, "seen": now, "redraw": now if redraw else no_update,
            "processes": [{"label": p, "value": p} for p in fresh.processes] if moved
            else no_update}
