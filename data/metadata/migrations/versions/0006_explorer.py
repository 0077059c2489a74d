"""curve explorer: golden curves (named, versioned per cluster and process)

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-25 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "golden_curves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("process", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("method", sa.String(length=32), nullable=False, server_default="median"),
        sa.Column("n_curves", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("built_from", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("curve", sa.JSON(), nullable=False, server_default=sa.text("'{}'")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster_id", "process", "name", "version",
                            name="uq_golden_curves_version"),
    )
    op.create_index("ix_golden_curves_cluster_id", "golden_curves", ["cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_golden_curves_cluster_id", table_name="golden_curves")
    op.drop_table("golden_curves")
