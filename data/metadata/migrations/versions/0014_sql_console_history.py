"""sql console history: each user's recent statements per cluster

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sql_console_history",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("cluster_id", sa.Integer(),
                  sa.ForeignKey("database_clusters.id", ondelete="CASCADE"), nullable=False),
        sa.Column("sql", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("ran_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sql_console_history_user_cluster", "sql_console_history",
                    ["user_id", "cluster_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_sql_console_history_user_cluster", table_name="sql_console_history")
    op.drop_table("sql_console_history")
