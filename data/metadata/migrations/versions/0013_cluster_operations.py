"""cluster operations: long work on a cluster (a retention change) with its progress

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

ONE_RUNNING = sa.text("state = 'running'")


def upgrade() -> None:
    op.create_table(
        "cluster_operations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("actor_label", sa.String(length=320), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_cluster_operations_cluster_id", "cluster_operations", ["cluster_id"])
    op.create_index("uq_cluster_operations_running", "cluster_operations", ["cluster_id"],
                    unique=True, sqlite_where=ONE_RUNNING, postgresql_where=ONE_RUNNING)


def downgrade() -> None:
    op.drop_index("uq_cluster_operations_running", table_name="cluster_operations")
    op.drop_index("ix_cluster_operations_cluster_id", table_name="cluster_operations")
    op.drop_table("cluster_operations")
