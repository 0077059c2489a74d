"""Which data a control chart's limits come from: a period before the window (7 or 30
days), a range of the window's own subgroups, or a date range; checked, and described the
way the chart shows it ("limits from subgroups 1–25, 2026-12-01 08:00 … 11:40 UTC")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from lyceum.errors import ValidationError

#: Periods just before the window, by choice value, in seconds.
BEFORE: dict[str, int] = {"7d": 7 * 86400, "30d": 30 * 86400}
SUBGROUPS, DATES = "subgroups", "dates"
CHOICES: tuple[str, ...] = (*BEFORE, SUBGROUPS, DATES)
#: The longest date range a baseline may cover.
MAX_DAYS = 92
#: The largest subgroup number a baseline may name (a window holds at most this many).
MAX_SUBGROUP = 2000


@dataclass(frozen=True)
class BaselineChoice:
    """A checked baseline: ``kind`` in :data:`CHOICES`; subgroup numbers are 1-based and
    inclusive; dates are whole UTC days, inclusive."""

    kind: str = "7d"
    first: int | None = None
    last: int | None = None
    start: date | None = None
    end: date | None = None

    def key(self) -> tuple[Any, ...]:
        """A hashable cache key of the choice."""
        return (self.kind, self.first, self.last, self.start, self.end)

    def period_ms(self) -> tuple[int, int]:
        """[start, end) of a date-range baseline in Unix milliseconds."""
        if self.start is None or self.end is None:
            raise ValidationError("This baseline is not a date range.")
        lo = datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)
        hi = datetime(self.end.year, self.end.month, self.end.day, tzinfo=UTC) + timedelta(
            days=1)
        return int(lo.timestamp() * 1000), int(hi.timestamp() * 1000)


def _number(value: Any, name: str) -> int:
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(
        value, bool) else ""
    if not text.isdigit() or not 1 <= int(text) <= MAX_SUBGROUP:
        raise ValidationError(f"The baseline's {name} subgroup must be a whole number from 1 "
                              f"to {MAX_SUBGROUP}.", fields={name: "invalid"})
    return int(text)


def _day(value: Any, name: str) -> date:
    try:
        if not isinstance(value, str) or len(value.strip()) != 10:
            raise ValueError(value)
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError(f"Give the baseline's {name} date as YYYY-MM-DD.",
                              fields={name: "invalid"}) from None


def parse_baseline(choice: Any, first: Any = None, last: Any = None) -> BaselineChoice:
    """The baseline from the picker and its two fields (subgroup numbers or dates)."""
    if choice in BEFORE:
        return BaselineChoice(str(choice))
    if choice == SUBGROUPS:
        low, high = _number(first, "first"), _number(last, "last")
        if low >= high:
            raise ValidationError("The baseline's first subgroup must come before its last.",
                                  fields={"last": "not after first"})
        return BaselineChoice(SUBGROUPS, first=low, last=high)
    if choice == DATES:
        start, end = _day(first, "first"), _day(last, "last")
        if start > end:
            raise ValidationError("The baseline's first date must not be after its last.",
                                  fields={"last": "before first"})
        if (end - start).days + 1 > MAX_DAYS:
            raise ValidationError(f"A baseline may cover at most {MAX_DAYS} days.",
                                  fields={"last": "too far"})
        return BaselineChoice(DATES, start=start, end=end)
    raise ValidationError("Choose a baseline: 7 or 30 days before the window, subgroups of "
                          "the window, or a date range.")


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


#: Limits from fewer subgroups (values, for I-MR) than this are flagged as imprecise: the
#: usual advice is to estimate them from 20–25 (Montgomery, *Introduction to Statistical
#: Quality Control*, ch. 6).
FEW_FOR_LIMITS = 20


def describe(choice: BaselineChoice, *, count: int, excluded: int, first: datetime | None,
             last: datetime | None, unit: str = "subgroups") -> str:
    """What the chart says about its limits: where they come from and how much data."""
    span = f"{_stamp(first)} … {_stamp(last)} UTC" if first and last else "no data"
    if choice.kind == SUBGROUPS:
        where = f"subgroups {choice.first}–{choice.last}"
    elif choice.kind == DATES:
        where = f"{choice.start} to {choice.end}"
    else:
        where = f"the {choice.kind[:-1]} days before the window"
    left = f", {excluded} excluded" if excluded else ""
    text = f"Limits from {where}: {count} {unit}, {span}{left}."
    if 0 < count < FEW_FOR_LIMITS:
        text += (f" Caution: limits from fewer than {FEW_FOR_LIMITS} {unit} are imprecise "
                 f"(20–25 are the usual minimum); choose a longer baseline.")
    return text
