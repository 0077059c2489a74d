"""audit chain head: one row that serialises appends to the hash chain across processes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 09:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False, server_default=""),
        sa.Column("entries", sa.BigInteger(), nullable=False, server_default="0"),
        sa.PrimaryKeyConstraint("id"),
    )
    bind = op.get_bind()
    last = bind.execute(sa.text(
        "SELECT entry_hash FROM cluster_audit_log ORDER BY id DESC LIMIT 1")).scalar()
    count = bind.execute(sa.text("SELECT count(*) FROM cluster_audit_log")).scalar()
    op.bulk_insert(head, [{"id": 1, "last_hash": last or "", "entries": count or 0}])


def downgrade() -> None:
    op.drop_table("audit_chain_head")
