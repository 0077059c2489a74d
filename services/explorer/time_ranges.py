"""Relative time ranges of the explorer ("last 24 h", "this shift"), resolved against the
clock each time a query is made, so a link or a saved view stays relative.

The shift boundaries come from the settings (``LYCEUM_SHIFT_STARTS``, UTC); the current
time is rounded down to the minute, so queries within one minute share their caches.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from services.explorer.state import RELATIVE

_SPANS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
#: The list's choice for "no relative range: the dates below".
DATES = "dates"
LABELS = {"1h": "Last 1 h", "24h": "Last 24 h", "7d": "Last 7 d", "shift": "This shift"}


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def shift_bounds(now: datetime, starts: Sequence[int]) -> tuple[datetime, datetime]:
    """(start, end) of the shift running at ``now`` for shifts starting at ``starts``
    (ascending minutes after midnight UTC; the last shift runs into the next day)."""
    if not starts:
        raise ValueError("starts: at least one shift start is needed")
    now = now.astimezone(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    minute = now.hour * 60 + now.minute
    begun = [m for m in starts if m <= minute]
    start = midnight + timedelta(minutes=begun[-1]) if begun \
        else midnight - timedelta(days=1) + timedelta(minutes=starts[-1])
    later = [m for m in starts if m > minute]
    end = midnight + timedelta(minutes=later[0]) if later \
        else midnight + timedelta(days=1, minutes=starts[0])
    return start, end


def bounds(relative: str, *, now: datetime | None = None,
           starts: Sequence[int] = (360, 840, 1320)) -> tuple[datetime, datetime]:
    """(start, end) of ``relative`` ("1h", "24h", "7d" back from now, or "shift": the
    running shift); ``now`` defaults to the clock, rounded down to the minute."""
    if relative not in RELATIVE:
        raise ValueError(f"relative: one of {', '.join(RELATIVE)}")
    now = (now or datetime.now(UTC)).astimezone(UTC).replace(second=0, microsecond=0)
    if relative == "shift":
        start, end = shift_bounds(now, starts)
        return start, min(end, now + timedelta(minutes=1))
    return now - _SPANS[relative], now + timedelta(minutes=1)


def options(starts: Sequence[int], *, now: datetime | None = None) -> list[dict[str, str]]:
    """The range list: custom dates, then the relative ranges (the shift with its hours)."""
    start, end = shift_bounds(now or datetime.now(UTC), starts)
    shift = (f"This shift ({_clock(start.hour * 60 + start.minute)}–"
             f"{_clock(end.hour * 60 + end.minute)} UTC)")
    return [{"label": "Dates below", "value": DATES},
            *[{"label": shift if key == "shift" else LABELS[key], "value": key}
              for key in RELATIVE]]
