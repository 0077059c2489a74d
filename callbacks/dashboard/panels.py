"""Live dashboard callbacks: each panel refreshes on the interval through the shared cache,
patches only its data, never stacks (one request per viewer and panel in flight), and shows
a stale badge when it had to serve an older value. Every callback checks the role first."""

from __future__ import annotations

from typing import Any

from dash import ALL, Input, Output, State, callback, ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role, has_role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.guard import guarded, unchanged
from components import dashboard as ui
from components import spc_chart
from components.ids.dashboard import (
    Dashboard,
    DashboardStores,
    dashboard_ack,
    dashboard_ack_comment,
    dashboard_kpi,
)
from components.layout import make_error
from lyceum.errors import AppError
from services.demo import live_feed
from services.quality import alerts, dashboard
from services.quality.kpis import View

KEYS = [k for k, _ in ui.KPI_CARDS]
#: The view's filters (changing one cancels a running SPC job).
FILTERS = [Input(Dashboard.window, "value"), Input(Dashboard.line, "value"),
           Input(Dashboard.station, "value")]
VIEW = [Input(Dashboard.tick, "n_intervals"), *FILTERS,
        State(Dashboard.cluster, "data"), State(Dashboard.viewer, "data")]


def _view(cluster_id: int, window: str, line: str | None, station: str | None) -> View:
    """The filters as a :class:`View` of a cluster the guard already checked."""
    line, station = (v if v and v != ui.ALL else "" for v in (line, station))
    return View(cluster_id, window or "24h", line or "", station or "")


#: The production panel's outputs by name: four per KPI card, then the shared parts.
PRODUCTION = {**{f"{k}_{part}": Output(dashboard_kpi(t, k), p) for k in KEYS
                 for part, t, p in (("value", Dashboard.KPI_VALUE, "children"),
                                    ("delta", Dashboard.KPI_DELTA, "children"),
                                    ("delta_class", Dashboard.KPI_DELTA, "className"),
                                    ("trend", Dashboard.KPI_TREND, "src"))},
              "defects": Output(Dashboard.defects, "figure"),
              "parts": Output(Dashboard.parts, "children"),
              "updated": Output(Dashboard.updated, "children"),
              "stale": Output(Dashboard.stale, "className"),
              "error": Output(Dashboard.error, "children")}


# The page arrives with every panel drawn (pages.dashboard): the panels refresh on the tick,
# which comes at once when the page could not draw one of them, and on a change of view.
@callback(output=PRODUCTION, inputs=VIEW, prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=tuple(PRODUCTION), error_output="error")
def refresh_production(_n: int, window: str, line: str, station: str, cluster_id: int,
                       viewer: str) -> dict[str, Any]:
    """KPI values, deltas and trends; defect modes; the update stamp."""
    view = _view(cluster_id, window, line, station)
    with dashboard.viewer_slot(runtime(), str(viewer), "production") as free:
        if not free:  # another refresh of this panel is still running: show it as stale
            return {**dict.fromkeys(PRODUCTION, no_update), "stale": "ms-2"}
        got = dashboard.production(runtime(), view)
    out: dict[str, Any] = {}
    panel = got.value.kpis
    for key, kpi in zip(KEYS, panel.kpis, strict=True):
        shown = ui.kpi_shown(kpi)
        for part in ("value", "delta", "delta_class", "trend"):
            out[f"{key}_{part}"] = shown[part]
    modes = got.value.defects
    return {**out, "defects": spc_chart.defect_patch(modes), "parts": ui.format_parts(panel.parts),
            "updated": ui.clock(got.computed_at), "stale": ui.stale_class(got.stale),
            "error": None}


def _period() -> tuple[int, int]:
    """The tick's interval (ms) and ``max_intervals``: every refresh period, without end."""
    return runtime().settings.dashboard_refresh_s * 1000, -1


def _status_not_read(exc: AppError, *_args: Any) -> tuple[Any, ...]:
    """The message in the status panel; the refresh goes on."""
    return (make_error(exc.user_message), *_period())


# A page that could not draw every panel ticks once at once (pages.dashboard: one tick, so
# that no newer request drops the answers to it); this answer sets the refresh period.
@callback(Output(Dashboard.status, "children"), Output(Dashboard.tick, "interval"),
          Output(Dashboard.tick, "max_intervals"), *VIEW, prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=3, on_error=_status_not_read)
