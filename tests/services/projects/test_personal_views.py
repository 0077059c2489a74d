"""Personal saved views: each member keeps their own; every address is checked as its page
checks it before anything is saved; forged ones change nothing."""

from __future__ import annotations

import pytest

from lyceum.errors import NotFound, ValidationError
from services.core.runtime import Runtime
from services.explorer.state import ExplorerState, decode_state, encode_state
from services.projects import personal_views as views
from tests.access_world import World, build_world

STATE = ExplorerState(process="press-fit", x_range=(1.0, 2.5), results=("NOK",))


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _mine(runtime: Runtime, world: World, who: str = "analyst",
          page: str = "explorer") -> list[views.SavedView]:
    return views.list_views(runtime, world.a, user_id=world.users[who], page=page)


def test_an_explorer_view_reopens_its_state_and_is_only_its_owners(runtime: Runtime,
                                                                    world: World) -> None:
    saved = views.save_view(runtime, world.a, user_id=world.users["analyst"], page="explorer",
                            name="NOK zoom", search=f"?s={encode_state(STATE)}")
    assert saved.url.startswith(f"/clusters/{world.a}/explorer?s=")
    assert decode_state(saved.url.split("?s=", 1)[1]) == STATE
    assert [v.name for v in _mine(runtime, world)] == ["NOK zoom"]
    assert _mine(runtime, world, "editor") == []
    assert views.list_views(runtime, world.b, user_id=world.users["analyst"],
                            page="explorer") == []
    with pytest.raises(NotFound, match="not one of yours"):
        views.remove_view(runtime, world.a, user_id=world.users["editor"], view_id=saved.id)
    views.remove_view(runtime, world.a, user_id=world.users["analyst"], view_id=saved.id)
    assert _mine(runtime, world) == []


def test_the_same_name_replaces_the_view(runtime: Runtime, world: World) -> None:
    user = world.users["analyst"]
    views.save_view(runtime, world.a, user_id=user, page="dashboard", name="Week",
                    search="?window=7d")
    again = views.save_view(runtime, world.a, user_id=user, page="dashboard", name="Week",
                            search="?window=1h")
    assert [v.url for v in _mine(runtime, world, page="dashboard")] == [again.url]
    assert again.url == f"/clusters/{world.a}/dashboard?window=1h"


@pytest.mark.parametrize("page, name, search, message", [
    ("explorer", "Bad", "?s=1AAAA", "not valid"),
    ("explorer", "Bad", "?s=" + "A" * 9_000, "too long"),
    ("dashboard", "Bad", "?window=7d&line=Nowhere", "does not have"),
    ("dashboard", "Bad", "?window=1y", "does not have"),
    ("explorer", "", "", "Name the view"),
    ("explorer", "<script>", "", "Name the view"),
    ("sql", "Bad", "", "explorer or the dashboard"),
])
def test_forged_views_are_refused_and_nothing_is_saved(runtime: Runtime, world: World,
                                                       page: str, name: str, search: str,
                                                       message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        views.save_view(runtime, world.a, user_id=world.users["analyst"], page=page,
                        name=name, search=search)
    assert _mine(runtime, world) == [] and _mine(runtime, world, page="dashboard") == []


def test_a_member_keeps_a_bounded_number_of_views(runtime: Runtime, world: World,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "MAX_VIEWS", 2)
    user = world.users["analyst"]
    for name in ("One", "Two"):
        views.save_view(runtime, world.a, user_id=user, page="explorer", name=name, search="")
    with pytest.raises(ValidationError, match="2 views of this cluster already"):
        views.save_view(runtime, world.a, user_id=user, page="explorer", name="Three",
                        search="")
    views.save_view(runtime, world.a, user_id=user, page="explorer", name="Two", search="")
    assert [v.url for v in _mine(runtime, world)] == [f"/clusters/{world.a}/explorer"] * 2
