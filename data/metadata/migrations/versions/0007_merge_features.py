"""merge the feature branches: team (0003), alerts (0004), imports (0005), explorer (0006)

Revision ID: 0007
Revises: 0003, 0004, 0005, 0006
Create Date: 2026-11-25 08:20:00
"""

from __future__ import annotations

revision = "0007"
down_revision = ("0003", "0004", "0005", "0006")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the branches."""


def downgrade() -> None:
    """Nothing to change: this revision only joins the branches."""
