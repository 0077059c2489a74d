"""Trace page callbacks: serial suggestions while typing, and one part's record. The
cluster id comes from the browser; the role is checked on every call."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role
from callbacks.common import runtime
from callbacks.guard import guarded
from components import trace as ui
from components.ids import Trace
from services.explorer import trace as trace_service

#: Suggestions offered under the search box.
SUGGESTIONS = 15


def _typed(search: Any, cluster: Any, chosen: Any) -> bool:
    return isinstance(search, str) and bool(search.strip())


@callback(Output(Trace.search, "options"), Input(Trace.search, "search_value"),
          State(Trace.cluster, "data"), State(Trace.search, "value"))
@guarded(Role.VIEWER, cluster="cluster", when=_typed, on_error=lambda *_: no_update)
def suggest(search: str, cluster: int, chosen: Any) -> list[dict[str, str]]:
    """Serials starting with the typed text (a few), keeping the chosen one listed."""
    found = trace_service.search(runtime(), cluster, search, limit=SUGGESTIONS)
    options = [{"label": f"{r['serial']} · {r['n_curves']} curves", "value": r["serial"]}
               for r in found]
    if isinstance(chosen, str) and chosen not in {o["value"] for o in options}:
        options.insert(0, {"label": chosen, "value": chosen})
    return options


@callback(Output(Trace.body, "children"), Output(Trace.error, "children"),
          Input(Trace.search, "value"), State(Trace.cluster, "data"))
@guarded(Role.VIEWER, cluster="cluster", outputs=2, error_output=1, title="No part",
         fill=ui.make_start())
def show(serial: Any, cluster: int) -> tuple[Any, Any]:
    """The chosen serial's whole record."""
    if not serial:
        raise PreventUpdate
    found = trace_service.trace(runtime(), cluster, serial)
    return ui.make_record(found), None
