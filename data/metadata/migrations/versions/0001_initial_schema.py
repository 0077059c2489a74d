"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-25 07:44:32.140149
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cluster_audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_user_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("target_type", sa.String(length=40), nullable=False),
        sa.Column("target_id", sa.String(length=120), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cluster_audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_action_time", ["action", "created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cluster_audit_log_actor_user_id"), ["actor_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cluster_audit_log_cluster_id"), ["cluster_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cluster_audit_log_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "cluster_regions",
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("location", sa.String(length=120), nullable=False),
        sa.Column("price_factor", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "project_types",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("default_assets", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("code"),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("oidc_issuer", sa.String(length=255), nullable=True),
        sa.Column("oidc_subject", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("email"),
        sa.UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc"),
    )
    op.create_table(
        "database_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=63), nullable=False),
        sa.Column("database_name", sa.String(length=63), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("cluster_type", sa.String(length=32), nullable=False),
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_reason", sa.Text(), nullable=False),
        sa.Column("nodes", sa.Integer(), nullable=False),
        sa.Column("vcpu_per_node", sa.Integer(), nullable=False),
        sa.Column("memory_gb_per_node", sa.Integer(), nullable=False),
        sa.Column("storage", sa.JSON(), nullable=False),
        sa.Column("retention", sa.JSON(), nullable=False),
        sa.Column("query_limits", sa.JSON(), nullable=False),
        sa.Column("credential_user", sa.String(length=63), nullable=False),
        sa.Column("credential_hash", sa.String(length=255), nullable=True),
        sa.Column("monthly_estimate", sa.Float(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decommissioned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["cluster_regions.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("database_name"),
        sa.UniqueConstraint("name"),
    )
    with op.batch_alter_table("database_clusters", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_database_clusters_status"), ["status"], unique=False)

    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("user_agent", sa.String(length=255), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_sessions_user_id"), ["user_id"], unique=False)

    op.create_table(
        "cluster_access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("cluster_access_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_access_tokens_cluster_id"), ["cluster_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cluster_access_tokens_prefix"), ["prefix"], unique=False
        )

    op.create_table(
        "cluster_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("project_type", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(
            ["project_type"],
            ["project_types.code"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cluster_projects", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_projects_cluster_id"), ["cluster_id"], unique=False
        )

    op.create_table(
        "cluster_team_access",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("granted_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("cluster_id", "user_id", name="uq_team_cluster_user"),
    )
    with op.batch_alter_table("cluster_team_access", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cluster_team_access_cluster_id"), ["cluster_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_cluster_team_access_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "cluster_usage_metrics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.Column("sampled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("rows", sa.BigInteger(), nullable=False),
        sa.Column("bytes_on_disk", sa.BigInteger(), nullable=False),
        sa.Column("bytes_uncompressed", sa.BigInteger(), nullable=False),
        sa.Column("parts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["cluster_id"], ["database_clusters.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("cluster_usage_metrics", schema=None) as batch_op:
        batch_op.create_index("ix_usage_cluster_time", ["cluster_id", "sampled_at"], unique=False)

    op.create_table(
        "project_assets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("asset_type", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("config", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
        ),
        sa.ForeignKeyConstraint(["project_id"], ["cluster_projects.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("project_assets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_assets_project_id"), ["project_id"], unique=False
        )

    _seed_reference_data()


def _seed_reference_data() -> None:
    regions = sa.table(
        "cluster_regions",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("provider", sa.String),
        sa.column("location", sa.String),
        sa.column("price_factor", sa.Float),
    )
    op.bulk_insert(
        regions,
        [
            {
                "code": "local",
                "name": "This machine (embedded)",
                "provider": "local",
                "location": "the app's own host",
                "price_factor": 1.0,
            },
            {
                "code": "eu-central",
                "name": "EU Central (Frankfurt)",
                "provider": "cloud",
                "location": "Frankfurt, DE",
                "price_factor": 1.08,
            },
            {
                "code": "eu-west",
                "name": "EU West (Ireland)",
                "provider": "cloud",
                "location": "Dublin, IE",
                "price_factor": 1.04,
            },
            {
                "code": "us-east",
                "name": "US East (Virginia)",
                "provider": "cloud",
                "location": "Ashburn, US",
                "price_factor": 1.0,
            },
            {
                "code": "us-west",
                "name": "US West (Oregon)",
                "provider": "cloud",
                "location": "Portland, US",
                "price_factor": 1.02,
            },
            {
                "code": "ap-southeast",
                "name": "Asia Pacific (Singapore)",
                "provider": "cloud",
                "location": "Singapore, SG",
                "price_factor": 1.15,
            },
        ],
    )
    types = sa.table(
        "project_types",
        sa.column("code", sa.String),
        sa.column("name", sa.String),
        sa.column("description", sa.Text),
        sa.column("default_assets", sa.JSON),
    )
    op.bulk_insert(
        types,
        [
            {
                "code": "manufacturing_analytics",
                "name": "Manufacturing analytics",
                "description": "Process curves and KPIs across lines and stations.",
                "default_assets": {
                    "dashboards": ["Line overview"],
                    "charts": ["Press-fit overlay"],
                    "alerts": [],
                    "reports": [],
                },
            },
            {
                "code": "quality_control",
                "name": "Quality control",
                "description": "SPC charts, yield and defect tracking with alerts.",
                "default_assets": {
                    "dashboards": ["Quality live"],
                    "charts": [],
                    "alerts": ["Yield below 95 %"],
                    "reports": ["Weekly quality"],
                },
            },
            {
                "code": "predictive_maintenance",
                "name": "Predictive maintenance",
                "description": "Drift in curve features and station stops, caught early.",
                "default_assets": {
                    "dashboards": ["Station health"],
                    "charts": ["Peak force drift"],
                    "alerts": ["Station stopped > 15 min"],
                    "reports": [],
                },
            },
            {
                "code": "production_optimisation",
                "name": "Production optimisation",
                "description": "Throughput, changeovers and first-pass yield by shift.",
                "default_assets": {
                    "dashboards": ["Throughput"],
                    "charts": [],
                    "alerts": [],
                    "reports": ["Shift summary"],
                },
            },
            {
                "code": "custom",
                "name": "Custom",
                "description": "Start empty.",
                "default_assets": {"dashboards": [], "charts": [], "alerts": [], "reports": []},
            },
        ],
    )


def downgrade() -> None:
    with op.batch_alter_table("project_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_assets_project_id"))

    op.drop_table("project_assets")
    with op.batch_alter_table("cluster_usage_metrics", schema=None) as batch_op:
        batch_op.drop_index("ix_usage_cluster_time")

    op.drop_table("cluster_usage_metrics")
    with op.batch_alter_table("cluster_team_access", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_team_access_user_id"))
        batch_op.drop_index(batch_op.f("ix_cluster_team_access_cluster_id"))

    op.drop_table("cluster_team_access")
    with op.batch_alter_table("cluster_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_projects_cluster_id"))

    op.drop_table("cluster_projects")
    with op.batch_alter_table("cluster_access_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_access_tokens_prefix"))
        batch_op.drop_index(batch_op.f("ix_cluster_access_tokens_cluster_id"))

    op.drop_table("cluster_access_tokens")
    with op.batch_alter_table("user_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_sessions_user_id"))

    op.drop_table("user_sessions")
    with op.batch_alter_table("database_clusters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_database_clusters_status"))

    op.drop_table("database_clusters")
    op.drop_table("users")
    op.drop_table("project_types")
    op.drop_table("cluster_regions")
    with op.batch_alter_table("cluster_audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cluster_audit_log_created_at"))
        batch_op.drop_index(batch_op.f("ix_cluster_audit_log_cluster_id"))
        batch_op.drop_index(batch_op.f("ix_cluster_audit_log_actor_user_id"))
        batch_op.drop_index("ix_audit_action_time")

    op.drop_table("cluster_audit_log")
