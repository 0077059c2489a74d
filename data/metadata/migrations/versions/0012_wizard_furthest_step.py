"""wizard: remember the furthest step a draft reached, so its steps can be revisited

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("wizard_drafts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("furthest_step", sa.Integer(), nullable=False,
                                      server_default="1"))
    op.execute("UPDATE wizard_drafts SET furthest_step = step")


def downgrade() -> None:
    with op.batch_alter_table("wizard_drafts", schema=None) as batch_op:
        batch_op.drop_column("furthest_step")
