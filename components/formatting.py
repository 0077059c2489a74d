"""Number and size formatting for people."""

from __future__ import annotations

from datetime import datetime


def human_bytes(value: int) -> str:
    """``1536`` → ``'1.5 KiB'``."""
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} TiB"


def human_count(value: int) -> str:
    """``15234567`` → ``'15.2 M'``; small numbers keep thousands separators."""
    if value >= 10_000_000_000:
        return f"{value / 1e9:.0f} B"
    if value >= 1_000_000:
        return f"{value / 1e6:.1f} M"
    return f"{value:,}"


def percent(value: float | None) -> str:
    """``0.9731`` → ``'97.3 %'``; ``None`` → ``'—'``."""
    return "—" if value is None else f"{value * 100:.1f} %"


def when(value: datetime | None) -> str:
    """A UTC time as ``'2026-11-25 07:40 UTC'``, or ``'—'``."""
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")
