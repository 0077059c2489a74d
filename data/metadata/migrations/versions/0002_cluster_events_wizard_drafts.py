"""cluster events, wizard drafts, provisioning progress

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 07:51:50.647667
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wizard_drafts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "cluster_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cluster_events", schema=None) as batch_op:
        batch_op.create_index("ix_events_cluster_time", ["cluster_id", "at"], unique=False)

    with op.batch_alter_table("database_clusters", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("credential_mode", sa.String(length=20), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("progress", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("database_clusters", schema=None) as batch_op:
        batch_op.drop_column("progress")
        batch_op.drop_column("credential_mode")

    with op.batch_alter_table("cluster_events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_cluster_time")

    op.drop_table("cluster_events")
    op.drop_table("wizard_drafts")
