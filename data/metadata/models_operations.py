"""Metadata table of long operations on a cluster (e.g. a retention change): what runs, how
far it got, and how it ended, so every web process shows the same progress."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow

RUNNING = "running"
#: At most one running operation per cluster, whichever process started it.
ONE_RUNNING = text("state = 'running'")


class ClusterOperation(Base):
    """One long operation on one cluster."""

    __tablename__ = "cluster_operations"
    __table_args__ = (Index("uq_cluster_operations_running", "cluster_id", unique=True,
                            sqlite_where=ONE_RUNNING, postgresql_where=ONE_RUNNING),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: ``running``, then ``done``, ``failed`` or ``interrupted`` (its process went away).
    state: Mapped[str] = mapped_column(String(20), default=RUNNING)
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    actor_label: Mapped[str] = mapped_column(String(320), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Moves on each step: a running operation whose clock stopped lost its process.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
