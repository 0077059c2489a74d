"""The live quality dashboard of one cluster: KPIs, line states, SPC, heatmap and alerts."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from contextlib import suppress
from typing import Any
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from auth.roles import Role, has_role
from auth.session import app_runtime
from components import dashboard as ui
from components import dashboard_rules, spc_chart, spc_figures, spc_panel
from components.address import wanted_address
from components.dashboard_specs import feature_options, make_spec_editor
from components.ids.dashboard import (
    Dashboard,
    DashboardRuleForm,
    DashboardRules,
    DashboardSpc,
    DashboardSpecs,
    DashboardStores,
)
from components.layout import make_error, make_page_header
from components.personal_views import make_personal_views
from components.role_gates import make_role_note
from components.save_to_project import make_save_to_project
from lyceum.errors import AppError
from services.demo import live_feed
from services.quality.dashboard import SpcRequest
from services.quality.dashboard_first import FirstDraw, first_draw
from services.quality.dashboard_view import (
    VIEW_KEYS,
    OpeningView,
    dashboard_path,
    opening_view,
    view_query,
)
from services.quality.kpis import View
from services.quality.spc_baseline import parse_baseline

dash.register_page(__name__, path_template="/clusters/<cluster_id>/dashboard",
                   name="Live quality", title="Live quality · Lyceum Clusters",
                   access="member", cluster_role="viewer", nav=False,
                   order=22, cluster_tab="Live quality", icon="bi-speedometer2")

WINDOWS = [("1h", "Last hour"), ("shift", "Last shift (8 h)"), ("24h", "Last 24 h"),
           ("7d", "Last 7 days")]
_GRAPH: dcc.Graph.Config = {"displayModeBar": False}
#: When the page could not draw every panel: its one first tick (ms after it is drawn).
FIRST_REFRESH_MS = 50


def _opening(cluster_id: str, query: Mapping[str, str]) -> OpeningView | None:
    """The view the address names, checked, and the cluster's choices, read while the page is
    built (its guard checked the viewer role): the panels' first callbacks, the SPC job among
    them, then start with the page instead of a round later. ``None`` when they cannot be
    read now: ``callbacks.dashboard.saved_view.open_view`` opens the view (and says why)."""
    try:
        return opening_view(app_runtime(), int(cluster_id),
                            {k: query[k] for k in VIEW_KEYS if k in query})
    except (AppError, ValueError):
        return None


def _location(cluster_id: str, opened: str | None, query: Mapping[str, str]) -> dcc.Location:
    """The page's address: ``opened``, the view the layout opened (the browser's history
    entry is replaced by it, callbacks.dashboard.saved_view), else as the browser has it. A
    Location without it sets it once mounted, and that change would run
    ``callbacks.dashboard.saved_view.from_address`` (upstream of every panel: they would
    wait for its answer)."""
    search = opened
    if search is None:
        with suppress(Exception):  # built by Dash's page router: its callback's inputs
            search = dash.ctx.inputs.get("_pages_location.search")
    if not isinstance(search, str):
        search = f"?{urlencode(query)}" if query else ""
    path = dashboard_path(int(cluster_id))
    return dcc.Location(id=Dashboard.url, refresh=False, pathname=path, search=search,
                        hash="", href=path + search)


def _feature_select(opened: OpeningView | None) -> dbc.Select:
    # The cluster's features (from its catalog), and the first chosen, when they could be read.
    return dbc.Select(id=Dashboard.spc_feature, size="sm", placeholder="Feature",
                      value=opened.choices.get("spc_feature") if opened else None,
                      options=feature_options(list(opened.features)) if opened else [])


def _drawn(cluster_id: str, first: Mapping[str, str]) -> FirstDraw:
    """Every panel of the opened view, read while the page is built (its guard checked the
    viewer role): the page arrives drawn, without a round of callbacks and an empty frame
    drawn before each chart. The SPC charts are left to their job when the view's baseline
    needs the page's fields or the cluster has no feature."""
    line, station = (first.get(k, ui.ALL) for k in ("line", "station"))
    view = View(int(cluster_id), first.get("window") or "24h",
                "" if line == ui.ALL else line, "" if station == ui.ALL else station)
    request = None
    if first.get("spc_feature"):
        with suppress(AppError):
            request = SpcRequest(first["spc_feature"], first.get("spc_kind") or "xbar_r",
                                 first.get("attribute") or "p",
                                 parse_baseline(first.get("spc_baseline") or "7d"),
                                 spc_panel.DEFAULT_RULES)
    return first_draw(app_runtime(), view, request)


def _feed(cluster_id: str) -> Any:
    """The demo feed's label (with its switch for the cluster's admins), on a demo cluster."""
    with suppress(AppError):
        runtime, cid = app_runtime(), int(cluster_id)
        if live_feed.is_demo_cluster(runtime, cid):
            return ui.make_feed_switch(enabled=live_feed.feed_enabled(runtime, cid),
                                       is_admin=has_role(cid, Role.ADMIN))
    return None


