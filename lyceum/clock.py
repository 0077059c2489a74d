"""The one clock of the application: timezone-aware UTC now (ground floor, imports nothing)."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)
