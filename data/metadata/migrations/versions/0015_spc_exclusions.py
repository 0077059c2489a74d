"""spc exclusions: subgroups an editor took out of a feature's control limits

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "spc_exclusions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("cluster_id", sa.Integer(),
                  sa.ForeignKey("database_clusters.id", ondelete="CASCADE"), nullable=False),
        sa.Column("process", sa.String(length=100), nullable=False),
        sa.Column("feature", sa.String(length=100), nullable=False),
        sa.Column("batch", sa.String(length=32), nullable=False),
        sa.Column("curve_id", sa.BigInteger(), nullable=False),
        sa.Column("point_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("excluded_by", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("excluded_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.UniqueConstraint("cluster_id", "process", "feature", "curve_id",
                            name="uq_spc_exclusions_curve"),
    )
    op.create_index("ix_spc_exclusions_cluster_id", "spc_exclusions", ["cluster_id"])
    op.create_index("ix_spc_exclusions_batch", "spc_exclusions", ["batch"])


def downgrade() -> None:
    op.drop_index("ix_spc_exclusions_batch", table_name="spc_exclusions")
    op.drop_index("ix_spc_exclusions_cluster_id", table_name="spc_exclusions")
    op.drop_table("spc_exclusions")
