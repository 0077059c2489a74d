"""Metadata table of cluster credentials: a new secret waiting for a person to save it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow


class PendingClusterSecret(Base):
    """A cluster credential's new secret, sealed under the instance key, kept until a cluster
    admin confirms they saved it or it expires (one per cluster: a newer one replaces it)."""

    __tablename__ = "pending_cluster_secrets"

    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16))
    sealed_secret: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
