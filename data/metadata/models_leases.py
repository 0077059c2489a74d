"""Metadata table of leases: which process of a deployment holds a named duty, and until when."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base


class Lease(Base):
    """A named duty (``duties``, ``provision:12``) held by one process until ``expires_at``.

    Times are epoch seconds so taking and renewing a lease is one conditional ``UPDATE`` with
    plain arithmetic on every backend; a holder that stops renewing loses the lease when it
    expires and another process takes it over.
    """

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[float] = mapped_column(Float)
    taken_at: Mapped[float] = mapped_column(Float)
