"""Numbers, sizes and times as people read them."""

from __future__ import annotations

from datetime import UTC, datetime

from components.formatting import human_bytes, human_count, percent, when


def test_sizes() -> None:
    assert [human_bytes(v) for v in (0, 1023, 1536, 5 * 1024**3, 3 * 1024**5)] == [
        "0 B", "1023 B", "1.5 KiB", "5.0 GiB", "3072.0 TiB"]


def test_counts() -> None:
    assert [human_count(v) for v in (999, 15_234, 15_234_567, 12_000_000_000)] == [
        "999", "15,234", "15.2 M", "12 B"]


def test_percent_and_time() -> None:
    assert (percent(0.9731), percent(None)) == ("97.3 %", "—")
    assert when(datetime(2026, 11, 25, 7, 40, tzinfo=UTC)) == "2026-11-25 07:40 UTC"
    assert when(None) == "—"
