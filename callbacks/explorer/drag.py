"""Dragging or resizing an evaluation object on the chart edits the draft objects, so the
what-if count follows the mouse. The shapes' positions come from the browser: they are parsed
as numbers only, for rows that exist, and the role is checked as for any other edit."""

from __future__ import annotations

import math
import re
from typing import Any

from dash import Input, Output, State, callback, clientside_callback
from dash.exceptions import PreventUpdate

from auth.roles import Role
from callbacks.explorer.view import store_cluster
from callbacks.guard import guarded, unchanged
from components.ids.explorer import Explorer

_SHAPE_KEY = re.compile(r"^shapes\[(\d{1,2})\]\.(x0|x1|y0|y1)$")


def moved_rows(relayout: Any, rows: Any) -> list[dict[str, Any]] | None:
    """The object rows with the dragged shapes' new corners, or ``None`` when the event
    moved no object (envelopes span the plot's height: only their x edges move)."""
    if not isinstance(relayout, dict) or not isinstance(rows, list):
        return None
    changed = [dict(r) if isinstance(r, dict) else r for r in rows]
    moved = False
    for key, value in relayout.items():
        found = _SHAPE_KEY.match(str(key))
        if not found or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        index, corner = int(found.group(1)), found.group(2)
        if index >= len(changed) or not isinstance(changed[index], dict):
            continue
        if not math.isfinite(value) or (corner[0] == "y"
                                        and changed[index].get("kind") == "envelope"):
            continue
        changed[index][corner] = round(float(value), 4)
        moved = True
    if not moved:
        return None
    for row in changed:
        if isinstance(row, dict) and row.get("kind") == "window":
            for lo, hi in (("x0", "x1"), ("y0", "y1")):
                if isinstance(row.get(lo), int | float) and isinstance(row.get(hi), int | float) \
                        and row[lo] > row[hi]:
                    row[lo], row[hi] = row[hi], row[lo]
    return changed


# In the browser: pass on only the events that move a shape, so a zoom or pan sends no
# request here (the server callback below still validates whatever arrives).
clientside_callback(
    """function (relayout) {
        const moved = {};
        let any = false;
        for (const key of Object.keys(relayout || {})) {
            if (/^shapes\\[\\d{1,2}\\]\\.(x0|x1|y0|y1)$/.test(key)) {
                moved[key] = relayout[key];
                any = true;
            }
        }
        return any ? moved : window.dash_clientside.no_update;
    }""",
    Output(Explorer.shape_moves, "data"), Input(Explorer.graph, "relayoutData"),
    prevent_initial_call=True)


@callback(Output(Explorer.objects, "data", allow_duplicate=True),
          Input(Explorer.shape_moves, "data"), State(Explorer.objects, "data"),
          State(Explorer.cluster, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, cluster="cluster", locate=store_cluster, on_error=unchanged)
def drag(relayout: Any, rows: Any, cluster: int) -> Any:
    """A shape was dragged or resized: the draft objects take its new position."""
    changed = moved_rows(relayout, rows)
    if changed is None:
        raise PreventUpdate
    return changed
