"""The dashboard's view (window, line, station, SPC feature, chart, baseline, attribute
chart) in the page's address and its saved views: opened from the address or a saved asset,
written back to the address on every change, reopened on Back/Forward. Every choice from
the browser is checked against the cluster's own (``services.quality.dashboard_view``)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role
from callbacks.address import replace_first_address, write_address
from callbacks.common import runtime
from callbacks.guard import guarded, unchanged
from components.address import wanted_address
from components.ids.dashboard import Dashboard, DashboardSpc
from components.layout import make_error
from lyceum.errors import AppError
from services.projects.assets import asset_config
from services.quality.dashboard_view import (
    VIEW_KEYS,
    checked_view,
    dashboard_path,
    parse_query,
    view_query,
)

#: The control of each choice.
CONTROLS = {"window": Dashboard.window, "line": Dashboard.line, "station": Dashboard.station,
            "spc_feature": Dashboard.spc_feature, "spc_kind": Dashboard.spc_kind,
            "spc_baseline": Dashboard.spc_baseline, "attribute": DashboardSpc.attribute}
CHOICES = VIEW_KEYS
_VALUES = [Output(CONTROLS[k], "value", allow_duplicate=True) for k in CHOICES]


@callback(Output(Dashboard.config, "data"), Output(Dashboard.address, "data",
                                                   allow_duplicate=True),
          *[Input(CONTROLS[k], "value") for k in CHOICES], State(Dashboard.address, "data"),
          State(Dashboard.url, "search"), State(Dashboard.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=2, on_error=unchanged)
def keep_view(window: Any, line: Any, station: Any, feature: Any, kind: Any, baseline: Any,
              attribute: Any, opened: Any, search: Any, cluster_id: int) -> tuple[Any, Any]:
    """The choices on screen: the config a "Save to project" stores, and the address of the
    cluster's dashboard (written once the page has opened its view, and only while the
    address is still the ``search`` it had when the choices changed)."""
    view = dict(zip(CHOICES, [window, line, station, feature, kind, baseline, attribute],
                    strict=True))
    if opened is None:
        return view, no_update
    return view, wanted_address(dashboard_path(cluster_id), view_query(view), replace=False,
                                base=search)


write_address(Dashboard.url, Dashboard.address)

# The view the layout opened (pages.dashboard) goes into the browser's history entry.
replace_first_address(Dashboard.first_address)


def _opened(cluster_id: int, wanted: dict[str, Any],
            current: list[Any] | None = None) -> tuple[Any, ...]:
    """Every control set to the checked ``wanted`` choices (those already ``current`` left
    alone: each set value refreshes its panels again), the address replaced by them, no
    error; refused choices: the default view under the message."""
    error = None
    try:
        chosen = checked_view(runtime(), cluster_id, wanted)
    except AppError as exc:
        error = make_error(exc.user_message, title="Cannot open")
        chosen = checked_view(runtime(), cluster_id, {})
    now = current or [None] * len(CHOICES)
    values = [no_update if chosen.get(k) in (None, was) else chosen[k]
              for k, was in zip(CHOICES, now, strict=True)]
    return (*values, wanted_address(dashboard_path(cluster_id), view_query(chosen),
                                    replace=True), error)


@callback(*_VALUES, Output(Dashboard.address, "data"),
          Output(Dashboard.view_error, "children", allow_duplicate=True),
          Input(Dashboard.opening, "data"), State(Dashboard.cluster, "data"),
          *[State(CONTROLS[k], "value") for k in CHOICES],
          prevent_initial_call="initial_duplicate")
@guarded(Role.VIEWER, outputs=len(CHOICES) + 2, error_output=len(CHOICES) + 1,
         title="Cannot open")
def open_view(opening: Any, cluster_id: int, *current: Any) -> tuple[Any, ...]:
    """The page opens: the saved view ``?asset=<id>`` or the choices the address names,
    checked (viewers may open saved views). Only when the page's layout could not open the
    view itself (``pages.dashboard``: it leaves the opening store out when it did)."""
    opening = opening if isinstance(opening, dict) else {}
    shown = list(current)
    asset = opening.get("asset")
    if asset:
        saved = asset_config(runtime(), cluster_id=cluster_id, asset_id=asset,
                             asset_type="dashboard").get("state") or {}
        return _opened(cluster_id, saved if isinstance(saved, dict) else {}, shown)
    query = opening.get("query") if isinstance(opening.get("query"), dict) else {}
    return _opened(cluster_id, {k: query[k] for k in CHOICES if k in query}, shown)


@callback(*_VALUES, Output(Dashboard.view_error, "children", allow_duplicate=True),
          Input(Dashboard.url, "search"), *[State(CONTROLS[k], "value") for k in CHOICES],
          State(Dashboard.address, "data"), State(Dashboard.url, "pathname"),
          State(Dashboard.cluster, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=len(CHOICES) + 1, error_output=len(CHOICES),
         title="Cannot open", on_error=unchanged)
def from_address(search: Any, window: Any, line: Any, station: Any, feature: Any, kind: Any,
                 baseline: Any, attribute: Any, opened: Any, pathname: Any,
                 cluster_id: int) -> tuple[Any, ...]:
    """Back/Forward changed the address: show the view it names (once the page has opened
    its own; the address is checked like a link). An address of another page is the
    person leaving (the page's Location reports it once before the page goes): ignored."""
    current = [window, line, station, feature, kind, baseline, attribute]
    if (opened is None or pathname != dashboard_path(cluster_id)
            or view_query(dict(zip(CHOICES, current, strict=True))) == search):
        raise PreventUpdate
    values = _opened(cluster_id, parse_query(search), current)
    return (*values[:len(CHOICES)], values[-1])
