"""The dashboard's SPC panel: the control chart, attribute chart, violations and capability
as one background job; a click on a point picks its subgroup; editors exclude a subgroup
from the limits (with a reason) and restore it. Every callback checks the role first."""

from __future__ import annotations

import uuid
from typing import Any

from dash import ALL, Input, Output, State, callback, ctx
from dash.exceptions import PreventUpdate

from auth.roles import Role, has_role
from auth.session import current_actor
from callbacks.common import runtime
from callbacks.dashboard.panels import FILTERS, VIEW, _view
from callbacks.guard import guarded, unchanged
from components import dashboard as ui
from components import spc_figures, spc_panel
from components.ids.dashboard import Dashboard, DashboardSpc, dashboard_spc_restore
from lyceum.background_callbacks import checked_before_queueing, current_job_cancelled
from lyceum.errors import ValidationError
from services.quality import dashboard, spc_exclusions, spec_limits
from services.quality.dashboard import SpcRequest
from services.quality.spc_baseline import parse_baseline

#: The address bar of Dash pages (leaving the page cancels the dashboard's jobs).
PAGE_LOCATION = "_pages_location"
#: Seconds a job waits for this viewer's previous SPC job (its query's own time bound).
SLOT_WAIT_S = 60.0
SPC_VIEW = [Input(Dashboard.spc_feature, "value"), Input(Dashboard.spc_kind, "value"),
            Input(Dashboard.spc_baseline, "value"), Input(DashboardSpc.baseline_first, "value"),
            Input(DashboardSpc.baseline_last, "value"), Input(DashboardSpc.rules, "value"),
            Input(DashboardSpc.attribute, "value")]
SPC_OUTPUTS = [Output(Dashboard.spc, "figure"), Output(Dashboard.pchart, "figure"),
               Output(Dashboard.spc_summary, "children"),
               Output(DashboardSpc.violations, "children"),
               Output(DashboardSpc.baseline_text, "children"),
               Output(DashboardSpc.capability, "figure"), Output(DashboardSpc.points, "data")]


@guarded(Role.VIEWER, on_error=unchanged)
def _may_view_spc(_n: Any, _window: Any, _line: Any, _station: Any, _feature: Any,
                  _kind: Any, _baseline: Any, _first: Any, _last: Any, _rules: Any,
                  _attribute: Any, cluster_id: int, _viewer: Any) -> None:
    """Before the SPC job is queued: a user without the viewer role gets nothing (the
    refusal is audited); the job checks again when it runs."""


#: How often the renderer asks for the SPC job's answer. The charts usually come from the
#: shared cache within a few ms, so the first poll is what a person waits for: at 300 ms
#: it was a quarter of the dashboard's load (the job machinery's whole round trip, polled
#: every 5 ms, is ~19 ms: ``bench/background_jobs.py``).
SPC_POLL_MS = 100


# A background job (lyceum.background_callbacks): it runs as the requesting user, whose
# role the guard checks inside the job; the renderer polls every SPC_POLL_MS, shows
# "computing" meanwhile, and cancels the job when the view changes or the page is left.
# The page arrives with the charts drawn (pages.dashboard), or its first tick comes at once.
@callback(*SPC_OUTPUTS, *VIEW[:4], *SPC_VIEW, *VIEW[4:], background=True,
          interval=SPC_POLL_MS, prevent_initial_call=True,
          running=[(Output(DashboardSpc.running, "className"), ui.COMPUTING_ON,
                    ui.COMPUTING_OFF)],
          cancel=[*FILTERS, *SPC_VIEW, Input(PAGE_LOCATION, "pathname")])
@checked_before_queueing(_may_view_spc)
@guarded(Role.VIEWER, outputs=len(SPC_OUTPUTS), error_output=4)
def refresh_spc(_n: int, window: str, line: str, station: str, feature: str, kind: str,
                baseline: str, first: Any, last: Any, rules: str, attribute: str,
                cluster_id: int, viewer: str) -> tuple[Any, ...]:
    """Both charts with limits from the chosen baseline, violations and capability."""
    view = _view(cluster_id, window, line, station)
    request = SpcRequest(feature, kind, attribute, parse_baseline(baseline, first, last),
                         rules)
    # A predecessor job of this viewer (the view changed meanwhile) cannot be interrupted:
    # wait for it rather than leave the panel empty, unless this job is cancelled too.
    with dashboard.viewer_slot(runtime(), str(viewer), "spc", wait_s=SLOT_WAIT_S,
                               give_up=current_job_cancelled) as free:
        if not free:
            raise PreventUpdate
        chart, attributes = dashboard.control_charts(runtime(), view, request).value
    return (spc_figures.make_control_figure(chart),
            spc_figures.make_control_figure(attributes, height=320),
            spc_panel.make_capability(chart), spc_panel.make_violations(chart),
            chart.baseline, spc_figures.make_capability_figure(chart), chart.points)


