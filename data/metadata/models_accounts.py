"""Metadata tables of accounts: sign-in throttling counters and one-time password resets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from data.metadata.models import Base, utcnow


class LoginThrottle(Base):
    """Failed-attempt counter of one throttling key (an account at an address, or an address).

    Times are epoch seconds so that the reservation can be one atomic ``UPDATE`` with plain
    arithmetic on every backend. ``penalty`` is the length of the current window; it doubles
    each time a window ends full (backoff) and falls back to the base after a quiet one.
    """

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_end: Mapped[float] = mapped_column(Float, index=True)
    penalty: Mapped[float] = mapped_column(Float)


class PasswordReset(Base):
    """A one-time password-reset link issued by an admin; only the link's hash is stored."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    created_by: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None)
