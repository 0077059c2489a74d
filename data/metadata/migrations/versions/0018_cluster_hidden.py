"""clusters: when an admin hid a decommissioned cluster from the overview

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 21:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("database_clusters") as batch:
        batch.add_column(sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("database_clusters") as batch:
        batch.drop_column("hidden_at")
