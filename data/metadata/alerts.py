"""Metadata queries of the live dashboard: alert rules, instances, evaluations, feed switch."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from data.metadata.models import DatabaseCluster
from data.metadata.models_alerts import (
    AlertAcknowledgement,
    AlertInstance,
    AlertRule,
    AlertRuleEvaluation,
    LiveFeedSetting,
)

OPEN_STATES = ("firing", "acknowledged")


def rules(session: Session, cluster_id: int, *, enabled_only: bool = False) -> list[AlertRule]:
    """A cluster's alert rules, oldest first."""
    query = select(AlertRule).where(AlertRule.cluster_id == cluster_id)
    if enabled_only:
        query = query.where(AlertRule.enabled.is_(True))
    return list(session.scalars(query.order_by(AlertRule.id)))


def clusters_with_rules(session: Session) -> list[int]:
    """Ids of running clusters that have at least one enabled rule (a stopped or
    decommissioned cluster answers no queries, so its rules wait until it runs again)."""
    return list(session.scalars(
        select(AlertRule.cluster_id)
        .join(DatabaseCluster, DatabaseCluster.id == AlertRule.cluster_id)
        .where(AlertRule.enabled.is_(True), DatabaseCluster.status == "running",
               DatabaseCluster.decommissioned_at.is_(None))
        .distinct().order_by(AlertRule.cluster_id)))


def demo_clusters(session: Session) -> list[DatabaseCluster]:
    """Running demo clusters."""
    return list(session.scalars(select(DatabaseCluster).where(
        DatabaseCluster.is_demo.is_(True), DatabaseCluster.status == "running",
        DatabaseCluster.decommissioned_at.is_(None)).order_by(DatabaseCluster.id)))


def open_instance(session: Session, rule_id: int, subject: str) -> AlertInstance | None:
    """The firing or acknowledged instance of a rule for one subject, if any."""
    return session.scalars(select(AlertInstance).where(
        AlertInstance.rule_id == rule_id, AlertInstance.subject == subject,
        AlertInstance.state.in_(OPEN_STATES))).first()


def open_instances(session: Session, rule_id: int) -> list[AlertInstance]:
    """Every open instance of a rule."""
    return list(session.scalars(select(AlertInstance).where(
        AlertInstance.rule_id == rule_id, AlertInstance.state.in_(OPEN_STATES))))


def instances(session: Session, cluster_id: int, *, states: Sequence[str],
              limit: int, offset: int = 0) -> tuple[list[AlertInstance], int]:
    """A cluster's alerts in ``states``, newest first, and how many there are."""
    where = (AlertInstance.cluster_id == cluster_id, AlertInstance.state.in_(list(states)))
    total = session.scalar(select(func.count()).select_from(AlertInstance).where(*where)) or 0
    found = session.scalars(select(AlertInstance).where(*where).order_by(
        AlertInstance.fired_at.desc(), AlertInstance.id.desc()).limit(limit).offset(offset))
    return list(found), int(total)


def instance(session: Session, cluster_id: int, alert_id: int) -> AlertInstance | None:
    """One alert of one cluster (``None`` for another cluster's alert)."""
    return session.scalars(select(AlertInstance).where(
        AlertInstance.id == alert_id, AlertInstance.cluster_id == cluster_id)).first()


def acknowledgements(session: Session, alert_ids: Sequence[int]) -> list[AlertAcknowledgement]:
    """Acknowledgements of some alerts, oldest first."""
    if not alert_ids:
        return []
    return list(session.scalars(select(AlertAcknowledgement).where(
        AlertAcknowledgement.alert_id.in_(list(alert_ids))).order_by(AlertAcknowledgement.id)))


def evaluation(session: Session, rule_id: int) -> AlertRuleEvaluation:
    """The evaluation record of a rule (created on first use)."""
    found = session.get(AlertRuleEvaluation, rule_id)
    if found is None:
        found = AlertRuleEvaluation(rule_id=rule_id, cycle=0, runs=0, firing=0, error="")
        session.add(found)
    return found


def feed_setting(session: Session, cluster_id: int) -> LiveFeedSetting | None:
    """The stored demo-feed switch of a cluster, if someone set it."""
    return session.get(LiveFeedSetting, cluster_id)


def add(session: Session, row: object) -> None:
    """Add a row to the unit of work and flush it (ids become known)."""
    session.add(row)
    session.flush()
