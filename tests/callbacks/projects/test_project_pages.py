"""The projects list and project overview callbacks: members read, editors create; a refused
or malformed creation keeps what was typed, says why and creates nothing."""

from __future__ import annotations

import pytest
from dash import no_update
from flask import Flask

from callbacks.projects import project_pages
from services.core.runtime import Runtime
from services.projects import project_store
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in, text

show_projects = guarded_body(project_pages.show_projects)
create_project = guarded_body(project_pages.create_project)
show_project = guarded_body(project_pages.show_project)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _template(runtime: Runtime) -> str:
    return str(project_store.project_types(runtime)[0][0])


def _projects(runtime: Runtime, world: World) -> int:
    return len(project_store.list_projects(runtime, cluster_id=world.a))


def test_a_viewer_sees_no_projects_and_no_form(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "viewer"):
        body, options, value, form, texts = show_projects(str(world.a), 0)
    assert "Editors of this cluster create projects." in text(body)
    assert options and value == options[0]["value"] == _template(runtime)
    assert form == {"display": "none"}
    # The picker names each template; what it is for goes under it (it would be cut there).
    types = project_store.project_types(runtime)
    assert [o["label"] for o in options] == [name for _code, name, _text in types]
    assert texts == {code: words for code, _name, words in types}


def test_an_editor_creates_a_project_and_the_form_empties(
        server: Flask, runtime: Runtime, world: World) -> None:
    with signed_in(server, runtime, world, "editor"):
        error, refresh, name, description = create_project(
            1, str(world.a), "Press line audit", _template(runtime), "Weekly check", 2)
        body, _options, _value, form, _texts = show_projects(str(world.a), refresh)
    assert (error, refresh, name, description) == (None, 3, "", "")
    assert "Press line audit" in text(body)
    assert form is None
    assert _projects(runtime, world) == 1


@pytest.mark.parametrize("key", ["analyst", "viewer", "outsider", "b_admin"])
def test_creating_below_editor_is_refused_and_keeps_the_form(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    with signed_in(server, runtime, world, key):
        error, refresh, name, description = create_project(
            1, str(world.a), "Mine", _template(runtime), "", 2)
    assert "Not created" in text(error)
    assert (refresh, name, description) == (no_update, no_update, no_update)
    assert _projects(runtime, world) == 0


@pytest.mark.parametrize(("name", "template"), [
    ("", None), ("x" * 5000, None), (None, None), ("Fine name", "../etc/passwd"),
    ("Fine name", "unknown-template"), ("Fine name", None)])
def test_a_malformed_project_is_explained_and_not_created(
        server: Flask, runtime: Runtime, world: World, name: object,
        template: str | None) -> None:
    with signed_in(server, runtime, world, "editor"):
        chosen = template if template is not None or name == "Fine name" \
            else _template(runtime)
        error, refresh, _name, _description = create_project(
            1, str(world.a), name, chosen, "", 2)
    assert "Not created" in text(error)
    assert refresh is no_update
    assert _projects(runtime, world) == 0


@pytest.mark.parametrize("project", ["999999", "../1", "1 OR 1=1", ""])
def test_an_unknown_or_forged_project_id_shows_an_error_only(
        server: Flask, runtime: Runtime, world: World, project: str) -> None:
    with signed_in(server, runtime, world, "viewer"):
        header, assets, activity = show_project(str(world.a), project, 0)
    assert "Something went wrong" in text(header) and "'danger'" in text(header)
    assert (assets, activity) == (None, None)