def _feature_panels(drawn: FirstDraw, can_edit: bool) -> tuple[Any, Any]:
    """The charted feature's exclusions (with the form) and its spec limits editor, when
    they were read (else their callbacks draw them: pages' version stores are None)."""
    if drawn.feature is None:
        return None, None
    limit, found = drawn.feature
    return ([spc_panel.make_exclusion_form(can_edit=can_edit),
             spc_panel.make_exclusions(found, can_edit=can_edit)],
            make_spec_editor(limit, can_edit=can_edit))


def _spc_row(opened: OpeningView | None, drawn: FirstDraw, can_edit: bool) -> dbc.Row:
    """The control chart with its violations and exclusions; capability; attribute chart
    (``drawn``: the charts read for the first draw, else "computing" until their job)."""
    first = opened.choices if opened else {}
    panel, attributes = drawn.spc or (None, None)
    exclusions, editor = _feature_panels(drawn, can_edit)
    chart = ui.make_card("Control chart", html.Div([
        spc_panel.make_spc_controls(_feature_select(opened),
                                    kind=first.get("spc_kind", "xbar_r"),
                                    baseline=first.get("spc_baseline", "7d")),
        html.Div(panel.baseline if panel else None, id=DashboardSpc.baseline_text,
                 className="small text-body-secondary mb-1"),
        dcc.Graph(id=Dashboard.spc, config=_GRAPH, className="spc-graph",
                  figure=spc_figures.make_control_figure(panel) if panel
                  else spc_figures.make_empty_figure(460, "computing…"))]),
        extra=ui.make_computing_badge(DashboardSpc.running))
    side = ui.make_card("Rule violations", html.Div([
        html.Div(spc_panel.make_violations(panel) if panel else None,
                 id=DashboardSpc.violations, className="mb-3"),
        html.Div(id=DashboardSpc.exclude_result),
        html.Div(exclusions, id=DashboardSpc.exclusions)]))
    capability = ui.make_card("Capability", html.Div([
        html.Div(spc_panel.make_capability(panel) if panel else None,
                 id=Dashboard.spc_summary, className="small mb-1"),
        dcc.Graph(id=DashboardSpc.capability, config=_GRAPH,
                  figure=spc_figures.make_capability_figure(panel) if panel
                  else spc_figures.make_blank_capability()),
        html.Div(editor, id=DashboardSpecs.editor), html.Div(id=DashboardSpecs.result)]))
    attribute = ui.make_card("Attribute chart", html.Div([
        dbc.Select(id=DashboardSpc.attribute, value=first.get("attribute", "p"), size="sm",
                   className="mb-2",
                   options=[{"label": t, "value": v} for v, t in spc_panel.ATTRIBUTES]),
        dcc.Graph(id=Dashboard.pchart, config=_GRAPH,
                  figure=spc_figures.make_control_figure(attributes, height=320)
                  if attributes else spc_figures.make_empty_figure(320))]))
    return dbc.Row([dbc.Col(chart, lg=8, className="mb-4"),
                    dbc.Col(side, lg=4, className="mb-4"),
                    dbc.Col(capability, lg=6, className="mb-4"),
                    dbc.Col(attribute, lg=6, className="mb-4")])


