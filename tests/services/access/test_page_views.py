"""What the team and token pages show: invitations only for admins, every token only for
admins and one's own otherwise, owners by e-mail, and one message for an unknown cluster."""

from __future__ import annotations

import pytest

from lyceum.errors import NotFound
from services.access import invitations, tokens
from services.access.page_views import team_view, tokens_view
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import World, build_world


@pytest.fixture
def world(runtime: Runtime) -> World:
    found = build_world(runtime)
    admin = Actor(user_id=found.users["admin"], label="admin@example.com")
    invitations.create_invitation(runtime, cluster_id=found.a, email="new@example.com",
                                  role="viewer", actor=admin, link_base="http://localhost")
    for key in ("admin", "analyst"):
        tokens.create_token(runtime, user_id=found.users[key], cluster_id=found.a,
                            name=f"{key} token", role="viewer", expires_in_days=1,
                            actor=Actor(user_id=found.users[key], label=key))
    return found


def test_the_team_page_shows_members_and_invitations_only_to_admins(runtime: Runtime,
                                                                    world: World) -> None:
    view = team_view(runtime, world.a, is_admin=True)
    assert view.cluster_name.startswith("acc_a_")
    assert sorted((m.email, m.role) for m in view.members) == [
        ("admin@example.com", "admin"), ("analyst@example.com", "analyst"),
        ("editor@example.com", "editor"), ("viewer@example.com", "viewer")]
    assert [i.email for i in view.invitations] == ["new@example.com"]
    assert view.smtp is invitations.smtp_configured(runtime.settings)
    member = team_view(runtime, world.a, is_admin=False)
    assert member.invitations == [] and len(member.members) == 4


def test_the_tokens_page_shows_all_to_admins_and_ones_own_otherwise(runtime: Runtime,
                                                                   world: World) -> None:
    every = tokens_view(runtime, world.a, owner_id=None)
    assert sorted(t.name for t in every.tokens) == ["admin token", "analyst token"]
    assert sorted(every.owners.values()) == ["admin@example.com", "analyst@example.com"]
    own = tokens_view(runtime, world.a, owner_id=world.users["analyst"])
    assert [t.name for t in own.tokens] == ["analyst token"]
    assert own.owners == {world.users["analyst"]: "analyst@example.com"}
    assert tokens_view(runtime, world.a, owner_id=world.users["viewer"]).tokens == []
    assert tokens_view(runtime, world.b, owner_id=None).tokens == []


@pytest.mark.parametrize("show", ["team", "tokens"])
def test_an_unknown_cluster_is_not_found(runtime: Runtime, show: str) -> None:
    with pytest.raises(NotFound, match="^That cluster does not exist.$"):
        if show == "team":
            team_view(runtime, 999_999, is_admin=True)
        else:
            tokens_view(runtime, 999_999, owner_id=None)
