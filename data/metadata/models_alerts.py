"""Metadata tables of the live dashboard: alert rules, alert instances, acknowledgements,
the evaluator's last evaluation per rule, and the demo-feed switch per cluster."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow

#: Rule kinds an alert rule may have.
RULE_KINDS: tuple[str, ...] = ("feature_spec", "spc_rule", "yield_below", "station_stopped")
#: Alert states, in lifecycle order.
ALERT_STATES: tuple[str, ...] = ("firing", "acknowledged", "resolved")
SEVERITIES: tuple[str, ...] = ("info", "warning", "critical")


class AlertRule(Base):
    """One rule of a cluster: what to watch (``kind`` + ``params``) and how loud to be."""

    __tablename__ = "alert_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertInstance(Base):
    """One occurrence of a rule for one subject (a line, a station, a feature), with state."""

    __tablename__ = "alert_instances"
    __table_args__ = (Index("ix_alert_instances_cluster_state", "cluster_id", "state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("alert_rules.id", ondelete="CASCADE"),
                                         index=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[str] = mapped_column(String(16), default="firing")
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    message: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[float | None] = mapped_column(Float, default=None)
    process: Mapped[str] = mapped_column(String(40), default="")
    curve_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    window_start: Mapped[datetime | None] = mapped_column(default=None)
    window_end: Mapped[datetime | None] = mapped_column(default=None)
    fired_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)


class AlertAcknowledgement(Base):
    """An editor's acknowledgement of an alert, with their comment."""

    __tablename__ = "alert_acknowledgements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alert_id: Mapped[int] = mapped_column(
        ForeignKey("alert_instances.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    user_label: Mapped[str] = mapped_column(String(254), default="")
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertRuleEvaluation(Base):
    """The evaluator's latest run of one rule: when, how many runs, and what it found."""

    __tablename__ = "alert_rule_evaluations"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("alert_rules.id", ondelete="CASCADE"), primary_key=True)
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    firing: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")


class LiveFeedSetting(Base):
    """Whether the demo feed inserts into a cluster (absent row: on for demo clusters)."""

    __tablename__ = "live_feed_settings"

    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
