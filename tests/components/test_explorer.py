"""The explorer's component factories: the colour groups' checklist and legend."""

from __future__ import annotations

from dash import html

from components.explorer import group_label, make_group_legend, make_group_options
from services.explorer.population import OTHER


def test_group_options_are_plain_text_so_a_new_colouring_can_replace_them() -> None:
    options = make_group_options(["Line 1", "", OTHER])
    assert options == [{"label": "Line 1", "value": "Line 1"},
                       {"label": "(none)", "value": ""},
                       {"label": "all others", "value": OTHER}]
    assert all(isinstance(o["label"], str) for o in options)


def test_the_legend_shows_each_groups_swatch_and_name() -> None:
    legend = make_group_legend(["OK", OTHER], ["#2f6fb0", "#9e9e9e"])
    swatches = [item.children[0] for item in legend]
    assert [s.style for s in swatches] == [{"backgroundColor": "#2f6fb0"},
                                           {"backgroundColor": "#9e9e9e"}]
    assert [item.children[1] for item in legend] == ["OK", group_label(OTHER)]
    assert all(isinstance(item, html.Span) for item in legend)
