"""The SPC panel's controls and texts (no I/O): chart, baseline and rule pickers; the list
of rule violations with links to their curves; the capability numbers; the form that
excludes a subgroup from the limits and the list of exclusions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.dashboard import Dashboard, DashboardSpc, dashboard_spc_restore
from components.spc_figures import fmt

KINDS = [("xbar_r", "X̄-R (n = 5)"), ("xbar_s", "X̄-S (n = 10)"), ("imr", "I-MR (n = 1)")]
ATTRIBUTES = [("p", "p chart (fraction NOK parts)"), ("np", "np chart (NOK parts)"),
              ("u", "u chart (NOK curves per part)"), ("c", "c chart (NOK curves)")]
BASELINES = [("7d", "Limits from 7 d before the window"),
             ("30d", "Limits from 30 d before the window"),
             ("subgroups", "Limits from subgroups …"), ("dates", "Limits from dates …")]
RULES = [("nelson", "Nelson rules 1–8"), ("we", "Western Electric rules 1–4")]
#: The rule set chosen when the page opens.
DEFAULT_RULES = "nelson"


def _select(component_id: str, options: list[tuple[str, str]], value: str,
            label: str, *, css: str = "spc-control") -> html.Div:
    return html.Div([dbc.Label(label, html_for=component_id, className="small mb-0"),
                     dbc.Select(id=component_id, value=value, size="sm",
                                options=[{"label": t, "value": v} for v, t in options])],
                    className=css)


def _bound(component_id: str, label: str, placeholder: str) -> html.Div:
    """A baseline bound (subgroup number or date), wide enough for its placeholder."""
    return html.Div([dbc.Label(label, html_for=component_id, className="small mb-0"),
                     dbc.Input(id=component_id, size="sm", debounce=True,
                               placeholder=placeholder, maxLength=10)],
                    className="spc-control spc-narrow")


def make_spc_controls(feature_select: Any, *, kind: str = "xbar_r",
                      baseline: str = "7d") -> html.Div:
    """The page's feature picker, chart and rules on one row; the baseline with its two
    bounds on the next (``kind`` and ``baseline`` chosen). The feature and the baseline get
    the room their long names need: each row wraps on a phone, feature and baseline then
    take the whole width."""
    feature = html.Div([dbc.Label("Feature", html_for=Dashboard.spc_feature,
                                  className="small mb-0"), feature_select],
                       className="spc-control spc-wide")
    return html.Div([
        html.Div([feature, _select(Dashboard.spc_kind, KINDS, kind, "Chart"),
                  _select(DashboardSpc.rules, RULES, DEFAULT_RULES, "Rules")],
                 className="spc-row d-flex flex-wrap gap-2"),
        html.Div([_select(Dashboard.spc_baseline, BASELINES, baseline, "Baseline",
                          css="spc-control spc-wide"),
                  _bound(DashboardSpc.baseline_first, "From", "1 or 2026-12-01"),
                  _bound(DashboardSpc.baseline_last, "To", "25 or 2026-12-07")],
                 className="spc-row d-flex flex-wrap gap-2"),
    ], className="spc-controls d-flex flex-column gap-2 mb-2")


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%d %b %H:%M")


def make_violations(panel: Any) -> Any:
    """Rule, subgroup, time and value of each violation, linked to the subgroup's curves."""
    if not panel.series:
        return html.P(panel.note, className="text-body-secondary small mb-0")
    if not panel.violations:
        return html.P([html.I(className="bi bi-check-circle me-1"), "No rule broken."],
                      className="text-success small mb-0")
    rows = [html.Tr([
        html.Td(html.Span(v.number, className="badge text-bg-danger"), title=v.description),
        html.Td(f"{v.chart} · {v.subgroup}"), html.Td(_when(v.time), className="text-nowrap"),
        html.Td(fmt(v.value), className="text-end"),
        html.Td(dcc.Link([html.I(className="bi bi-graph-up"),
                          html.Span("curves", className="visually-hidden")],
                         href=v.explorer, title="Open this subgroup's curves in the explorer")
                if v.explorer else "")], **{"data-subgroup": v.subgroup})
        for v in panel.violations]
    head = html.Thead(html.Tr([html.Th("Rule"), html.Th("Subgroup"), html.Th("Time"),
                               html.Th("Value", className="text-end"), html.Th("")]))
    return html.Div(dbc.Table([head, html.Tbody(rows)], size="sm", hover=True,
                              className="small mb-0 spc-violations"),
                    className="table-responsive spc-scroll")


