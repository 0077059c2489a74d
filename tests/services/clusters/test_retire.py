"""Hiding a decommissioned cluster from the overview, and purging it: refusals change
nothing; a purge drops the engine's data and the cluster's records, keeps its row, its
team and the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from data.metadata import memberships
from data.metadata.cluster_meta import ClusterStateError
from data.metadata.models import AuditEntry, ClusterAccessToken, ClusterEvent, User
from lyceum.errors import NotFound, ValidationError
from services.clusters import operations, retire
from services.clusters.console import decommission
from services.clusters.overview import cluster_cards
from services.core.runtime import Runtime
from tests.services.clusters.console_world import OPS, make_cluster, reload


def _decommissioned(rt: Runtime, database: str) -> int:
    cluster = make_cluster(rt, database)
    decommission(rt, cluster.id, typed_name=cluster.name, actor=OPS)
    return cluster.id


def _count(rt: Runtime, model: type, cluster_id: int) -> int:
    with rt.db.session() as session:
        column = getattr(model, "cluster_id")  # noqa: B009 - the same column on each model
        return session.scalar(select(func.count()).select_from(model).where(
            column == cluster_id)) or 0


def _overview_ids(rt: Runtime) -> set[int]:
    return {card.id for card in cluster_cards(rt, user_id=0, is_admin=True)}


def test_a_decommissioned_cluster_hides_from_the_overview_and_comes_back(
        rt: Runtime, ch_database: str) -> None:
    cid = _decommissioned(rt, ch_database)
    assert cid in _overview_ids(rt)
    assert retire.set_hidden(rt, cid, hidden=True, actor=OPS) is True
    assert cid not in _overview_ids(rt) and reload(rt, cid).hidden_at is not None
    assert retire.set_hidden(rt, cid, hidden=True, actor=OPS) is True  # nothing new audited
    assert retire.set_hidden(rt, cid, hidden=False, actor=OPS) is False
    assert cid in _overview_ids(rt)
    with rt.db.session() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.cluster_id == cid, AuditEntry.action.in_(("cluster.hide",
                                                                 "cluster.show")))))
    assert actions == ["cluster.hide", "cluster.show"]


@pytest.mark.parametrize("hidden", ["yes", None, 1])
def test_hiding_takes_only_true_or_false(rt: Runtime, ch_database: str,
                                         hidden: object) -> None:
    cid = _decommissioned(rt, ch_database)
    with pytest.raises(ValidationError, match="true or false"):
        retire.set_hidden(rt, cid, hidden=hidden, actor=OPS)
    assert reload(rt, cid).hidden_at is None


def test_a_running_cluster_is_neither_hidden_nor_purged(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    with pytest.raises(ClusterStateError, match="Only a decommissioned or purged cluster"):
        retire.set_hidden(rt, cluster.id, hidden=True, actor=OPS)
    with pytest.raises(ClusterStateError, match="Only a decommissioned cluster can be purged"):
        retire.start_purge(rt, cluster.id, typed_name=cluster.name, actor=OPS)
    with pytest.raises(NotFound):
        retire.start_purge(rt, cluster.id + 1000, typed_name=cluster.name, actor=OPS)
    assert operations.latest(rt, cluster.id) is None
    assert rt.ch.scalar(f"SELECT count() FROM system.tables WHERE database = "
                        f"'{ch_database}'") > 0
    assert reload(rt, cluster.id).status == "running"


def test_a_wrong_name_purges_nothing(rt: Runtime, ch_database: str) -> None:
    cid = _decommissioned(rt, ch_database)
    with pytest.raises(ValidationError, match="name exactly"):
        retire.start_purge(rt, cid, typed_name="nope", actor=OPS)
    assert operations.latest(rt, cid) is None
    assert reload(rt, cid).status == "decommissioned" and _count(rt, ClusterEvent, cid) > 0


def test_a_purge_deletes_the_records_and_keeps_row_team_and_audit(
        rt: Runtime, ch_database: str) -> None:
    cid = _decommissioned(rt, ch_database)
    with rt.db.session() as session:
        user = User(email="purge-admin@example.com", password_hash="x")
        session.add(user)
        session.flush()
        user_id = user.id
        memberships.set_member(session, cluster_id=cid, user_id=user_id, role="admin",
                               granted_by=None)
        session.add(ClusterAccessToken(user_id=user_id, cluster_id=cid, name="ingest",
                                       prefix="lyc_test", token_hash="h" * 64, role="viewer"))
    audited = _count(rt, AuditEntry, cid)
    rt.ch.command(f"CREATE DATABASE IF NOT EXISTS {ch_database}")  # left behind, say
    done = retire.start_purge(rt, cid, typed_name=reload(rt, cid).name, actor=OPS, wait_s=60)
    assert (done.kind, done.state, done.done, done.total) == ("purge", "done", 2, 2)
    assert done.message.startswith("Purged: the engine's data and ")
    cluster = reload(rt, cid)
    assert cluster.status == "purged" and cluster.hidden_at is not None
    assert _count(rt, ClusterEvent, cid) == 0 and _count(rt, ClusterAccessToken, cid) == 0
    with rt.db.session() as session:
        assert memberships.roles_by_cluster(session, user_id=user_id) == {cid: "admin"}
    assert _count(rt, AuditEntry, cid) == audited + 1
    assert rt.ch.scalar(f"SELECT count() FROM system.databases WHERE name = "
                        f"'{ch_database}'") == 0
    assert cid not in _overview_ids(rt)
