"""Metadata table of specification limits: a cluster's own LSL/USL per (process, feature),
overriding the demo plant's defaults (:mod:`services.demo.quality`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow

#: Longest process or feature name a limit may be set for (curve_features names are short).
MAX_NAME = 100
MAX_UNIT = 20


class FeatureSpec(Base):
    """The specification limits of one feature of one process in one cluster."""

    __tablename__ = "feature_specs"
    __table_args__ = (UniqueConstraint("cluster_id", "process", "feature",
                                       name="uq_feature_specs_cluster_process_feature"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cluster_id: Mapped[int] = mapped_column(
        ForeignKey("database_clusters.id", ondelete="CASCADE"), index=True)
    process: Mapped[str] = mapped_column(String(MAX_NAME))
    feature: Mapped[str] = mapped_column(String(MAX_NAME))
    unit: Mapped[str] = mapped_column(String(MAX_UNIT), default="")
    lsl: Mapped[float | None] = mapped_column(Float, default=None)
    usl: Mapped[float | None] = mapped_column(Float, default=None)
    updated_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
