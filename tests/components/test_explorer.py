"""The explorer's component factories: the colour groups' checklist and legend."""

from __future__ import annotations

import pytest

from components.explorer import group_swatches, make_group_options
from services.explorer.population import MAX_GROUPS, OTHER
from tests.servers import ROOT


def test_group_options_are_plain_text_so_a_new_colouring_can_replace_them() -> None:
    options = make_group_options(["Line 1", "", OTHER])
    assert options == [{"label": "Line 1", "value": "Line 1"},
                       {"label": "(none)", "value": ""},
                       {"label": "all others", "value": OTHER}]
    assert all(isinstance(o["label"], str) for o in options)


def test_the_swatches_are_one_css_variable_per_group() -> None:
    assert group_swatches(["#2f6fb0", "#9e9e9e"]) == {"--explorer-group-0": "#2f6fb0",
                                                      "--explorer-group-1": "#9e9e9e"}
    with pytest.raises(ValueError, match="at most 10"):
        group_swatches(["#000000"] * (MAX_GROUPS + 1))


def test_the_stylesheet_paints_a_swatch_for_every_possible_group() -> None:
    css = (ROOT / "assets" / "explorer.css").read_text(encoding="utf-8")
    for i in range(MAX_GROUPS):
        assert (f"label:nth-of-type({i + 1}) {{ --swatch: var(--explorer-group-{i}); }}"
                in css)
