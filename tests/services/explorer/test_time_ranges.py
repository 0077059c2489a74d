"""Relative time ranges of the explorer: spans back from the clock and the running shift."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.explorer.time_ranges import bounds, options, shift_bounds

STARTS = (360, 840, 1320)  # 06:00, 14:00, 22:00 UTC


def at(hour: int, minute: int = 0, day: int = 3) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize("now, start, end", [
    (at(6), at(6), at(14)), (at(13, 59), at(6), at(14)), (at(14, 30), at(14), at(22)),
    (at(23, 10), at(22), at(6, day=4)), (at(2), at(22, day=2), at(6)),
])
def test_the_running_shift(now: datetime, start: datetime, end: datetime) -> None:
    assert shift_bounds(now, STARTS) == (start, end)


def test_one_shift_a_day_runs_from_start_to_start() -> None:
    assert shift_bounds(at(5), (420,)) == (at(7, day=2), at(7))


def test_spans_end_after_now_and_the_shift_ends_at_now() -> None:
    now = at(15, 7)
    assert bounds("1h", now=now) == (at(14, 7), at(15, 8))
    assert bounds("24h", now=now) == (at(15, 7, day=2), at(15, 8))
    assert bounds("7d", now=now)[0] == datetime(2026, 11, 26, 15, 7, tzinfo=UTC)
    assert bounds("shift", now=now, starts=STARTS) == (at(14), at(15, 8))


def test_the_clock_is_rounded_to_the_minute() -> None:
    assert bounds("1h", now=datetime(2026, 12, 3, 15, 7, 42, 5, tzinfo=UTC)) == \
        bounds("1h", now=at(15, 7))


def test_an_unknown_range_is_refused() -> None:
    with pytest.raises(ValueError, match="relative"):
        bounds("1y", now=at(1))


def test_the_list_names_the_shift_hours_and_where_they_come_from() -> None:
    listed = options(STARTS, now=at(15))
    assert listed[0] == {"label": "Dates below", "value": "dates"}
    assert {"label": "This shift (14:00–22:00 UTC)", "value": "shift"} in listed
    assert [o["value"] for o in listed] == ["dates", "1h", "24h", "7d", "shift"]
