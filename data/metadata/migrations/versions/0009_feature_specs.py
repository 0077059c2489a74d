"""spec limits: a cluster's own LSL/USL per (process, feature)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feature_specs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cluster_id", sa.Integer(),
                  sa.ForeignKey("database_clusters.id", ondelete="CASCADE"), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.Column("feature", sa.String(length=100), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False, server_default=""),
        sa.Column("lsl", sa.Float(), nullable=True),
        sa.Column("usl", sa.Float(), nullable=True),
        sa.Column("updated_by", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("cluster_id", "process", "feature",
                            name="uq_feature_specs_cluster_process_feature"),
    )
    op.create_index("ix_feature_specs_cluster_id", "feature_specs", ["cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_feature_specs_cluster_id", table_name="feature_specs")
    op.drop_table("feature_specs")
