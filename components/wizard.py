"""Factories for the cluster wizard: stepper, the four steps, and the estimate panel (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.wizard import Wizard, wizard_feedback, wizard_field, wizard_member, wizard_step
from services.core.roles import ROLE_NAMES

STEP_TITLES = ("Basics", "Performance & storage", "Team & retention", "Review & deploy")
RECORDED_NOTE = "recorded, not applied on the bundled engine"
#: The class of a field's message while it shows, and while it is hidden.
FEEDBACK_SHOWN = "invalid-feedback d-block"
FEEDBACK_HIDDEN = "d-none"


def make_stepper(step: int, furthest: int | None = None) -> html.Ol:
    """The progress indicator: numbered steps, the current one highlighted; every other step
    up to the furthest one reached is a button that jumps there."""
    furthest = max(step, furthest or step)
    items = []
    for number, title in enumerate(STEP_TITLES, start=1):
        state = "done" if number < step else "current" if number == step else "todo"
        if number <= furthest and state != "current":
            state += " wizard-step-visited"
        label = [html.Span(str(number), className="wizard-step-number"),
                 html.Span(title, className="wizard-step-title")]
        reachable = number <= furthest and number != step
        content: Any = html.Button(label, id=wizard_step(number), n_clicks=0, type="button",
                                   className="wizard-step-button",
                                   title=f"Go to step {number}: {title}") if reachable else label
        items.append(html.Li(content, className=f"wizard-step wizard-step-{state}",
                             title="current step" if number == step else None))
    return html.Ol(items, className="wizard-stepper", id=Wizard.stepper + "-list")


def _number(name: str, label: str, value: Any, *, errors: Mapping[str, str], hint: str = "",
            unit: str = "", minimum: int | None = 0, maximum: int | None = None) -> dbc.Col:
    shown = None if isinstance(value, int) and value < 0 else value
    field = dbc.Input(id=wizard_field(name), type="number", value=shown, min=minimum,
                      max=maximum, step=1, debounce=True, inputMode="numeric")
    group = dbc.InputGroup([field, dbc.InputGroupText(unit)]) if unit else field
    return dbc.Col([
        dbc.Label(label),
        group,
        _feedback(name, errors),
        dbc.FormText(hint) if hint else None,
    ], md=6, lg=3, className="mb-3")


def _feedback(name: str, errors: Mapping[str, str]) -> html.Div:
    return html.Div(errors.get(name), id=wizard_feedback(name),
                    className=FEEDBACK_SHOWN if name in errors else FEEDBACK_HIDDEN)


def database_hint_id() -> dict[str, str]:
    """The live "ClickHouse database: …" hint under the name (present on step 1 only)."""
    return {"type": Wizard.HINT, "name": "database"}


def make_basics(values: Mapping[str, Any], *, errors: Mapping[str, str],
                types: Sequence[tuple[str, str, str]], regions: Sequence[tuple[str, str]],
                bundled: bool, database: str) -> html.Div:
    """Step 1: name, description, type (with presets) and region."""
    type_options = [{"label": html.Span([html.Strong(label), html.Span(f" — {detail}",
                                                                       className="text-body-secondary")]),
                     "value": code} for code, label, detail in types]
    region_note = (f"On this installation the region is a label: {RECORDED_NOTE}."
                   if bundled else "Where the cluster's servers run.")
    return html.Div([
        dbc.Row([
            dbc.Col([
                dbc.Label("Cluster name"),
                dbc.Input(id=wizard_field("name"), value=values.get("name", ""), maxLength=63,
                          placeholder="e.g. Assembly hall B", autoFocus=True,
                          debounce=0.4),
                _feedback("name", errors),
                dbc.FormText(["ClickHouse database: ", html.Code(database or "—",
                                                                 id=database_hint_id())]),
            ], md=6, className="mb-3"),
            dbc.Col([
                dbc.Label("Region"),
                dbc.Select(id=wizard_field("region_code"), value=values.get("region_code"),
                           options=[{"label": name, "value": code} for code, name in regions]),
                _feedback("region_code", errors),
                dbc.FormText(region_note),
            ], md=6, className="mb-3"),
        ]),
        dbc.Label("Description"),
        dbc.Textarea(id=wizard_field("description"), value=values.get("description", ""),
                     maxLength=500, rows=2, className="mb-1", debounce=True),
        _feedback("description", errors),
        dbc.Label("Type", className="mt-3"),
        dbc.RadioItems(id=wizard_field("cluster_type"), value=values.get("cluster_type"),
                       options=type_options, className="wizard-types"),
        _feedback("cluster_type", errors),
        dbc.FormText("Choosing a type fills in typical resources, tiers and retention; you can "
                     "change each on the next steps."),
    ])


def make_resources(values: Mapping[str, Any], *, errors: Mapping[str, str],
                   hints: Mapping[str, str], bundled: bool) -> html.Div:
    """Step 2: nodes, vCPU and memory per node, and storage per tier."""
    node_hint = hints.get("nodes", "")
    if bundled:
        node_hint = f"{node_hint} More than one node is {RECORDED_NOTE}.".strip()
    return html.Div([
        html.H3("Compute", className="h6 text-uppercase text-body-secondary"),
        dbc.Row([
            _number("nodes", "Nodes", values.get("nodes"), hint=node_hint, minimum=1,
                    errors=errors),
            _number("vcpu_per_node", "vCPU per node", values.get("vcpu_per_node"),
                    hint=hints.get("vcpu_per_node", ""), minimum=1, errors=errors),
            _number("memory_gb_per_node", "Memory per node", values.get("memory_gb_per_node"),
                    hint=hints.get("memory_gb_per_node", ""), unit="GB", minimum=1,
                    errors=errors),
        ]),
        html.H3("Storage tiers", className="h6 text-uppercase text-body-secondary mt-2"),
        html.P("Hot holds new data on the fastest disk; data moves to warm, cold and archive "
               "as it ages (set on the next step).", className="small text-body-secondary"),
        dbc.Row([_number(f"{tier}_gb", tier.capitalize(), values.get(f"{tier}_gb"), unit="GB",
                         hint=hints.get(f"{tier}_gb", ""), errors=errors)
                 for tier in ("hot", "warm", "cold", "archive")]),
        _feedback("storage", errors),
        dbc.FormText(hints.get("storage", "")),
    ])


def make_team_retention(values: Mapping[str, Any], *, errors: Mapping[str, str],
                        users: Sequence[tuple[int, str]], roles: Mapping[int, str],
                        creator_id: int) -> html.Div:
    """Step 3: members with roles, and days per tier until deletion."""
    role_options = [{"label": "no access", "value": "none"}] + [
        {"label": r, "value": r} for r in ROLE_NAMES]
    rows = [html.Tr([
        html.Td(email + (" (you)" if user_id == creator_id else "")),
        html.Td(dbc.Select(id=wizard_member(user_id), value=roles.get(user_id, "none"),
                           options=role_options, size="sm")),
    ]) for user_id, email in users]
    return html.Div([
        html.H3("Team access", className="h6 text-uppercase text-body-secondary"),
        dbc.Table([html.Thead(html.Tr([html.Th("Member"), html.Th("Role")])),
                   html.Tbody(rows)], size="sm", className="mb-1"),
        _feedback("members", errors),
        html.H3("Retention", className="h6 text-uppercase text-body-secondary mt-4"),
        html.P("Days after a part is produced: hot → warm → cold → archive → deleted. Each "
               "must be later than the one before; leave delete empty to keep data forever.",
               className="small text-body-secondary"),
        dbc.Row([
            _number("warm_after_days", "To warm after", values.get("warm_after_days"),
                    unit="days", minimum=1, errors=errors),
            _number("cold_after_days", "To cold after", values.get("cold_after_days"),
                    unit="days", minimum=1, errors=errors),
            _number("archive_after_days", "To archive after", values.get("archive_after_days"),
                    unit="days", minimum=1, errors=errors),
            _number("delete_after_days", "Delete after", values.get("delete_after_days"),
                    unit="days", minimum=1, errors=errors, hint="empty: keep forever"),
        ]),
    ])


def _summary_table(rows: Sequence[tuple[str, Any]]) -> dbc.Table:
    return dbc.Table(html.Tbody([html.Tr([html.Th(k, className="fw-normal text-body-secondary"
                                                  " w-50"), html.Td(v)]) for k, v in rows]),
                     size="sm", borderless=True, className="mb-3")


def make_review(sections: Sequence[tuple[str, Sequence[tuple[str, Any]]]],
                *, load_sample: bool) -> html.Div:
    """Step 4: every choice on one page, the sample-data option and Deploy."""
    return html.Div([
        *[html.Div([html.H3(title, className="h6 text-uppercase text-body-secondary"),
                    _summary_table(rows)]) for title, rows in sections],
        dbc.Checkbox(id=wizard_field("load_sample_data"), value=load_sample,
                     label="Load sample plant data after creating the schema"),
    ])


def make_estimate_panel(estimate: Any, *, region: str) -> dbc.Card:
    """The live monthly cost estimate, broken down, with its source."""
    rows = [("Compute", estimate.compute)] + [
        (f"Storage, {tier}", cost) for tier, cost in estimate.storage.items()
    ] + [("Backups", estimate.backups)]
    return dbc.Card(dbc.CardBody([
        html.Div("Monthly estimate", className="small text-body-secondary"),
        html.Div(f"${estimate.total:,.2f}", className="fs-3 fw-semibold",
                 id="wizard-estimate-total"),
        html.Div(f"{estimate.label} · {region}", className="small text-body-secondary mb-3"),
        dbc.Table(html.Tbody([html.Tr([html.Td(label), html.Td(f"${value:,.2f}",
                                                               className="text-end")])
                              for label, value in rows]), size="sm", borderless=True),
        html.Div(f"Prices: {estimate.source} (as of {estimate.as_of}).",
                 className="small text-body-tertiary"),
    ]), className="shadow-sm wizard-estimate")


def make_wizard_frame(step: int) -> html.Div:
    """The page frame: stepper, the step body, buttons, and the estimate column."""
    return html.Div([
        html.Div(make_stepper(step), id=Wizard.stepper),
        html.Div(id=Wizard.alert),
        dbc.Row([
            dbc.Col(dbc.Card(dbc.CardBody([
                html.Div(id=Wizard.body),
                html.Div([
                    dbc.Button("Start over", id=Wizard.reset, color="link",
                               className="text-body-secondary"),
                    html.Div([
                        dbc.Button("Back", id=Wizard.back, color="secondary", outline=True,
                                   className="me-2"),
                        dbc.Button("Next", id=Wizard.next, color="primary"),
                        dbc.Button([html.I(className="bi bi-rocket-takeoff me-1"), "Deploy"],
                                   id=Wizard.deploy, color="success", className="ms-2"),
                    ]),
                ], className="d-flex justify-content-between mt-4"),
            ]), className="shadow-sm"), lg=8),
            dbc.Col(html.Div(id=Wizard.estimate), lg=4),
        ]),
        dcc.Location(id=Wizard.redirect, refresh=True),
        dcc.Store(id=Wizard.load, data=0),
    ])


def make_step_body(view: Any, *, user_id: int, types: Sequence[tuple[str, str, str]],
                   hints: Mapping[str, str], sections: Any) -> html.Div:
    """The body of the current step, filled from the server-side draft."""
    values, errors = view.values, view.errors
    if view.step == 1:
        return make_basics(values, errors=errors, types=types, regions=view.regions,
                           bundled=view.bundled, database=view.spec.database_name)
    if view.step == 2:
        return make_resources(values, errors=errors, hints=hints, bundled=view.bundled)
    if view.step == 3:
        roles = {m.user_id: m.role for m in view.spec.members}
        return make_team_retention(values, errors=errors, users=view.users, roles=roles,
                                   creator_id=user_id)
    return make_review(sections, load_sample=view.spec.load_sample_data)
