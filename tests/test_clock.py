"""The one clock: timezone-aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lyceum.clock import utcnow


def test_utcnow_is_aware_utc_and_now() -> None:
    found = utcnow()
    assert found.tzinfo is UTC
    assert abs(found - datetime.now(UTC)) < timedelta(seconds=5)