def sample_size(n: int, subgroup_size: int) -> str:
    """``n`` and, for subgrouped charts, that it counts whole subgroups only (so it may be
    below the parts in the window the KPI strip counts: a last, unfinished subgroup is left
    out of the chart and the study)."""
    if subgroup_size > 1 and n and n % subgroup_size == 0:
        groups = n // subgroup_size
        return (f"n = {n} ({groups} whole subgroup{'' if groups == 1 else 's'} of "
                f"{subgroup_size})")
    return f"n = {n}"


def make_capability(panel: Any) -> Any:
    """Cp, Cpk, Pp, Ppk and n on one line, then the sigmas and limits (or the reason)."""
    study = panel.capability
    if study is None:
        return html.Span(panel.note or "No capability study.", className="text-body-secondary")
    def value(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.2f}"
    head = html.Div([
        *[html.Span(f"{name} {value(v)}", className="me-3 fw-semibold spc-index")
          for name, v in (("Cp", study.cp), ("Cpk", study.cpk), ("Pp", study.pp),
                          ("Ppk", study.ppk))],
        html.Span(sample_size(study.n, panel.subgroup_size), className="text-body-secondary")])
    facts = [("mean", study.mean), ("σ within", study.sigma_within),
             ("σ overall", study.sigma_overall), ("LSL", study.lsl), ("USL", study.usl)]
    detail = html.Div(" · ".join(f"{k} {fmt(v)}" if v is not None else f"{k} —"
                                 for k, v in facts), className="text-body-secondary")
    note = dbc.Alert(study.note, color="warning", className="py-1 px-2 mb-1 small") \
        if study.note else None
    return html.Div([note, head, detail])


def make_exclusion_form(*, can_edit: bool) -> Any:
    """Subgroup number (a click on the chart fills it), reason, Exclude (editors)."""
    hint = "Click a point to pick its subgroup."
    if not can_edit:
        return html.P(f"{hint} Editors can exclude subgroups from the limits.",
                      className="small text-body-secondary mb-1")
    return html.Div([
        html.Div(hint, className="small text-body-secondary"),
        html.Div([
            dbc.Label("Subgroup", html_for=DashboardSpc.subgroup, className="visually-hidden"),
            dbc.Input(id=DashboardSpc.subgroup, type="number", min=1, step=1,
                      placeholder="Subgroup", size="sm", className="spc-subgroup"),
            dbc.Label("Reason", html_for=DashboardSpc.reason, className="visually-hidden"),
            dbc.Input(id=DashboardSpc.reason, placeholder="Reason (required)", size="sm",
                      maxLength=500, className="spc-reason"),
            dbc.Button("Exclude from limits", id=DashboardSpc.exclude, size="sm",
                       color="outline-danger"),
        ], className="spc-exclude-form mb-1"),
    ])


def make_exclusions(found: list[Any], *, can_edit: bool) -> Any:
    """The feature's excluded subgroups: time, reason, who; Restore for editors."""
    if not found:
        return html.P("No subgroup is excluded from the limits.",
                      className="small text-body-secondary mb-0")
    items = [html.Li([
        html.Span(_when(e.point_time), className="me-2 fw-semibold"),
        html.Span(e.reason, className="me-2"),
        html.Span(f"({e.curves} curves, by {e.excluded_by})",
                  className="text-body-secondary me-2"),
        dbc.Button("Restore", id=dashboard_spc_restore(e.batch), size="sm", color="link",
                   className="p-0 align-baseline") if can_edit else None,
    ], className="small", **{"data-batch": e.batch}) for e in found]
    return html.Div([html.Div("Excluded from the limits", className="small fw-semibold"),
                     html.Ul(items, className="list-unstyled mb-0")])


def make_done(text: str) -> dbc.Alert:
    """A short confirmation above the exclusions."""
    return dbc.Alert(text, color="success", className="py-1 px-2 small mb-2", duration=6000)
