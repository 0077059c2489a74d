"""Wizard callbacks: every click goes to the server-side wizard service; nothing is trusted."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime, signed_in_user
from callbacks.guard import clicked, guarded, unchanged
from components.ids.wizard import Wizard, wizard_feedback, wizard_field, wizard_member, wizard_step
from components.layout import make_error
from components.wizard import (
    FEEDBACK_HIDDEN,
    FEEDBACK_SHOWN,
    database_hint_id,
    make_estimate_panel,
    make_step_body,
    make_stepper,
)
from lyceum.errors import AppError, ValidationError
from services.clusters import wizard
from services.clusters.request import database_name_for
from services.provisioning import deploy as provisioning

FIELDS = State(wizard_field(ALL), "value")  # type: ignore[arg-type]
MEMBERS = State(wizard_member(ALL), "value")  # type: ignore[arg-type]


def collect(fields: list[Any], members: list[Any], *, as_inputs: bool = False
            ) -> dict[str, Any]:
    """The values of the inputs on screen, keyed by field name (members by user id)."""
    specs = ctx.inputs_list if as_inputs else ctx.states_list
    names = [item["id"]["name"] for item in specs[0]]
    values: dict[str, Any] = dict(zip(names, fields, strict=True))
    if specs[1]:
        values["members"] = {item["id"]["user"]: role
                             for item, role in zip(specs[1], members, strict=True)}
    return values


def render(view: wizard.WizardView, user_id: int) -> tuple[Any, ...]:
    """Stepper, body, estimate, and which buttons show, for a wizard view."""
    body = make_step_body(view, user_id=user_id, types=wizard.type_choices(),
                          hints=wizard.resource_hints(view.spec),
                          sections=wizard.review_sections(view))
    last = view.step == wizard.LAST_STEP
    return (make_stepper(view.step, view.furthest), body,
            make_estimate_panel(view.estimate, region=view.region_name),
            view.step == 1, {"display": "none"} if last else {},
            {} if last else {"display": "none"})


@callback(Output(Wizard.stepper, "children"), Output(Wizard.body, "children"),
          Output(Wizard.estimate, "children", allow_duplicate=True),
          Output(Wizard.back, "disabled"), Output(Wizard.next, "style"),
          Output(Wizard.deploy, "style"), Output(Wizard.alert, "children", allow_duplicate=True),
          Input(Wizard.load, "data"), Input(Wizard.next, "n_clicks"),
          Input(Wizard.back, "n_clicks"), Input(Wizard.reset, "n_clicks"),
          Input(wizard_step(ALL), "n_clicks"),  # type: ignore[arg-type]
          FIELDS, MEMBERS, prevent_initial_call="initial_duplicate")
@guarded(Role.ADMIN, cluster=None, outputs=7, error_output=6)
def step(_load: int, _next: int | None, _back: int | None, _reset: int | None,
         jumps: list[int | None], fields: list[Any], members: list[Any]) -> tuple[Any, ...]:
    """Load, advance, go back, jump to a visited step from the stepper, or start over."""
    user_id = signed_in_user().id
    values = collect(fields, members)
    trigger = _clicked()
    action = {Wizard.next: wizard.advance, Wizard.back: wizard.back}.get(str(trigger))
    if action is not None:
        view = action(runtime(), user_id=user_id, values=values)
    elif isinstance(trigger, dict):
        if not any(jumps):  # a stepper drawn anew, not a click
            raise PreventUpdate
        view = wizard.go_to(runtime(), user_id=user_id, values=values, step=trigger["step"])
    elif trigger == Wizard.reset:
        view = wizard.start_over(runtime(), user_id=user_id)
    elif trigger == Wizard.load or not any(t.get("value") for t in ctx.triggered):
        view = wizard.open_wizard(runtime(), user_id=user_id)  # the page's first draw
    else:
        raise PreventUpdate  # new stepper links appeared: nothing was clicked
    return (*render(view, user_id), None)


def _clicked() -> Any:
    """What set the step callback off, a click first: Dash merges a click made while the
    page's first load was still waiting into that one call (``ctx.triggered_id`` is then
    whichever it lists first), and the click must not be lost to a plain redraw."""
    triggered = list(ctx.triggered_prop_ids.values())
    for button in (Wizard.reset, Wizard.next, Wizard.back):
        if button in triggered:
            return button
    jumps = [t for t in triggered if isinstance(t, dict)]
    return jumps[0] if jumps else ctx.triggered_id


@callback(Output(Wizard.estimate, "children"),
          Output(database_hint_id() | {"name": ALL}, "children"),
          Output(wizard_feedback(ALL), "children"),  # type: ignore[arg-type]
          Output(wizard_feedback(ALL), "className"),  # type: ignore[arg-type]
          Input(wizard_field(ALL), "value"),  # type: ignore[arg-type]
          Input(wizard_member(ALL), "value"),  # type: ignore[arg-type]
          State(wizard_feedback(ALL), "className"),  # type: ignore[arg-type]
          prevent_initial_call=True)
@guarded(Role.ADMIN, cluster=None, when=lambda fields, *_: fields, on_error=unchanged)
def save_on_change(fields: list[Any], members: list[Any], shown: list[str | None]
                   ) -> tuple[Any, list[str], list[Any], list[Any]]:
    """Keep what the admin types on the server as they type (a reload shows it), and follow
    with the estimate, the database name, and the messages: one that was showing goes away
    once its field is right, and changes to the new problem if it is still wrong. A step
    drawn anew is no typing (:func:`drawn_anew`): nothing is saved or shown."""
    if drawn_anew():
        raise PreventUpdate
    values = collect(fields, members, as_inputs=True)
    names = [item["id"]["name"] for item in ctx.outputs_list[2]]
    flagged = [name for name, css in zip(names, shown, strict=True)
               if css == FEEDBACK_SHOWN]
    view = wizard.save_changes(runtime(), user_id=signed_in_user().id, values=values,
                               flagged=flagged)
    hints = [database_name_for(str(values.get("name") or "")) or "—"
             for _ in ctx.outputs_list[1]]
    # Only the messages showing when the typing began are touched (a Next that answers
    # meanwhile shows its own, which an answer to older typing must not hide).
    messages = [view.errors.get(name) if name in flagged else no_update for name in names]
    classes = [(FEEDBACK_SHOWN if name in view.errors else FEEDBACK_HIDDEN)
               if name in flagged else no_update for name in names]
    return make_estimate_panel(view.estimate, region=view.region_name), hints, messages, classes


def drawn_anew() -> bool:
    """Whether this call of :func:`save_on_change` is Dash's first call for a step body just
    drawn by :func:`step`: every field on screen reports a change at once (an edit changes
    one). Its values are the ones the server drew, so there is nothing to keep; and its
    answer, late under load, would land after the admin's first edit and put the drawn
    values back (the database name said "—" under a typed name; a reload showed the old
    draft). A body with one field cannot be told apart; its call keeps the drawn value."""
    shown = sum(len(group) for group in ctx.inputs_list)
    return shown > 1 and len(ctx.triggered_prop_ids) == shown


def _not_deployed(exc: AppError, *_args: Any) -> tuple[Any, Any]:
    """Each field's problem listed under the message; any other error as usual."""
    if not isinstance(exc, ValidationError):
        return no_update, make_error(exc.user_message)
    details = [html.Li(f"{field.replace('_', ' ')}: {message}")
               for field, message in exc.fields.items()]
    return no_update, dbc.Alert([html.Strong(exc.user_message), html.Ul(details)],
                                color="danger")


@callback(Output(Wizard.redirect, "href"), Output(Wizard.alert, "children"),
          Input(Wizard.deploy, "n_clicks"), FIELDS, MEMBERS, prevent_initial_call=True)
@guarded(Role.ADMIN, cluster=None, when=clicked, on_error=_not_deployed)
def deploy(_clicks: int, fields: list[Any], members: list[Any]) -> tuple[Any, Any]:
    """Re-validate everything on the server and start provisioning."""
    user_id = signed_in_user().id
    spec = wizard.final_spec(runtime(), user_id=user_id, values=collect(fields, members))
    cluster_id = provisioning.begin_deploy(runtime(), spec, actor=current_actor())
    wizard.finish(runtime(), user_id=user_id)
    return f"/clusters/{cluster_id}", None
