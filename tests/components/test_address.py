"""The address a view wants in the browser: its page, search, whether it replaces the
current history entry, and the address it was asked from (when the browser sent one)."""

from __future__ import annotations

from typing import Any

import pytest

from components.address import wanted_address


def test_the_address_names_its_page_search_and_kind() -> None:
    assert wanted_address("/clusters/1/dashboard", "?window=7d", replace=True) == {
        "search": "?window=7d", "replace": True, "path": "/clusters/1/dashboard"}


def test_the_search_it_was_asked_from_is_kept_as_its_base() -> None:
    found = wanted_address("/clusters/1/explorer", "?s=2", replace=False, base="?s=1")
    assert found["base"] == "?s=1"
    assert wanted_address("/p", "?a", replace=False, base="")["base"] == ""


@pytest.mark.parametrize("base", [None, 5, ["?s=1"], {"search": "?s=1"}])
def test_anything_but_a_string_is_no_base(base: Any) -> None:
    assert "base" not in wanted_address("/p", "?a", replace=False, base=base)
