"""A cluster credential's new secret waits, sealed, for its admins until saved or expired;
rotation replaces the secret at once. All audited; refusals change nothing."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import select

from data.analytics.clickhouse import ClickHouseError
from data.metadata import memberships
from data.metadata.audit import list_entries
from data.metadata.cluster_meta import ClusterStateError
from data.metadata.models import utcnow
from data.metadata.models_credentials import PendingClusterSecret
from lyceum.errors import Forbidden, NotAuthenticated, NotFound
from services.clusters import credentials, operations
from services.clusters.console import start_decommission
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.gateway import sql
from tests.access_world import World, build_world

SECRET = secrets.token_urlsafe(32)


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _actor(world: World, key: str) -> Actor:
    return Actor(user_id=world.users[key], label=f"{key}@example.com")


def _with_credential(runtime: Runtime, cluster_id: int, *, mode: str = "app_gateway") -> str:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        cluster.credential_user, cluster.credential_mode = "acc_app", mode
        cluster.credential_hash = runtime.keys.hash_credential(SECRET)
    return SECRET


def _hold(runtime: Runtime, cluster_id: int, *, age: timedelta = timedelta(0)) -> None:
    with runtime.db.session() as session:
        credentials.hold_secret(runtime, session, cluster_id=cluster_id, secret=SECRET,
                                purpose="deploy", now=utcnow() - age)


def _rows(runtime: Runtime) -> list[tuple[int, str]]:
    with runtime.db.session() as session:
        return [(r.cluster_id, r.sealed_secret)
                for r in session.scalars(select(PendingClusterSecret))]


def _actions(runtime: Runtime, cluster_id: int) -> list[tuple[str, str]]:
    with runtime.db.session() as session:
        return [(e.action, e.outcome) for e in list_entries(session, cluster_id=cluster_id)]


def test_the_secret_reads_again_until_saved_then_never(runtime: Runtime, world: World) -> None:
    _with_credential(runtime, world.a)
    _hold(runtime, world.a)
    (stored,) = _rows(runtime)
    assert SECRET not in stored[1]  # sealed, not plain
    admin = _actor(world, "admin")
    for _ in range(3):
        pending = credentials.pending_secret(runtime, world.a, actor=admin)
        assert pending is not None
        assert (pending.secret, pending.username, pending.purpose) == (SECRET, "acc_app",
                                                                       "deploy")
        assert pending.expires_at - pending.created_at == credentials.SECRET_TTL
    credentials.acknowledge_secret(runtime, world.a, actor=admin)
    assert credentials.pending_secret(runtime, world.a, actor=admin) is None
    assert _rows(runtime) == []
    assert ("cluster.secret_saved", "success") in _actions(runtime, world.a)
    with pytest.raises(NotFound) as again:
        credentials.acknowledge_secret(runtime, world.a, actor=admin)
    assert again.value.user_message == credentials.NOTHING_PENDING


def test_a_global_admin_may_read_it(runtime: Runtime, world: World) -> None:
    _hold(runtime, world.a)
    pending = credentials.pending_secret(runtime, world.a, actor=_actor(world, "root"))
    assert pending is not None and pending.secret == SECRET


def test_an_expired_secret_is_erased(runtime: Runtime, world: World) -> None:
    _hold(runtime, world.a, age=credentials.SECRET_TTL + timedelta(seconds=1))
    _hold(runtime, world.b, age=credentials.SECRET_TTL - timedelta(minutes=5))
    admin = _actor(world, "admin")
    assert credentials.pending_secret(runtime, world.a, actor=admin) is None
    assert [cid for cid, _ in _rows(runtime)] == [world.b]
    assert ("cluster.secret_expire", "success") in _actions(runtime, world.a)
    with pytest.raises(NotFound):
        credentials.acknowledge_secret(runtime, world.a, actor=admin)
    later = utcnow() + timedelta(minutes=10)
    assert credentials.purge_expired_secrets(runtime, now=later) == [world.b]
    assert _rows(runtime) == []


@pytest.mark.parametrize("who", ["editor", "analyst", "viewer", "outsider", "b_admin", None])
def test_only_admins_of_the_cluster_read_or_confirm_it(runtime: Runtime, world: World,
                                                       who: str | None) -> None:
    _hold(runtime, world.a)
    actor = Actor(label="anonymous") if who is None else _actor(world, who)
    before = _rows(runtime)
    for call in (credentials.pending_secret, credentials.acknowledge_secret):
        with pytest.raises(Forbidden) as refused:
            call(runtime, world.a, actor=actor)
        assert refused.value.user_message == credentials.ADMINS_ONLY
    assert _rows(runtime) == before


def test_an_admin_demoted_since_cannot_read_it(runtime: Runtime, world: World) -> None:
    _hold(runtime, world.a)
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=world.a, user_id=world.users["admin"],
                               role="viewer", granted_by=None)
    with pytest.raises(Forbidden):
        credentials.pending_secret(runtime, world.a, actor=_actor(world, "admin"))


def test_rotation_revokes_the_old_secret_at_once(runtime: Runtime, world: World) -> None:
    old = _with_credential(runtime, world.a)
    admin = _actor(world, "admin")
    new = credentials.rotate_credential(runtime, world.a, actor=admin)
    assert new.secret != old and len(new.secret) >= 43 and new.purpose == "rotation"
    with pytest.raises(NotAuthenticated):
        sql.authenticate(runtime, cluster_id=world.a, username="acc_app", secret=old)
    assert sql.authenticate(runtime, cluster_id=world.a, username="acc_app",
                                secret=new.secret).cluster_id == world.a
    pending = credentials.pending_secret(runtime, world.a, actor=admin)
    assert pending is not None and pending.secret == new.secret  # a lost response loses nothing
    assert ("cluster.credential_rotate", "success") in _actions(runtime, world.a)
    again = credentials.rotate_credential(runtime, world.a, actor=admin)
    pending = credentials.pending_secret(runtime, world.a, actor=admin)
    assert pending is not None and pending.secret == again.secret != new.secret


def _credential_hash(runtime: Runtime, cluster_id: int) -> str | None:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        return cluster.credential_hash


def test_refused_rotations_change_nothing(runtime: Runtime, world: World) -> None:
    _with_credential(runtime, world.a)
    before = _credential_hash(runtime, world.a)
    with pytest.raises(Forbidden):
        credentials.rotate_credential(runtime, world.a, actor=_actor(world, "editor"))
    with pytest.raises(ClusterStateError, match="no credential to rotate"):
        credentials.rotate_credential(runtime, world.b, actor=_actor(world, "b_admin"))
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, world.a)
        assert cluster is not None
        cluster.status = "failed"
    with pytest.raises(ClusterStateError, match="Only a running cluster can have its "
                                                "credential rotated"):
        credentials.rotate_credential(runtime, world.a, actor=_actor(world, "admin"))
    with pytest.raises(NotFound):
        credentials.rotate_credential(runtime, 999_999, actor=_actor(world, "root"))
    assert _credential_hash(runtime, world.a) == before and _rows(runtime) == []


def test_on_a_server_the_user_is_altered_first(runtime: Runtime, world: World,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    _with_credential(runtime, world.a, mode="clickhouse_user")
    before = _credential_hash(runtime, world.a)
    sent: list[str] = []

    def refuse(statement: str, **_: object) -> None:
        sent.append(statement)
        raise ClickHouseError("ACCESS_DENIED: not enough privileges")

    monkeypatch.setattr(runtime.ch, "command", refuse)
    with pytest.raises(ClickHouseError):
        credentials.rotate_credential(runtime, world.a, actor=_actor(world, "admin"))
    assert len(sent) == 1 and sent[0].startswith("ALTER USER acc_app IDENTIFIED WITH "
                                                 "sha256_password BY '")
    assert _credential_hash(runtime, world.a) == before and _rows(runtime) == []
    assert ("cluster.credential_rotate", "failure") in _actions(runtime, world.a)
    monkeypatch.setattr(runtime.ch, "command", sent.append)
    new = credentials.rotate_credential(runtime, world.a, actor=_actor(world, "admin"))
    assert sent[-1].endswith(f"BY '{new.secret}'")
    assert _credential_hash(runtime, world.a) == runtime.keys.hash_credential(new.secret)


def test_rotation_runs_as_an_operation_and_refusals_start_none(runtime: Runtime,
                                                               world: World) -> None:
    old = _with_credential(runtime, world.a)
    with pytest.raises(Forbidden):
        credentials.start_rotation(runtime, world.a, actor=_actor(world, "editor"))
    with pytest.raises(ClusterStateError, match="no credential to rotate"):
        credentials.start_rotation(runtime, world.b, actor=_actor(world, "b_admin"))
    assert operations.latest(runtime, world.a) is None
    assert operations.latest(runtime, world.b) is None
    admin = _actor(world, "admin")
    done = credentials.start_rotation(runtime, world.a, actor=admin, wait_s=30)
    assert (done.kind, done.state, done.percent) == ("rotation", "done", 100)
    pending = credentials.pending_secret(runtime, world.a, actor=admin)
    assert pending is not None and pending.secret != old and pending.purpose == "rotation"


def test_decommissioning_erases_a_waiting_secret(runtime: Runtime, world: World) -> None:
    _with_credential(runtime, world.a)
    admin = _actor(world, "admin")
    credentials.rotate_credential(runtime, world.a, actor=admin)
    assert credentials.pending_secret(runtime, world.a, actor=admin) is not None
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, world.a)
        assert cluster is not None
        name = cluster.name
    done = start_decommission(runtime, world.a, typed_name=name, actor=admin, wait_s=60)
    assert done.state == "done"
    assert credentials.pending_secret(runtime, world.a, actor=admin) is None
