"""live dashboard: alert rules, instances, acknowledgements, evaluations, demo-feed switch

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25 08:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None

_NOW = sa.func.now()


def _user_fk(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"),
                     nullable=True)


def _cluster_fk() -> sa.Column:
    return sa.Column("cluster_id", sa.Integer(),
                     sa.ForeignKey("database_clusters.id", ondelete="CASCADE"), nullable=False)


def upgrade() -> None:
    op.create_table(
        "alert_rules",
        sa.Column("id", sa.Integer(), primary_key=True),
        _cluster_fk(),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("severity", sa.String(length=16), nullable=False, server_default="warning"),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        _user_fk("created_by"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
    )
    op.create_index("ix_alert_rules_cluster_id", "alert_rules", ["cluster_id"])
    op.create_table(
        "alert_instances",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("rule_id", sa.Integer(), sa.ForeignKey("alert_rules.id", ondelete="CASCADE"),
                  nullable=False),
        _cluster_fk(),
        sa.Column("subject", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("state", sa.String(length=16), nullable=False, server_default="firing"),
        sa.Column("severity", sa.String(length=16), nullable=False, server_default="warning"),
        sa.Column("message", sa.Text(), nullable=False, server_default=""),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("process", sa.String(length=40), nullable=False, server_default=""),
        sa.Column("curve_ids", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=True),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=_NOW),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_alert_instances_rule_id", "alert_instances", ["rule_id"])
    op.create_index("ix_alert_instances_cluster_state", "alert_instances",
                    ["cluster_id", "state"])
    op.create_table(
        "alert_acknowledgements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("alert_id", sa.Integer(),
                  sa.ForeignKey("alert_instances.id", ondelete="CASCADE"), nullable=False),
        _user_fk("user_id"),
        sa.Column("user_label", sa.String(length=254), nullable=False, server_default=""),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
    )
    op.create_index("ix_alert_acknowledgements_alert_id", "alert_acknowledgements",
                    ["alert_id"])
    op.create_table(
        "alert_rule_evaluations",
        sa.Column("rule_id", sa.Integer(), sa.ForeignKey("alert_rules.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=_NOW),
        sa.Column("cycle", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("runs", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("firing", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
    )
    op.create_table(
        "live_feed_settings",
        sa.Column("cluster_id", sa.Integer(),
                  sa.ForeignKey("database_clusters.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("enabled", sa.Boolean(), nullable=False, server_default=sa.true()),
        _user_fk("updated_by"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
    )


def downgrade() -> None:
    op.drop_table("live_feed_settings")
    op.drop_table("alert_rule_evaluations")
    op.drop_index("ix_alert_acknowledgements_alert_id", table_name="alert_acknowledgements")
    op.drop_table("alert_acknowledgements")
    op.drop_index("ix_alert_instances_cluster_state", table_name="alert_instances")
    op.drop_index("ix_alert_instances_rule_id", table_name="alert_instances")
    op.drop_table("alert_instances")
    op.drop_index("ix_alert_rules_cluster_id", table_name="alert_rules")
    op.drop_table("alert_rules")
