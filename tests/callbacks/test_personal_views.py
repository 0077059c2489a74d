"""Personal views, posted through the Dash endpoint: analysts and above see and save them,
viewers see nothing and are refused, a bad name is explained and saves nothing."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from components.ids.dashboard import Dashboard
from components.ids.shared import PersonalViews, personal_views_id
from services.core.runtime import Runtime
from services.projects.personal_views import list_views
from tests.access_world import World, build_world, sign_in
from tests.callbacks.signed_in import id_key, post

BOX = id_key(personal_views_id(PersonalViews.BOX, "dashboard"))
MENU = id_key(personal_views_id(PersonalViews.MENU, "dashboard"))
FEEDBACK = id_key(personal_views_id(PersonalViews.FEEDBACK, "dashboard"))
NAME = id_key(personal_views_id(PersonalViews.NAME, "dashboard"))


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _views(runtime: Runtime, world: World, key: str) -> list[str]:
    return [v.name for v in list_views(runtime, world.a, user_id=world.users[key],
                                       page="dashboard")]


def _save(server: Flask, key: str, cluster: str, name: object) -> dict[str, object]:
    client = sign_in(server.test_client(), key)
    return post(server, client, FEEDBACK, cluster=cluster,
                values={NAME: name, Dashboard.url: ""})


@pytest.mark.parametrize(("key", "shown"), [("viewer", False), ("analyst", True),
                                             ("editor", True), ("admin", True)])
def test_the_box_shows_from_the_analyst_role(server: Flask, world: World, key: str,
                                             shown: bool) -> None:
    client = sign_in(server.test_client(), key)
    response = post(server, client, BOX, cluster=str(world.a))
    assert ("d-none" not in response[BOX]["className"]) is shown


def test_an_analyst_saves_a_view_and_the_menu_lists_it(
        server: Flask, runtime: Runtime, world: World) -> None:
    response = _save(server, "analyst", str(world.a), "  Line 3 (night)  ")
    assert "Saved “Line 3 (night)”." in json.dumps(response[FEEDBACK], ensure_ascii=False)
    assert "Line 3 (night)" in json.dumps(response[MENU])
    assert _views(runtime, world, "analyst") == ["Line 3 (night)"]


@pytest.mark.parametrize("name", [None, "", "   ", "<script>alert(1)</script>",
                                  "'; DROP TABLE views; --", "x" * 81, ["a"]])
def test_a_bad_name_is_explained_and_saves_nothing(
        server: Flask, runtime: Runtime, world: World, name: object) -> None:
    response = _save(server, "analyst", str(world.a), name)
    assert "Name the view (up to 80 letters" in json.dumps(response[FEEDBACK], ensure_ascii=False)
    assert _views(runtime, world, "analyst") == []


@pytest.mark.parametrize(("key", "cluster"), [("viewer", "a"), ("outsider", "a"),
                                              ("b_admin", "a"), ("analyst", "../a")])
def test_saving_below_analyst_or_elsewhere_is_refused_and_saves_nothing(
        server: Flask, runtime: Runtime, world: World, key: str, cluster: str) -> None:
    target = str(world.a) if cluster == "a" else cluster
    response = _save(server, key, target, "Mine")
    assert "Not saved" in json.dumps(response[FEEDBACK], ensure_ascii=False)
    assert MENU not in response
    assert _views(runtime, world, key) == []
