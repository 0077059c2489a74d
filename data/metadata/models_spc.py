"""Metadata table of SPC exclusions: curves whose subgroup an editor took out of the
control limits of one feature, with the reason, who and when. Removing the rows restores
the subgroup; both are audited by the service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow
from data.metadata.models_specs import MAX_NAME

MAX_REASON = 500


class SpcExclusion(Base):
    """One curve of an excluded subgroup (``batch`` groups the curves of one exclusion)."""

    __tablename__ = "spc_exclusions"
    __table_args__ = (UniqueConstraint("cluster_id", "process", "feature", "curve_id",
                                       name="uq_spc_exclusions_curve"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True)
    process: Mapped[str] = mapped_column(String(MAX_NAME))
    feature: Mapped[str] = mapped_column(String(MAX_NAME))
    batch: Mapped[str] = mapped_column(String(32), index=True)
    curve_id: Mapped[int] = mapped_column(BigInteger)
    point_time: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(MAX_REASON))
    excluded_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    excluded_at: Mapped[datetime] = mapped_column(default=utcnow)