@callback(Output(DashboardSpc.subgroup, "value"), Input(Dashboard.spc, "clickData"),
          State(Dashboard.cluster, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, on_error=unchanged)
def pick_subgroup(click: Any, cluster_id: int) -> Any:
    """A click on a point of the control chart puts its subgroup number in the form."""
    points = click.get("points") if isinstance(click, dict) else None
    x = points[0].get("x") if isinstance(points, list) and points and isinstance(
        points[0], dict) else None
    if isinstance(x, bool) or not isinstance(x, int | float) or not 1 <= x <= 100_000:
        raise PreventUpdate
    return int(x)


# Drawn by the page with the charts (pages.dashboard); a version store mounted empty (None)
# draws it when the page could not.
@callback(Output(DashboardSpc.exclusions, "children"), Input(Dashboard.spc_feature, "value"),
          Input(DashboardSpc.version, "data"), State(Dashboard.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER)
def show_exclusions(feature: Any, _version: Any, cluster_id: int) -> Any:
    """The exclusion form (editors) and the feature's exclusions (Restore for editors)."""
    process, name = spec_limits.parse_feature_key(feature)
    can_edit = has_role(cluster_id, Role.EDITOR)
    found = spc_exclusions.list_exclusions(runtime(), cluster_id, process=process,
                                           feature=name)
    return [spc_panel.make_exclusion_form(can_edit=can_edit),
            spc_panel.make_exclusions(found, can_edit=can_edit)]


def _subgroup(number: Any, points: Any) -> dict[str, Any]:
    """The chart's subgroup ``number`` (1-based) as the job stored it."""
    if isinstance(number, bool) or not isinstance(number, int | float) or not isinstance(
            points, list) or not 1 <= int(number) <= len(points) or int(number) != number:
        raise ValidationError("Choose a subgroup of the chart (click a point).",
                              fields={"subgroup": "invalid"})
    point = points[int(number) - 1]
    if not isinstance(point, dict) or not point.get("curves"):
        raise ValidationError("Choose a subgroup of the chart (click a point).",
                              fields={"subgroup": "invalid"})
    return point


@callback(Output(DashboardSpc.exclude_result, "children"),
          Output(DashboardSpc.version, "data"),
          Output(Dashboard.tick, "n_intervals", allow_duplicate=True),
          Input(DashboardSpc.exclude, "n_clicks"), State(DashboardSpc.subgroup, "value"),
          State(DashboardSpc.reason, "value"), State(DashboardSpc.points, "data"),
          State(Dashboard.spc_feature, "value"), State(Dashboard.cluster, "data"),
          State(Dashboard.tick, "n_intervals"), prevent_initial_call=True)
@guarded(Role.EDITOR, outputs=3, title="Not excluded", when=lambda clicks, *_: clicks)
def exclude(_clicks: int | None, number: Any, reason: Any, points: Any, feature: Any,
            cluster_id: int, tick: int | None) -> tuple[Any, Any, Any]:
    """Exclude the chosen subgroup from the limits (editors); the chart recomputes."""
    process, name = spec_limits.parse_feature_key(feature)
    point = _subgroup(number, points)
    spc_exclusions.exclude(runtime(), cluster_id, process=process, feature=name,
                           curves=point.get("curves"), point_time=point.get("time"),
                           reason=reason, actor=current_actor())
    return (spc_panel.make_done(f"Subgroup {int(number)} excluded from the limits."),
            uuid.uuid4().hex, (tick or 0) + 1)


@callback(Output(DashboardSpc.exclude_result, "children", allow_duplicate=True),
          Output(DashboardSpc.version, "data", allow_duplicate=True),
          Output(Dashboard.tick, "n_intervals", allow_duplicate=True),
          Input(dashboard_spc_restore(ALL), "n_clicks"),  # type: ignore[arg-type]
          State(Dashboard.cluster, "data"), State(Dashboard.tick, "n_intervals"),
          prevent_initial_call=True)
@guarded(Role.EDITOR, outputs=3, title="Not restored",
         when=lambda clicks, *_: ctx.triggered_id and any(clicks))
def restore(_clicks: list[int | None], cluster_id: int, tick: int | None) -> tuple[Any, ...]:
    """Put an excluded subgroup back into the limits (editors)."""
    batch = ctx.triggered_id["batch"]
    spc_exclusions.restore(runtime(), cluster_id, batch=batch, actor=current_actor())
    done = spc_panel.make_done("Subgroup restored to the limits.")
    return done, uuid.uuid4().hex, (tick or 0) + 1

