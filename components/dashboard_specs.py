"""The spec-limits editor under the dashboard's control chart (no I/O): LSL, USL and unit of
the chosen feature with Save / Reset for editors, the values read-only for viewers, and who
changed them last."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.ids.dashboard import DashboardSpecs

#: The editor's fields, in the order the save callback outputs their messages.
FIELDS = ("lsl", "usl", "unit")


def feature_options(limits: list[Any]) -> list[dict[str, str]]:
    """Dropdown options, in the given order: "Peak y (riveting) · N" with the unit."""
    return [{"label": s.label + (f" · {s.unit}" if s.unit else ""), "value": s.key}
            for s in limits]


def chosen(options: list[dict[str, str]], current: Any) -> Any:
    """The current choice if it is still an option, else the first option (or ``None``)."""
    values = [o["value"] for o in options]
    return current if current in values else (values[0] if values else None)


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def provenance(limit: Any) -> str:
    """"Default limits" or "Changed by … on …"."""
    if limit.is_default:
        return "Default limits."
    when = limit.updated_at
    try:
        when = datetime.fromisoformat(when).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        pass
    return f"Changed by {limit.updated_by or 'unknown'} on {when}."


def _field(label: str, component_id: str, message_id: str, value: Any, *, kind: str,
           width: str) -> html.Div:
    extra = {"type": "number", "step": "any"} if kind == "number" else {"maxLength": 20}
    return html.Div([
        dbc.Label(label, html_for=component_id, className="small mb-0"),
        dbc.Input(id=component_id, value=value, size="sm", debounce=True, **extra),
        dbc.FormFeedback("", id=message_id, type="invalid"),
    ], className=f"spec-field spec-field-{width}")


def make_spec_editor(limit: Any, *, can_edit: bool) -> Any:
    """The editor for one feature's limits.

    ``limit`` is a :class:`services.quality.spec_limits.SpecLimit`.
    """
    if limit is None:
        return html.Span("This feature has no spec limits.", className="text-body-secondary")
    title = html.Span(["Spec limits · ", html.Span(limit.label, className="fw-normal")],
                      className="fw-semibold")
    note = html.Div(provenance(limit), className="text-body-secondary spec-provenance")
    if not can_edit:
        text = (f"LSL {_number(limit.lsl)} · USL {_number(limit.usl)}"
                + (f" {limit.unit}" if limit.unit else ""))
        return html.Div([title, html.Div(text, className="spec-readonly"), note],
                        className="spec-editor")
    buttons = html.Div([
        dbc.Button("Save", id=DashboardSpecs.save, size="sm", color="primary"),
        dbc.Button("Reset to default" if limit.has_default else "Remove limits",
                   id=DashboardSpecs.reset, size="sm", color="secondary", outline=True,
                   disabled=limit.is_default),
    ], className="spec-buttons d-flex gap-2")
    return html.Div([title, html.Div([
        _field("LSL", DashboardSpecs.lsl, DashboardSpecs.lsl_message, limit.lsl,
               kind="number", width="num"),
        _field("USL", DashboardSpecs.usl, DashboardSpecs.usl_message, limit.usl,
               kind="number", width="num"),
        _field("Unit", DashboardSpecs.unit, DashboardSpecs.unit_message, limit.unit,
               kind="text", width="unit"),
        buttons], className="spec-fields d-flex flex-wrap align-items-start gap-2"), note],
        className="spec-editor")


def field_messages(fields: dict[str, str], message: str) -> tuple[Any, ...]:
    """(invalid flags…, messages…) of the fields for a refusal (the text goes under the last
    named field, so it sits next to the fields it is about)."""
    named = [f for f in FIELDS if f in fields]
    flags = tuple(f in fields for f in FIELDS)
    texts = tuple(message if named and f == named[-1] else "" for f in FIELDS)
    return (*flags, *texts)


def make_saved(text: str) -> dbc.Alert:
    """A short confirmation under the editor."""
    return dbc.Alert(text, color="success", className="py-1 px-2 small mb-0 mt-2",
                     duration=5000)
