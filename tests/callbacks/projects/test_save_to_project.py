"""The shared "Save to project" modal: editable projects, editors only, no foreign ids."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask_login import login_user

from auth.session import AuthUser
from callbacks.projects.save_to_project import _save, open_modal
from components.ids.explorer import Explorer
from components.save_to_project import make_save_to_project
from data.metadata import memberships
from services.access.accounts import SessionUser, create_user
from services.core.runtime import Runtime
from services.projects import assets, project_store
from tests.services.import_helpers import ACTOR, make_cluster


def sent(value: object) -> Any:
    """A value as the browser sends it; the guard parses it into the callback's type."""
    return value


@pytest.fixture
def plant(runtime: Runtime, ch_database: str) -> tuple[int, int, int]:
    mine = make_cluster(runtime, ch_database)
    other = make_cluster(runtime, f"{ch_database}_x", name="Other", schema=False)
    open_project = project_store.create_project(runtime, cluster_id=mine, actor=ACTOR, name="Open",
                                           project_type="custom")
    done = project_store.create_project(runtime, cluster_id=mine, actor=ACTOR, name="Done",
                                   project_type="custom")
    project_store.change_status(runtime, cluster_id=mine, project_id=done.id, actor=ACTOR,
                           action="complete")
    return mine, other, open_project.id


def _signed_in(server: Flask, runtime: Runtime, cluster: int, role: str) -> Iterator[None]:
    user = create_user(runtime.db, runtime.passwords, email=f"{role}@example.com",
                       password="long enough password")
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=cluster, user_id=user.id, role=role,
                               granted_by=None)
    with server.test_request_context("/"):
        login_user(AuthUser(SessionUser(user.id, user.email, user.email, False, "t")))
        yield


def test_editor_saves_the_explorer_view_as_a_chart(server: Flask, runtime: Runtime,
                                                   plant: tuple[int, int, int]) -> None:
    mine, _other, project = plant
    for _ in _signed_in(server, runtime, mine, "editor"):
        is_open, options, feedback = open_modal(1, sent(f"/clusters/{mine}/explorer"))
        assert (is_open, feedback) == (True, None)
        assert options == [{"label": "Open", "value": str(project)}]
        _save("explorer", 1, str(project), "Overlay line 1", f"/clusters/{mine}/explorer",
              {"p": "press-fit"})
    saved = [a for a in assets.list_assets(runtime, cluster_id=mine, project_id=project)]
    assert [(a.asset_type, a.name, a.config) for a in saved] == [
        ("chart", "Overlay line 1", {"page": "explorer", "state": {"p": "press-fit"}})]
    assert "/clusters/" in saved[0].url and "/explorer" in saved[0].url


def test_viewer_and_foreign_project_are_refused(server: Flask, runtime: Runtime,
                                                plant: tuple[int, int, int]) -> None:
    mine, other, project = plant
    for _ in _signed_in(server, runtime, mine, "viewer"):
        _open, _options, feedback = open_modal(1, sent(f"/clusters/{mine}/explorer"))
        assert "This needs the editor role on this cluster; you are viewer." in str(feedback)
    theirs = project_store.create_project(runtime, cluster_id=other, actor=ACTOR, name="Theirs",
                                     project_type="custom")
    for _ in _signed_in(server, runtime, mine, "editor"):
        answer = _save("explorer", 1, str(theirs.id), "x", f"/clusters/{mine}/explorer", {})
        assert "This project does not exist in this cluster." in str(answer)
    assert assets.list_assets(runtime, cluster_id=other, project_id=theirs.id) == []
    assert assets.list_assets(runtime, cluster_id=mine, project_id=project) == []


def test_the_component_refuses_an_unknown_store() -> None:
    assert make_save_to_project("explorer", Explorer.shown_state) is not None
    with pytest.raises(ValueError):
        make_save_to_project("explorer", "some-other-store")
