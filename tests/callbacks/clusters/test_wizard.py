"""The wizard's callbacks, posted through the Dash endpoint as the browser would: only a
global admin gets past the guard (a cluster's admin is not one), the draft lives on the
server, bad input gets the field's message, and a refusal changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from components.ids.wizard import Wizard, wizard_feedback, wizard_field, wizard_step
from components.wizard import FEEDBACK_HIDDEN, FEEDBACK_SHOWN, database_hint_id
from data.metadata.models import WizardDraft
from services.clusters import wizard
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, World, audit_count, build_world, sign_in, snapshot
from tests.callbacks.signed_in import id_key, text
from tests.security.matrix import dependencies

REFUSED = "Only administrators can do this."


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _dep(server: Flask, client: FlaskClient, output: str) -> dict[str, Any]:
    return next(d for d in dependencies(server, client) if d["output"].startswith(output))


def _fields(values: dict[str, Any], prop: str = "value") -> list[dict[str, Any]]:
    return [{"id": wizard_field(name), "property": prop, "value": value}
            for name, value in values.items()]


def _answer(client: FlaskClient, payload: dict[str, Any]) -> dict[str, Any]:
    answer = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:500]
    body: dict[str, Any] = answer.json or {} if answer.status_code == 200 else {}
    found: dict[str, Any] = body.get("response", {})
    return found


def _step(server: Flask, client: FlaskClient, trigger: str | dict[str, Any], *,
          values: dict[str, Any] | None = None, jumps: tuple[int, ...] = (),
          with_load: bool = False) -> dict[str, Any]:
    """Post the step callback: ``trigger`` is a button id, Wizard.load, or a stepper link;
    ``with_load``: Dash merged it with the page's first load (listed first), as it does
    with a click made while that load still waits."""
    dep = _dep(server, client, f"..{Wizard.stepper}.children")
    outputs = [{"id": ident, "property": prop} for ident, prop in (
        (Wizard.stepper, "children"), (Wizard.body, "children"),
        (Wizard.estimate, "children"), (Wizard.back, "disabled"), (Wizard.next, "style"),
        (Wizard.deploy, "style"), (Wizard.alert, "children"))]
    links = [{"id": wizard_step(n), "property": "n_clicks",
              "value": 1 if trigger == wizard_step(n) else None} for n in jumps]
    load = {"id": Wizard.load, "property": "data",
            "value": 1 if trigger == Wizard.load or with_load else None}
    inputs = [load] + [{"id": b, "property": "n_clicks", "value": 1 if trigger == b else None}
                       for b in (Wizard.next, Wizard.back, Wizard.reset)] + [links]
    changed = (f"{id_key(trigger)}.n_clicks" if trigger != Wizard.load
               else f"{Wizard.load}.data")
    merged = [f"{Wizard.load}.data"] if with_load else []
    return _answer(client, {"output": dep["output"], "outputs": outputs, "inputs": inputs,
                            "state": [_fields(values or {}), []],
                            "changedPropIds": [*merged, changed]})


def _typed(server: Flask, client: FlaskClient, values: dict[str, Any], *,
           shown: tuple[str, ...] = (), drawn: bool = False) -> dict[str, Any]:
    """Post the save-as-you-type callback with ``values`` on screen, ``shown`` flagged;
    ``drawn``: Dash's first call for a body just drawn (every field reported changed)."""
    dep = _dep(server, client, f"..{Wizard.estimate}.children..")
    names = list(values)
    feedback = [{"id": wizard_feedback(n), "property": p} for n in names
                for p in ("children",)]
    classes = [{"id": wizard_feedback(n), "property": "className"} for n in names]
    hint = [{"id": database_hint_id(), "property": "children"}]
    state = [{"id": wizard_feedback(n), "property": "className",
              "value": FEEDBACK_SHOWN if n in shown else FEEDBACK_HIDDEN} for n in names]
    return _answer(client, {
        "output": dep["output"],
        "outputs": [{"id": Wizard.estimate, "property": "children"}, hint, feedback, classes],
        "inputs": [_fields(values), []], "state": [state],
        "changedPropIds": [f"{id_key(wizard_field(n))}.value"
                           for n in (names if drawn else names[:1])]})


def _deploy(server: Flask, client: FlaskClient, values: dict[str, Any]) -> dict[str, Any]:
    dep = _dep(server, client, f"..{Wizard.redirect}.href")
    return _answer(client, {
        "output": dep["output"],
        "outputs": [{"id": Wizard.redirect, "property": "href"},
                    {"id": Wizard.alert, "property": "children"}],
        "inputs": [{"id": Wizard.deploy, "property": "n_clicks", "value": 1}],
        "state": [_fields(values), []], "changedPropIds": [f"{Wizard.deploy}.n_clicks"]})


def _drafts(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(WizardDraft)) or 0)


def _alert(response: dict[str, Any]) -> str:
    return text(response.get(Wizard.alert, {}).get("children"))


