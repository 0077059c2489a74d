"""Trace page callbacks: serial suggestions while typing, and one part's record. The
cluster id comes from the browser; the role is checked on every call."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, ctx
from dash.exceptions import PreventUpdate

from auth.roles import Role
from callbacks.common import runtime
from callbacks.guard import guarded
from components import trace as ui
from components.ids.trace import Trace
from services.explorer import trace as trace_service

#: Suggestions offered under the search box.
SUGGESTIONS = 15


def _typed(search: Any, *_rest: Any) -> bool:
    return isinstance(search, str) and bool(search.strip())


@callback(Output(Trace.suggestions, "children"), Input(Trace.search, "value"),
          State(Trace.cluster, "data"), State(Trace.serial, "data"))
@guarded(Role.VIEWER, cluster="cluster", when=_typed, on_error=lambda *_: None)
def suggest(search: str, cluster: int, shown: Any) -> Any:
    """Links to the serials starting with the typed text (none once it is the one shown)."""
    if search.strip() == shown:
        return None
    return ui.make_suggestions(cluster, trace_service.search(runtime(), cluster, search,
                                                             limit=SUGGESTIONS))


@callback(Output(Trace.body, "children"), Output(Trace.error, "children"),
          Input(Trace.serial, "data"), Input(Trace.search, "n_submit"),
          State(Trace.search, "value"), State(Trace.cluster, "data"))
@guarded(Role.VIEWER, cluster="cluster", outputs=2, error_output=1, title="No part",
         fill=ui.make_start())
def show(serial: Any, _submitted: Any, typed: Any, cluster: int) -> tuple[Any, Any]:
    """The record of the serial in the link, or of the one typed when Enter is pressed."""
    chosen = typed if ctx.triggered_id == Trace.search else serial
    if not chosen:
        raise PreventUpdate
    return ui.make_record(trace_service.trace(runtime(), cluster, chosen)), None


