"""The dashboard's alert-rule callbacks: editors get the form and add rules; below editor
nothing is added; a malformed rule says why and adds nothing."""

from __future__ import annotations

import pytest
from dash import no_update
from flask import Flask

from callbacks.dashboard import alert_rules
from services.core.runtime import Runtime
from services.quality import alerts
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in, text

show_form = guarded_body(alert_rules.show_form)
show_rules = guarded_body(alert_rules.show_rules)
add_rule = guarded_body(alert_rules.add_rule)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _rules(runtime: Runtime, world: World) -> list[str]:
    return sorted(r.name for r in alerts.rules_of(runtime, world.a))


@pytest.mark.parametrize(("key", "shown"), [("viewer", False), ("analyst", False),
                                             ("editor", True), ("admin", True),
                                             ("outsider", False)])
def test_the_form_is_for_editors_only(server: Flask, runtime: Runtime, world: World,
                                      key: str, shown: bool) -> None:
    with signed_in(server, runtime, world, key):
        form = show_form(None, str(world.a))
    assert (form is not None) is shown


def test_an_editor_adds_a_yield_rule_and_the_list_shows_it(
        server: Flask, runtime: Runtime, world: World) -> None:
    before = _rules(runtime, world)
    with signed_in(server, runtime, world, "editor"):
        result, listing = add_rule(1, "Yield under 90", "yield_below", None, 0.9, 30,
                                   "critical", str(world.a))
        shown = text(show_rules(0, str(world.a)))
    assert "Rule added; it is evaluated from the next refresh on." in text(result)
    assert "Yield under 90" in text(listing) and "Yield under 90" in shown
    assert _rules(runtime, world) == sorted([*before, "Yield under 90"])


@pytest.mark.parametrize("key", ["analyst", "viewer", "outsider", "b_admin"])
def test_adding_below_editor_is_refused_and_adds_nothing(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    before = _rules(runtime, world)
    with signed_in(server, runtime, world, key):
        result, listing = add_rule(1, "Mine", "yield_below", None, 0.9, 30, "warning",
                                   str(world.a))
    assert "Rule not added" in text(result)
    assert listing is no_update
    assert _rules(runtime, world) == before


@pytest.mark.parametrize(("name", "kind", "feature", "value", "message"), [
    ("Yield", "yield_below", None, "0.9", "Enter a number."),
    ("Yield", "yield_below", None, [1], "Enter a number."),
    ("Spec", "feature_spec", "no-separator", None, "Choose one of the listed features."),
    ("Spec", "spc_rule", "'; DROP TABLE x; --", None, "Choose one of the listed features."),
    ("Odd", "drop_tables", None, 1.0, "Rule not added"),
    ("", "yield_below", None, 0.9, "Rule not added"),
])
def test_a_malformed_rule_says_why_and_adds_nothing(
        server: Flask, runtime: Runtime, world: World, name: str, kind: str,
        feature: str | None, value: object, message: str) -> None:
    before = _rules(runtime, world)
    with signed_in(server, runtime, world, "editor"):
        result, listing = add_rule(1, name, kind, feature, value, 30, "warning", str(world.a))
    assert message in text(result) and "Rule not added" in text(result)
    assert listing is no_update
    assert _rules(runtime, world) == before
