"""Name the analytics template's starting chart after no plant's process.

The template's chart was named after the demo plant's press-fit process, so every cluster's
new project showed it; it is now "Curve overlay" (the explorer opens the cluster's first
process).

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_TYPES = sa.table("project_types", sa.column("code", sa.String),
                  sa.column("default_assets", sa.JSON))
_CODE = "manufacturing_analytics"


def _set_chart(old: str, new: str) -> None:
    bind = op.get_bind()
    row = bind.execute(sa.select(_TYPES.c.default_assets).where(_TYPES.c.code == _CODE)).first()
    if row is None or not isinstance(row[0], dict):
        return
    assets = dict(row[0])
    assets["charts"] = [new if c == old else c for c in assets.get("charts", [])]
    bind.execute(_TYPES.update().where(_TYPES.c.code == _CODE).values(default_assets=assets))


def upgrade() -> None:
    """Rename the starting chart."""
    _set_chart("Press-fit overlay", "Curve overlay")


def downgrade() -> None:
    """Give the starting chart its former name."""
    _set_chart("Curve overlay", "Press-fit overlay")
