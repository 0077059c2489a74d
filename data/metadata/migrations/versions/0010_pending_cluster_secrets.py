"""pending cluster secrets: a new credential's secret kept (sealed) until it is saved

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pending_cluster_secrets",
        sa.Column("cluster_id", sa.Integer(),
                  sa.ForeignKey("database_clusters.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("sealed_secret", sa.Text(), nullable=False),
        sa.Column("created_by", sa.Integer(),
                  sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_pending_cluster_secrets_expires_at", "pending_cluster_secrets",
                    ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_cluster_secrets_expires_at", table_name="pending_cluster_secrets")
    op.drop_table("pending_cluster_secrets")
