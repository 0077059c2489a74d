"""The cluster console's content: the new credential secret only for the cluster's current
admins, usage and health only while running, plain cluster fields without the credential
hash, and one message for a cluster that does not exist."""

from __future__ import annotations

import pytest

from data.metadata import memberships
from lyceum.errors import NotFound
from services.clusters.console_view import CREDENTIAL_MODES, cluster_fields, console_view
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.access_world import World, build_world, give_app_credential

SECRET = "a-new-secret-of-forty-characters-or-so-000"


@pytest.fixture
def world(runtime: Runtime) -> World:
    found = build_world(runtime)
    give_app_credential(runtime, found.a, SECRET)
    return found


def _actor(world: World, key: str) -> Actor:
    return Actor(user_id=world.users[key], label=f"{key}@example.com")


def test_only_a_current_admin_sees_the_waiting_secret(runtime: Runtime, world: World) -> None:
    view = console_view(runtime, world.a, role="admin", actor=_actor(world, "admin"))
    assert view.pending_secret is not None and view.pending_secret.secret == SECRET
    assert view.pending_secret.username == "acc_app"
    assert view.credential_text == CREDENTIAL_MODES["app_gateway"]
    assert console_view(runtime, world.a, role="editor",
                        actor=_actor(world, "editor")).pending_secret is None
    assert console_view(runtime, world.a, role="admin").pending_secret is None
    # an admin role claimed by someone who is not (any longer) the cluster's admin
    assert console_view(runtime, world.a, role="admin",
                        actor=_actor(world, "viewer")).pending_secret is None


def test_a_running_cluster_shows_usage_health_and_limits(runtime: Runtime,
                                                         world: World) -> None:
    view = console_view(runtime, world.a, role="viewer")
    assert view.cluster.id == world.a and view.role == "viewer"
    assert view.health is not None and view.problems == []
    assert view.limits and view.operation is None and not view.busy
    assert view.state_key == "running"


def test_a_stopped_cluster_shows_no_usage_or_health(runtime: Runtime, world: World) -> None:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, world.b)
        assert cluster is not None
        cluster.status, cluster.credential_mode = "stopped", ""
    view = console_view(runtime, world.b, role="admin", actor=_actor(world, "b_admin"))
    assert (view.usage, view.trend, view.health) == ([], [], None)
    assert view.state_key == "stopped" and view.credential_text == "No credential yet."


def test_an_unknown_cluster_is_not_found(runtime: Runtime) -> None:
    with pytest.raises(NotFound, match="^That cluster does not exist.$"):
        console_view(runtime, 999_999, role="admin")


def test_cluster_fields_are_plain_and_never_the_credential_hash(runtime: Runtime,
                                                                 world: World) -> None:
    view = console_view(runtime, world.a, role="editor")
    fields = cluster_fields(view.cluster, role="editor")
    assert fields["your_role"] == "editor" and fields["id"] == world.a
    assert fields["credential_user"] == "acc_app" and fields["status"] == "running"
    assert "credential_hash" not in fields
    assert view.cluster.credential_hash and view.cluster.credential_hash not in str(fields)
    assert SECRET not in str(fields)
