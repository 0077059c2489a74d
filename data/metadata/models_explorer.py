"""Metadata tables of the curve explorer: golden curves (named, versioned per cluster+process)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow


class GoldenCurve(Base):
    """One version of a named golden curve: its grid, centre line and band, and how it was
    built (``built_from``: the filters, method, band and curve count)."""

    __tablename__ = "golden_curves"
    __table_args__ = (UniqueConstraint("cluster_id", "process", "name", "version",
                                       name="uq_golden_curves_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True)
    process: Mapped[str] = mapped_column(String(80))
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer, default=1)
    method: Mapped[str] = mapped_column(String(32))
    n_curves: Mapped[int] = mapped_column(Integer, default=0)
    built_from: Mapped[dict[str, Any]] = mapped_column(default=dict)
    curve: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