def refresh_status(_n: int, window: str, line: str, station: str, cluster_id: int,
                   viewer: str) -> tuple[Any, ...]:
    """Station states; the refresh period."""
    view = _view(cluster_id, window, line, station)
    with dashboard.viewer_slot(runtime(), str(viewer), "status") as free:
        if not free:
            return (no_update, *_period())
        states = dashboard.status(runtime(), view).value
    return (ui.make_status(states), *_period())


# The page draws the choices of the view it opens (pages.dashboard); a new line redraws them.
@callback(Output(Dashboard.line, "options"), Output(Dashboard.station, "options"),
          Input(Dashboard.cluster, "data"), Input(Dashboard.line, "value"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=2, on_error=unchanged)
def filter_choices(cluster_id: int, line: str | None) -> tuple[Any, Any]:
    """The line and station choices from the cluster's catalog (stations of the chosen line)."""
    lines, stations = dashboard.filter_choices(
        runtime(), cluster_id, line="" if not line or line == ui.ALL else line)
    return ui.options_with_all(lines, "All lines"), ui.options_with_all(stations, "All stations")


@callback(Output(Dashboard.heatmap, "figure"), *VIEW, prevent_initial_call=True)
@guarded(Role.VIEWER, on_error=unchanged)
def refresh_heatmap(_n: int, window: str, line: str, station: str, cluster_id: int,
                    viewer: str) -> Any:
    """Stations × hours by defect rate."""
    view = _view(cluster_id, window, line, station)
    with dashboard.viewer_slot(runtime(), str(viewer), "heatmap") as free:
        if not free:
            raise PreventUpdate
        heat = dashboard.heatmap(runtime(), view).value
    return spc_chart.heatmap_patch(heat)


@callback(Output(Dashboard.alerts, "children"), Output(DashboardStores.alerts_seen, "data"),
          Input(Dashboard.tick, "n_intervals"), State(Dashboard.cluster, "data"),
          State(DashboardStores.alerts_seen, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, cluster="cid", outputs=2, fill=None)
def refresh_alerts(_n: int, cid: int, seen: str | None) -> tuple[Any, Any]:
    """Open alerts (editors see the acknowledge form); rebuilt only when they changed, so a
    comment being typed survives the refresh."""
    found = dashboard.open_alerts(runtime(), cid).value
    signature = ui.alerts_signature(found)
    if signature == seen:
        raise PreventUpdate
    return ui.make_alerts(found, can_ack=has_role(cid, Role.EDITOR)), signature


@callback(Output(Dashboard.ack_result, "children"),
          Output(Dashboard.alerts, "children", allow_duplicate=True),
          Input(dashboard_ack(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(dashboard_ack_comment(ALL), "value"),  # type: ignore[arg-type]
          State(Dashboard.cluster, "data"), prevent_initial_call=True)
@guarded(Role.EDITOR, cluster="cid", outputs=2, title="Not acknowledged",
         when=lambda clicks, *_: ctx.triggered_id and any(clicks))
def acknowledge(_clicks: list[int | None], comments: list[str | None],
                cid: int) -> tuple[Any, Any]:
    """Acknowledge the clicked alert with the comment next to it (editors)."""
    alert_id = int(ctx.triggered_id["alert"])
    ids = [item["id"]["alert"] for item in ctx.states_list[0]]
    comment = comments[ids.index(alert_id)] if alert_id in ids else ""
    alerts.acknowledge(runtime(), cid, alert_id, comment=comment or "", actor=current_actor())
    dashboard.forget_alerts(runtime(), cid)
    found = dashboard.open_alerts(runtime(), cid).value
    return None, ui.make_alerts(found, can_ack=True)


@callback(Output(Dashboard.tick, "disabled"), Input(Dashboard.pause, "value"),
          prevent_initial_call=True)
def pause(paused: bool) -> bool:
    """The pause switch stops the refresh interval."""
    return bool(paused)


@callback(Output(Dashboard.ack_result, "children", allow_duplicate=True),
          Input(Dashboard.feed, "value"), State(Dashboard.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.ADMIN, title="Not switched")
def switch_feed(enabled: bool, cluster_id: int) -> Any:
    """Turn the demo feed on or off (cluster admins)."""
    live_feed.set_feed_enabled(runtime(), cluster_id, bool(enabled), actor=current_actor())
    return None
