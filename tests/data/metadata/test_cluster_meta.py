"""The cluster console's metadata: a cluster in an allowed state, clusters by status, usage
samples, the event timeline, and the purge of every row that belongs to a cluster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.metadata import cluster_meta
from data.metadata.cluster_meta import ClusterStateError
from data.metadata.db import Database
from data.metadata.models import (
    AuditEntry,
    ClusterEvent,
    ClusterProject,
    ClusterTeamAccess,
    ClusterUsageMetric,
    DatabaseCluster,
    ProjectAsset,
)
from data.metadata.models_alerts import AlertAcknowledgement, AlertInstance, AlertRule
from data.metadata.models_specs import FeatureSpec
from lyceum.errors import NotFound
from tests.data.metadata import rows

T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_require_cluster_checks_existence_then_status(db: Database) -> None:
    with db.session() as session:
        line = rows.cluster(session, "line", status="stopped")
        assert cluster_meta.require_cluster(session, line.id) is line
        assert cluster_meta.require_cluster(session, line.id, allowed=("stopped",)) is line
        for missing in (999, "1", None):
            with pytest.raises(NotFound) as absent:
                cluster_meta.require_cluster(session, missing)  # type: ignore[arg-type]
            assert absent.value.user_message == "That cluster does not exist."
        with pytest.raises(ClusterStateError) as wrong:
            cluster_meta.require_cluster(session, line.id, allowed=iter(["running", "failed"]),
                                         action="be queried")
        assert wrong.value.user_message == \
            "Only a running or failed cluster can be queried; line is stopped."
        assert wrong.value.status_code == 409
        with pytest.raises(ClusterStateError, match="can do this; line is stopped"):
            cluster_meta.require_cluster(session, line.id, allowed=[])


def test_status_usage_and_events(db: Database) -> None:
    with db.session() as session:
        a = rows.cluster(session, "a", status="running")
        b = rows.cluster(session, "b", status="stopped")
        c = rows.cluster(session, "c", status="running")
        assert cluster_meta.clusters_with_status(session, "running") == [a, c]
        assert cluster_meta.clusters_with_status(session, "failed") == []
        assert cluster_meta.add_usage_samples(session, (
            ClusterUsageMetric(cluster_id=cid, tier=tier, rows=n, sampled_at=T0 + timedelta(
                hours=h)) for cid, tier, n, h in [(a.id, "hot", 5, 2), (a.id, "cold", 7, 1),
                                                 (a.id, "hot", 1, 0), (b.id, "hot", 9, 2)])) \
            == 4
        assert cluster_meta.add_usage_samples(session, []) == 0
        found = cluster_meta.usage_since(session, cluster_id=a.id, since=T0 + timedelta(hours=1))
        assert [(u.tier, u.rows) for u in found] == [("cold", 7), ("hot", 5)]
        for kind, minutes in [("start", 0), ("stop", 10), ("start", 20)]:
            cluster_meta.add_event(session, cluster_id=a.id, kind=kind, message=kind,
                                   at=T0 + timedelta(minutes=minutes))
        now = cluster_meta.add_event(session, cluster_id=a.id, kind="note", message="m",
                                     detail={"k": 1})
        assert now.at > T0 and now.detail == {"k": 1}
        assert [e.kind for e in cluster_meta.list_events(session, cluster_id=a.id, limit=3)] \
            == ["note", "start", "stop"]
        starts = cluster_meta.list_events(session, cluster_id=a.id, limit=5, kind="start")
        assert [e.at for e in starts] == [T0 + timedelta(minutes=20), T0]
        assert cluster_meta.list_events(session, cluster_id=b.id, limit=5) == []


def _fill(session: Session, cluster: DatabaseCluster, user_id: int) -> None:
    rule = AlertRule(cluster_id=cluster.id, name="r", kind="yield_below")
    project = ClusterProject(cluster_id=cluster.id, name="p", project_type="custom")
    session.add_all([rule, project,
                     ClusterTeamAccess(cluster_id=cluster.id, user_id=user_id, role="admin"),
                     ClusterEvent(cluster_id=cluster.id, kind="k"),
                     ClusterEvent(cluster_id=cluster.id, kind="k"),
                     ClusterUsageMetric(cluster_id=cluster.id, tier="hot"),
                     FeatureSpec(cluster_id=cluster.id, process="p", feature="f"),
                     AuditEntry(action="x", cluster_id=cluster.id, outcome="ok")])
    session.flush()
    alert = AlertInstance(rule_id=rule.id, cluster_id=cluster.id)
    session.add_all([alert, ProjectAsset(project_id=project.id, asset_type="chart", name="c")])
    session.flush()
    session.add(AlertAcknowledgement(alert_id=alert.id, comment="seen"))
    session.flush()


def _count(session: Session, model: type, **where: int) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return int(session.scalar(query) or 0)


def test_purge_removes_the_clusters_rows_and_keeps_team_audit_and_others(db: Database) -> None:
    with db.session() as session:
        ada = rows.user(session, "ada")
        gone, kept = rows.cluster(session, "gone"), rows.cluster(session, "kept")
        _fill(session, gone, ada.id)
        _fill(session, kept, ada.id)
        session.commit()
        counts = cluster_meta.purge_cluster_rows(session, gone.id)
        assert counts == {"alert_rules": 1, "alert_instances": 1, "cluster_projects": 1,
                          "cluster_events": 2, "cluster_usage_metrics": 1, "feature_specs": 1}
        session.commit()
    with db.session() as session:
        assert session.get(DatabaseCluster, gone.id) is not None
        assert _count(session, ClusterTeamAccess, cluster_id=gone.id) == 1
        assert _count(session, AuditEntry, cluster_id=gone.id) == 1
        assert _count(session, ProjectAsset) == 1  # hung off the purged project: cascaded
        assert _count(session, AlertAcknowledgement) == 1
        for model in (AlertRule, AlertInstance, ClusterProject, ClusterEvent,
                      ClusterUsageMetric, FeatureSpec):
            assert _count(session, model, cluster_id=gone.id) == 0
            assert _count(session, model, cluster_id=kept.id) >= 1
        assert cluster_meta.purge_cluster_rows(session, gone.id) == {}
