"""The baseline picker's values: checked, with a clear message for each bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lyceum.errors import ValidationError
from services.quality.spc_baseline import BaselineChoice, describe, parse_baseline


def test_periods_subgroups_and_dates() -> None:
    assert parse_baseline("7d") == BaselineChoice("7d")
    assert parse_baseline("subgroups", "1", 25) == BaselineChoice("subgroups", 1, 25)
    dated = parse_baseline("dates", "2026-12-01", "2026-12-03")
    assert (dated.start, dated.end) == (date(2026, 12, 1), date(2026, 12, 3))
    lo, hi = dated.period_ms()
    assert hi - lo == 3 * 86_400_000


@pytest.mark.parametrize(("args", "message"), [
    (("12h",), "Choose a baseline"),
    (("subgroups", None, "5"), "first subgroup must be a whole number"),
    (("subgroups", "1", "x"), "last subgroup must be a whole number"),
    (("subgroups", "0", "5"), "from 1 to 2000"),
    (("subgroups", True, "5"), "whole number"),
    (("subgroups", "5", "5"), "first subgroup must come before its last"),
    (("dates", "2026-13-01", "2026-12-02"), "first date as YYYY-MM-DD"),
    (("dates", "2026-12-05", "2026-12-02"), "must not be after its last"),
    (("dates", "2026-01-01", "2026-12-02"), "at most 92 days"),
])
def test_bad_input_is_explained(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_baseline(*args)


def test_the_description_names_the_source_and_the_span() -> None:
    first, last = datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 11, 40, tzinfo=UTC)
    text = describe(parse_baseline("subgroups", "1", "25"), count=24, excluded=1, first=first,
                    last=last)
    assert text == ("Limits from subgroups 1–25: 24 subgroups, 2026-12-01 08:00 … "
                    "2026-12-01 11:40 UTC, 1 excluded.")
    assert describe(BaselineChoice("30d"), count=0, excluded=0, first=None, last=None) == (
        "Limits from the 30 days before the window: 0 subgroups, no data.")


@pytest.mark.parametrize(("count", "unit", "caution"), [
    (2, "subgroups", True), (19, "values", True), (20, "subgroups", False)])
def test_limits_from_few_subgroups_carry_a_caution(count: int, unit: str,
                                                   caution: bool) -> None:
    first, last = datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC)
    text = describe(parse_baseline("subgroups", "1", str(count)), count=count, excluded=0,
                    first=first, last=last, unit=unit)
    words = (f"Caution: limits from fewer than 20 {unit} are imprecise (20–25 are the usual "
             "minimum); choose a longer baseline.")
    assert text.endswith(words) == caution