def layout(cluster_id: str = "", asset: str = "", **query: str) -> html.Div:
    """The page drawn with the panels of the view it opens; the refresh callbacks patch
    every panel every ``LYCEUM_DASHBOARD_REFRESH_S`` seconds, and draw at once those the page
    could not. The view the address names (``?window=7d&line=…``, or ``?asset=<saved
    view>``) is checked and applied by ``callbacks.dashboard.saved_view``."""
    wanted = {str(k)[:40]: str(v)[:200] for k, v in list(query.items())[:20]}
    # A saved view (``asset``) is opened by the open callback, which reads and checks it;
    # the layout then draws the cluster's choices with the default view.
    opened = _opening(cluster_id, {} if asset else wanted)
    first = opened.choices if opened else {}
    # Opened here (the usual case): the view is drawn as the address names it, and the
    # open callback (its trigger is the opening store) does not run, so nothing holds back
    # the panels' first callbacks. It runs for a saved view (the address then names the
    # view's choices), a refused address (it says why) or a catalog not read here.
    here = opened is not None and not opened.refused and not asset
    drawn = _drawn(cluster_id, first) if here else FirstDraw()
    got = drawn.production
    kpis = dict(zip([k for k, _ in ui.KPI_CARDS], got.value.kpis.kpis, strict=True)
                ) if got else {}
    # Every panel drawn, as computed now: the first refresh comes after the configured
    # period; else (some drawn as computed last, or not drawn) one tick
    # at once (callbacks.dashboard.panels.refresh_status then sets the period: one, since a
    # newer request of a callback drops the answer to the one before).
    complete = here and not (drawn.missing or drawn.errors or drawn.stale) and bool(drawn.spc)
    period = app_runtime().settings.dashboard_refresh_s * 1000 if complete else FIRST_REFRESH_MS
    can_edit = here and has_role(int(cluster_id), Role.EDITOR)
    # The feature's panels drawn here: their version stores are not None (a memory store
    # mounted with None reports a change of its data, which draws them a round later).
    version = "" if drawn.feature is not None else None
    return html.Div([
        dcc.Store(id=Dashboard.cluster, data=cluster_id),
        dcc.Store(id=Dashboard.viewer, data=uuid.uuid4().hex),
        dcc.Store(id=Dashboard.config, data=first),
        None if here else dcc.Store(id=Dashboard.opening,
                                    data={"asset": asset[:12], "query": wanted}),
        _location(cluster_id, view_query(first) if here else None, wanted),
        dcc.Store(id=Dashboard.address,
                  data=wanted_address(dashboard_path(int(cluster_id)), view_query(first),
                                      replace=True) if here else None),
        dcc.Store(id=Dashboard.first_address, data=view_query(first) if here else None),
        dcc.Store(id=DashboardStores.alerts_seen, data=ui.alerts_signature(drawn.alerts)
                  if drawn.alerts is not None else None),
        dcc.Store(id=DashboardSpecs.version, data=version),
        dcc.Store(id=DashboardSpc.points, data=drawn.spc[0].points if drawn.spc else []),
        dcc.Store(id=DashboardSpc.version, data=version),
        dcc.Interval(id=Dashboard.tick, interval=period, n_intervals=0,
                     max_intervals=-1 if complete else 1),
        make_page_header("Live quality", "Yield, line states, SPC and alerts of this cluster, "
                         "refreshed automatically.",
                         # the role's note under the buttons: beside them it pushed "Save
                         # to project" onto a row of its own
                         actions=html.Div([
                             html.Div([html.Div(_feed(cluster_id), id=Dashboard.feed_row),
                                       make_personal_views("dashboard"),
                                       make_save_to_project("dashboard", Dashboard.config)],
                                      className="d-flex flex-wrap gap-2 align-items-center "
                                                "justify-content-end"),
                             html.Div(make_role_note("dashboard"), className="text-end mt-1")])),
        # Lines and stations come from the cluster's catalog (also callbacks.dashboard.panels);
        # the address's view is drawn first when it is one of ours (one refresh, not two).
        ui.make_controls(windows=WINDOWS, lines=opened.lines if opened else [],
                         stations=opened.stations if opened else [],
                         window=first.get("window") or (
                             wanted.get("window", "") if wanted.get("window") in dict(WINDOWS)
                             else "24h"),
                         line=first.get("line", ui.ALL), station=first.get("station", ui.ALL),
                         updated=ui.clock(got.computed_at) if got else "—",
                         stale=bool(got and got.stale)),
        html.Div(id=Dashboard.view_error),
        html.Div([make_error(m) for m in drawn.errors] or None, id=Dashboard.error),
        dbc.Row([ui.make_kpi_card(k, label, kpis.get(k)) for k, label in ui.KPI_CARDS]),
        html.Div(["Parts in window: ", html.Span(
            ui.format_parts(got.value.kpis.parts) if got else "—", id=Dashboard.parts)],
                 className="small text-body-secondary mb-3"),
        dbc.Row([
            dbc.Col(ui.make_card("Defect rate by mode", html.Div([
                ui.make_defect_legend(), dcc.Graph(
                    id=Dashboard.defects, config=_GRAPH,
                    figure=spc_chart.make_defect_bars(got.value.defects if got else None))])),
                lg=7, className="mb-4"),
            dbc.Col(ui.make_card("Line status", html.Div(
                ui.make_status(drawn.status) if drawn.status is not None else None,
                id=Dashboard.status)), lg=5,
                    className="mb-4"),
        ]),
        _spc_row(opened, drawn, can_edit),
        dbc.Row([
            dbc.Col(ui.make_card("Defect rate by station and hour", dcc.Graph(
                id=Dashboard.heatmap, figure=spc_chart.make_heatmap(drawn.heatmap),
                config=_GRAPH)),
                lg=8, className="mb-4"),
            dbc.Col(ui.make_card("Alerts", html.Div([
                html.Div(id=Dashboard.ack_result),
                html.Div(None if drawn.alerts is None else ui.make_alerts(
                    drawn.alerts, can_ack=can_edit),
                    id=Dashboard.alerts),
                html.H3("Rules", className="h6 text-uppercase text-body-secondary mt-3"),
                html.Div(id=DashboardRules.result),
                html.Div(None if drawn.rules is None else dashboard_rules.make_rule_list(
                    drawn.rules, can_edit=can_edit), id=DashboardRules.list),
                html.Div(dashboard_rules.make_rule_form(feature_options(list(opened.features)))
                         if here and opened and can_edit else None,
                         id=DashboardRuleForm.container)])),
                lg=4, className="mb-4"),
        ]),
    ], className="dashboard")
