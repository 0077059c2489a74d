"""The dashboard's spec-limit callbacks: the cluster's features offered, the chosen feature's
limits read-only for viewers and editable for editors, a forged feature key refused clearly."""

from __future__ import annotations

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from flask import Flask

from callbacks.dashboard import spec_limits as callbacks
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.quality import spec_limits
from tests.access_world import World
from tests.callbacks.signed_in import guarded_body, signed_in, text

feature_choices = guarded_body(callbacks.feature_choices)
show_editor = guarded_body(callbacks.show_editor)


@pytest.fixture(scope="module")
def world(demo_world: World) -> World:
    return demo_world


@pytest.fixture(scope="module")
def server(demo_server: Flask) -> Flask:
    return demo_server


@pytest.fixture(scope="module")
def limited(mod_runtime: Runtime, world: World) -> str:
    """The key of a feature of cluster A given limits 1.5 … 2.5."""
    first = spec_limits.feature_list(mod_runtime, world.a)[0]
    spec_limits.set_limits(mod_runtime, world.a, process=first.process, feature=first.feature,
                           lsl=1.5, usl=2.5, unit=None,
                           actor=Actor(user_id=world.users["editor"], label="editor"))
    return spec_limits.feature_key(first.process, first.feature)


def test_a_viewer_is_offered_every_feature_with_limits_first(
        server: Flask, mod_runtime: Runtime, world: World, limited: str) -> None:
    with signed_in(server, mod_runtime, world, "viewer"):
        options, value = feature_choices(None, str(world.a), None)
    assert len(options) == len(spec_limits.feature_list(mod_runtime, world.a)) > 1
    assert options[0]["value"] == limited
    assert value is no_update  # the address chooses the first feature


def test_a_choice_no_longer_listed_falls_back_to_the_first(
        server: Flask, mod_runtime: Runtime, world: World, limited: str) -> None:
    with signed_in(server, mod_runtime, world, "viewer"):
        _options, value = feature_choices(None, str(world.a), "gone::feature")
    assert value == limited


@pytest.mark.parametrize("key", ["outsider", "b_admin"])
def test_an_account_without_access_gets_no_features(
        server: Flask, mod_runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, mod_runtime, world, key), pytest.raises(PreventUpdate):
        feature_choices(None, str(world.a), None)


def test_a_viewer_reads_the_limits_without_a_save_button(
        server: Flask, mod_runtime: Runtime, world: World, limited: str) -> None:
    with signed_in(server, mod_runtime, world, "viewer"):
        drawn = text(show_editor(limited, None, str(world.a)))
    assert "LSL 1.5 · USL 2.5" in drawn
    assert "Save" not in drawn


def test_an_editor_gets_the_form_with_the_limits_filled_in(
        server: Flask, mod_runtime: Runtime, world: World, limited: str) -> None:
    with signed_in(server, mod_runtime, world, "editor"):
        drawn = text(show_editor(limited, None, str(world.a)))
    assert "Save" in drawn and "Remove limits" in drawn
    assert "1.5" in drawn and "2.5" in drawn


@pytest.mark.parametrize("forged", [None, "", "no-separator", "::x", "x::", 7,
                                    "p::" + "f" * 5000, ["p::f"]])
def test_a_forged_feature_key_is_refused_with_a_clear_message(
        server: Flask, mod_runtime: Runtime, world: World, forged: object) -> None:
    with signed_in(server, mod_runtime, world, "viewer"):
        drawn = text(show_editor(forged, None, str(world.a)))
    assert "Choose one of the listed features." in drawn


def test_a_feature_without_limits_says_so(
        server: Flask, mod_runtime: Runtime, world: World, limited: str) -> None:
    with signed_in(server, mod_runtime, world, "viewer"):
        drawn = text(show_editor("unknown-process::unknown", None, str(world.a)))
    assert "This feature has no spec limits." in drawn
