"""What a long filter list offers: the chosen values first, then matches of the typed text,
at most ``LISTED_MAX`` of those."""

from __future__ import annotations

import pytest

from services.explorer import view
from services.explorer.view import listed

BATCHES = [f"LOT-2611{day:02d}-{n:03d}" for day in range(1, 31) for n in range(1, 41)]


def test_a_long_list_is_cut_to_the_first_values_plus_the_chosen_ones() -> None:
    offered = listed(BATCHES, selected=["LOT-261130-040", "not a batch"])
    assert offered[0] == "LOT-261130-040"            # chosen (and known) first
    assert "not a batch" not in offered              # a value from the client is not echoed
    assert offered[1:] == BATCHES[:view.LISTED_MAX]


def test_typed_text_matches_anywhere_in_any_case() -> None:
    assert listed(BATCHES, search=" lot-261107-03") == [f"LOT-261107-03{n}" for n in range(10)]
    assert listed(BATCHES, search="-040") == [f"LOT-2611{d:02d}-040" for d in range(1, 31)]
    assert listed(BATCHES, search="') OR 1=1 --") == []


@pytest.mark.parametrize("limit", [0, 3])
def test_the_limit_counts_only_what_was_not_chosen(limit: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(view, "LISTED_MAX", limit)
    offered = listed(BATCHES, selected=[BATCHES[-1]], search="LOT")
    assert offered == [BATCHES[-1], *BATCHES[:limit]]
