"""SQLAlchemy 2 typed ORM models of the metadata database (changed only through alembic)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from lyceum.clock import utcnow

__all__ = ["utcnow"]  # the models' column defaults; defined once in lyceum.clock


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite drops zones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass a timezone-aware UTC time")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base for all metadata tables."""

    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class User(Base):
    """A person (or an OIDC identity) who can sign in."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject", name="uq_users_oidc"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    oidc_issuer: Mapped[str | None] = mapped_column(String(255), default=None)
    oidc_subject: Mapped[str | None] = mapped_column(String(255), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class UserSession(Base):
    """A server-side sign-in session; the browser cookie holds only its random id."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class ClusterRegion(Base):
    """Reference data: where a cluster would run in the cloud (a label on the embedded engine)."""

    __tablename__ = "cluster_regions"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    provider: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(String(120))
    price_factor: Mapped[float] = mapped_column(Float, default=1.0)


class ProjectType(Base):
    """Reference data: the project templates and the assets each creates."""

    __tablename__ = "project_types"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    default_assets: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DatabaseCluster(Base):
    """An analytics cluster: one real ClickHouse database with its tiers, retention and limits."""

    __tablename__ = "database_clusters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(63), unique=True)
    database_name: Mapped[str] = mapped_column(String(63), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    cluster_type: Mapped[str] = mapped_column(String(32))
    region_code: Mapped[str] = mapped_column(ForeignKey("cluster_regions.code"))
    status: Mapped[str] = mapped_column(String(20), default="provisioning", index=True)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    nodes: Mapped[int] = mapped_column(Integer, default=1)
    vcpu_per_node: Mapped[int] = mapped_column(Integer, default=4)
    memory_gb_per_node: Mapped[int] = mapped_column(Integer, default=16)
    storage: Mapped[dict[str, Any]] = mapped_column(default=dict)
    retention: Mapped[dict[str, Any]] = mapped_column(default=dict)
    query_limits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    credential_user: Mapped[str] = mapped_column(String(63), default="")
    credential_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    credential_mode: Mapped[str] = mapped_column(String(20), default="")
    progress: Mapped[dict[str, Any]] = mapped_column(default=dict)
    monthly_estimate: Mapped[float] = mapped_column(Float, default=0.0)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    decommissioned_at: Mapped[datetime | None] = mapped_column(default=None)
    #: Set when an admin hid the decommissioned (or purged) cluster from the overview.
    hidden_at: Mapped[datetime | None] = mapped_column(default=None)

    members: Mapped[list[ClusterTeamAccess]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan"
    )


class ClusterTeamAccess(Base):
    """A user's role on one cluster (admin > editor > analyst > viewer)."""

    __tablename__ = "cluster_team_access"
    __table_args__ = (UniqueConstraint("cluster_id", "user_id", name="uq_team_cluster_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    granted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    cluster: Mapped[DatabaseCluster] = relationship(back_populates="members")


class ClusterProject(Base):
    """A project inside a cluster, made from a project type."""

    __tablename__ = "cluster_projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    project_type: Mapped[str] = mapped_column(ForeignKey("project_types.code"))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ProjectAsset(Base):
    """A saved dashboard, chart, alert rule or report inside a project."""

    __tablename__ = "project_assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("cluster_projects.id", ondelete="CASCADE"), index=True
    )
    asset_type: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(120))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClusterUsageMetric(Base):
    """One sample of a cluster's storage use on one tier (from ``system.parts``)."""

    __tablename__ = "cluster_usage_metrics"
    __table_args__ = (Index("ix_usage_cluster_time", "cluster_id", "sampled_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("database_clusters.id", ondelete="CASCADE"))
    sampled_at: Mapped[datetime] = mapped_column(default=utcnow)
    tier: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_on_disk: Mapped[int] = mapped_column(BigInteger, default=0)
    bytes_uncompressed: Mapped[int] = mapped_column(BigInteger, default=0)
    parts: Mapped[int] = mapped_column(Integer, default=0)


class ClusterAccessToken(Base):
    """An API token: only its hash and a recognisable prefix are stored."""

    __tablename__ = "cluster_access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    """One append-only audit record, hash-chained to the one before it."""

    __tablename__ = "cluster_audit_log"
    __table_args__ = (Index("ix_audit_action_time", "action", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    actor: Mapped[str] = mapped_column(String(254), default="")
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str] = mapped_column(String(120), default="")
    cluster_id: Mapped[int | None] = mapped_column(Integer, default=None, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    entry_hash: Mapped[str] = mapped_column(String(64), default="")


class AuditChainHead(Base):
    """The newest audit hash; updating this one row serialises appends to the chain."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64), default="")
    entries: Mapped[int] = mapped_column(BigInteger, default=0)


class ClusterEvent(Base):
    """One entry of a cluster's timeline: created, tier moves observed, failures, members."""

    __tablename__ = "cluster_events"
    __table_args__ = (Index("ix_events_cluster_time", "cluster_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("database_clusters.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class WizardDraft(Base):
    """The cluster wizard's state for one user, kept on the server between steps and reloads."""

    __tablename__ = "wizard_drafts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         primary_key=True)
    step: Mapped[int] = mapped_column(Integer, default=1)
    #: The furthest step reached; the stepper lets the user jump to any step up to it.
    furthest_step: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
