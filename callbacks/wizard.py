"""Wizard callbacks: every click goes to the server-side wizard service; nothing is trusted."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, callback, ctx, html, no_update

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime, signed_in_user
from callbacks.guard import clicked, guarded, unchanged
from components.ids import Wizard, wizard_field, wizard_member
from components.layout import make_error
from components.wizard import (
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
    return (make_stepper(view.step), body,
            make_estimate_panel(view.estimate, region=view.region_name),
            view.step == 1, {"display": "none"} if last else {},
            {} if last else {"display": "none"})


@callback(Output(Wizard.stepper, "children"), Output(Wizard.body, "children"),
          Output(Wizard.estimate, "children", allow_duplicate=True),
          Output(Wizard.back, "disabled"), Output(Wizard.next, "style"),
          Output(Wizard.deploy, "style"), Output(Wizard.alert, "children", allow_duplicate=True),
          Input(Wizard.load, "data"), Input(Wizard.next, "n_clicks"),
          Input(Wizard.back, "n_clicks"), Input(Wizard.reset, "n_clicks"), FIELDS, MEMBERS,
          prevent_initial_call="initial_duplicate")
@guarded(Role.ADMIN, cluster=None, outputs=7, error_output=6)
def step(_load: int, _next: int | None, _back: int | None, _reset: int | None,
         fields: list[Any], members: list[Any]) -> tuple[Any, ...]:
    """Load, advance, go back or start over."""
    user_id = signed_in_user().id
    values = collect(fields, members)
    action = {Wizard.next: wizard.advance, Wizard.back: wizard.back}.get(
        str(ctx.triggered_id))
    if action is not None:
        view = action(runtime(), user_id=user_id, values=values)
    elif ctx.triggered_id == Wizard.reset:
        view = wizard.start_over(runtime(), user_id=user_id)
    else:
        view = wizard.open_wizard(runtime(), user_id=user_id)
    return (*render(view, user_id), None)


@callback(Output(Wizard.estimate, "children"),
          Output(database_hint_id() | {"name": ALL}, "children"),
          Input(wizard_field(ALL), "value"),  # type: ignore[arg-type]
          Input(wizard_member(ALL), "value"),  # type: ignore[arg-type]
          prevent_initial_call=True)
@guarded(Role.ADMIN, cluster=None, when=lambda fields, *_: fields, on_error=unchanged)
def live_estimate(fields: list[Any], members: list[Any]) -> tuple[Any, list[str]]:
    """Recompute the estimate (and the database name) as the admin types; nothing is saved."""
    values = collect(fields, members, as_inputs=True)
    view = wizard.preview(runtime(), user_id=signed_in_user().id, values=values)
    hints = [database_name_for(str(values.get("name") or "")) or "—"
             for _ in ctx.outputs_list[1]]
    return make_estimate_panel(view.estimate, region=view.region_name), hints


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
