"""import jobs and report jobs

Revision ID: 0005
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False, server_default=""),
        sa.Column("kind", sa.String(length=16), nullable=False, server_default="curves"),
        sa.Column("file_format", sa.String(length=16), nullable=False, server_default="csv"),
        sa.Column("source", sa.String(length=16), nullable=False, server_default="upload"),
        sa.Column("status", sa.String(length=16), nullable=False, server_default="queued"),
        sa.Column("progress", sa.Float(), nullable=False, server_default="0"),
        sa.Column("rows", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("message", sa.Text(), nullable=False, server_default=""),
        sa.Column("errors", sa.JSON(), nullable=False, server_default="[]"),
        sa.Column("mapping", sa.JSON(), nullable=False, server_default="{}"),
        sa.Column("batch_id", sa.String(length=120), nullable=True),
        sa.Column("path", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster_id", "batch_id", name="uq_import_cluster_batch"),
    )
    op.create_index("ix_import_cluster_time", "import_jobs", ["cluster_id", "created_at"])
    op.create_index("ix_import_jobs_status", "import_jobs", ["status"])
    op.create_table(
        "report_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("source_asset_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=120), nullable=False, server_default=""),
        sa.Column("status", sa.String(length=16), nullable=False, server_default="queued"),
        sa.Column("progress", sa.Float(), nullable=False, server_default="0"),
        sa.Column("message", sa.Text(), nullable=False, server_default=""),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["project_id"], ["cluster_projects.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_report_jobs_cluster_id", "report_jobs", ["cluster_id"])


def downgrade() -> None:
    op.drop_index("ix_report_jobs_cluster_id", table_name="report_jobs")
    op.drop_table("report_jobs")
    op.drop_index("ix_import_jobs_status", table_name="import_jobs")
    op.drop_index("ix_import_cluster_time", table_name="import_jobs")
    op.drop_table("import_jobs")