@pytest.mark.parametrize("key", ["viewer", "editor", "admin", "outsider"])
def test_anyone_but_a_global_admin_is_refused_and_no_draft_is_made(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    client = sign_in(server.test_client(), key)
    before, denied = snapshot(runtime), audit_count(runtime, outcome="denied")
    response = _step(server, client, Wizard.next, values={
        "name": "Press shop", "description": "", "cluster_type": "development",
        "region_code": "local"})
    assert REFUSED in _alert(response)
    assert set(response) == {Wizard.alert}  # nothing of the wizard is drawn
    assert _drafts(runtime) == 0 and snapshot(runtime) == before
    assert audit_count(runtime, outcome="denied") == denied + 1


@pytest.mark.parametrize("key", ["viewer", "admin"])
def test_typing_as_a_non_admin_saves_nothing_and_shows_nothing(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    client = sign_in(server.test_client(), key)
    assert _typed(server, client, {"name": "Press shop"}) == {}
    assert _drafts(runtime) == 0


@pytest.mark.parametrize("key", ["editor", "admin"])
def test_deploy_as_a_non_admin_creates_no_cluster(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    client = sign_in(server.test_client(), key)
    before = snapshot(runtime)
    response = _deploy(server, client, {"load_sample_data": False})
    assert REFUSED in _alert(response)
    assert Wizard.redirect not in response
    assert snapshot(runtime) == before


def test_a_global_admin_opens_the_first_step_with_an_estimate(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "root")
    response = _step(server, client, Wizard.load)
    assert response[Wizard.back]["disabled"] is True
    assert response[Wizard.deploy]["style"] == {"display": "none"}
    assert response[Wizard.alert]["children"] is None
    assert "Manufacturing" in text(response[Wizard.body]["children"])
    total = wizard.open_wizard(runtime, user_id=world.users["root"]).estimate.total
    assert f"${total:,.2f}" in text(response[Wizard.estimate]["children"])


def test_a_bad_name_keeps_the_first_step_with_its_message(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "root")
    response = _step(server, client, Wizard.next, values={
        "name": "x", "description": "", "cluster_type": "development",
        "region_code": "local"})
    expected = wizard.advance(runtime, user_id=world.users["root"], values={"name": "x"})
    assert expected.step == 1
    assert expected.errors["name"] in text(response[Wizard.body]["children"])
    assert response[Wizard.back]["disabled"] is True
    assert wizard.open_wizard(runtime, user_id=world.users["root"]).step == 1


def test_next_clicked_while_the_first_load_waits_is_not_lost(
        server: Flask, runtime: Runtime, world: World) -> None:
    """Next pressed before the first step's body arrived (no fields on screen yet): Dash
    sends one call for both; it is the click, so the empty name gets its message."""
    client = sign_in(server.test_client(), "root")
    response = _step(server, client, Wizard.next, with_load=True)
    expected = wizard.advance(runtime, user_id=world.users["root"], values={})
    assert expected.step == 1 and "name" in expected.errors
    assert expected.errors["name"] in text(response[Wizard.body]["children"])


def test_next_with_good_values_moves_on_and_the_draft_survives(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "root")
    response = _step(server, client, Wizard.next, values={
        "name": "Line 3 press shop", "description": "", "cluster_type": "development",
        "region_code": "local"})
    assert response[Wizard.back]["disabled"] is False
    view = wizard.open_wizard(runtime, user_id=world.users["root"])
    assert (view.step, view.spec.name) == (2, "Line 3 press shop")
    back = _step(server, client, Wizard.back, values={"nodes": 2})
    assert back[Wizard.back]["disabled"] is True
    assert wizard.open_wizard(runtime, user_id=world.users["root"]).step == 1


def test_a_forged_stepper_link_leaves_the_wizard_where_it_is(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "root")
    _step(server, client, Wizard.load)
    _step(server, client, wizard_step(9), jumps=(9,))
    assert wizard.open_wizard(runtime, user_id=world.users["root"]).step == 1


def test_typing_keeps_the_value_and_answers_the_shown_message(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "root")
    response = _typed(server, client, {"name": "x", "description": "bad\x00text"},
                      shown=("name",))
    name_message = response[id_key(wizard_feedback("name"))]
    assert name_message["className"] == FEEDBACK_SHOWN and name_message["children"]
    # The description showed no message: it is left alone until Next.
    assert id_key(wizard_feedback("description")) not in response
    assert wizard.open_wizard(runtime, user_id=world.users["root"]).spec.name == "x"
    fixed = _typed(server, client, {"name": "Line 4 welding"}, shown=("name",))
    assert fixed[id_key(wizard_feedback("name"))]["className"] == FEEDBACK_HIDDEN
    hint = fixed[id_key(database_hint_id())]["children"]
    assert hint == "line_4_welding"


def test_a_step_drawn_anew_saves_nothing_and_answers_nothing(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "root")
    _typed(server, client, {"name": "Line 4 welding", "description": ""})
    # The refused Next drew the body with an empty name; Dash's call for that body lands
    # after the typed name was saved: it neither saves nor writes the database name.
    assert _typed(server, client, {"name": "", "description": ""}, shown=("name",),
                  drawn=True) == {}
    assert wizard.open_wizard(runtime, user_id=world.users["root"]).spec.name == (
        "Line 4 welding")
    # A body of one field cannot be told from typing in it: that is saved.
    one = _typed(server, client, {"name": "Line 5"}, drawn=True)
    assert one[id_key(database_hint_id())]["children"] == "line_5"


def test_deploying_an_unfinished_draft_lists_each_problem_and_creates_nothing(
        server: Flask, runtime: Runtime, world: World) -> None:
    client = sign_in(server.test_client(), "root")
    before = snapshot(runtime)
    response = _deploy(server, client, {"load_sample_data": False})
    alert = _alert(response)
    assert "Some choices need attention." in alert and "name:" in alert
    assert Wizard.redirect not in response
    assert snapshot(runtime) == before

