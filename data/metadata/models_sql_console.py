"""Metadata table of the SQL console: each user's recent statements on each cluster."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow


class SqlHistoryEntry(Base):
    """One statement a user ran in a cluster's SQL console, with how it went."""

    __tablename__ = "sql_console_history"
    __table_args__ = (Index("ix_sql_console_history_user_cluster", "user_id", "cluster_id",
                            "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"))
    sql: Mapped[str] = mapped_column(Text)
    #: ``ok``, ``refused`` or ``failed``.
    outcome: Mapped[str] = mapped_column(String(16))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    elapsed_ms: Mapped[int] = mapped_column(Integer, default=0)
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)
