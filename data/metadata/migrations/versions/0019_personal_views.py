"""personal views: a member's own named explorer and dashboard views of a cluster

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 21:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "personal_views",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("cluster_id", sa.Integer(),
                  sa.ForeignKey("database_clusters.id", ondelete="CASCADE"), nullable=False),
        sa.Column("page", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.String(length=8000), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "cluster_id", "page", "name",
                            name="uq_personal_views_name"),
    )
    op.create_index("ix_personal_views_user_cluster", "personal_views",
                    ["user_id", "cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_personal_views_user_cluster", table_name="personal_views")
    op.drop_table("personal_views")
