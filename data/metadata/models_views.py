"""Metadata table of personal saved views: a member's own named explorer or dashboard views
of a cluster (the address that reopens each, as the page wrote it and the server checked)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow


class PersonalView(Base):
    """One named view a user saved for themself on one page of one cluster."""

    __tablename__ = "personal_views"
    __table_args__ = (UniqueConstraint("user_id", "cluster_id", "page", "name",
                                       name="uq_personal_views_name"),
                      Index("ix_personal_views_user_cluster", "user_id", "cluster_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"))
    #: ``explorer`` or ``dashboard``.
    page: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    #: The query string that reopens the view ("?s=…", "?window=7d&…"), checked on saving.
    query: Mapped[str] = mapped_column(String(8000))
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
