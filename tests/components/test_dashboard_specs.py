"""The dashboard's feature choices: labels with units in the given order, the choice kept
while it is listed, else the first."""

from __future__ import annotations

from components.dashboard_specs import chosen, feature_options
from services.quality.spec_limits import SpecLimit


def _limit(process: str, feature: str, unit: str) -> SpecLimit:
    return SpecLimit(process, feature, unit, None, None, False, False)


def test_options_carry_the_feature_the_process_and_the_unit() -> None:
    options = feature_options([_limit("riveting", "peak_y", "N"),
                               _limit("leak-test", "slope_10_90", "mbar/s"),
                               _limit("spot-weld", "count", "")])
    assert options == [
        {"label": "Peak y (riveting) · N", "value": "riveting::peak_y"},
        {"label": "Slope 10 90 (leak-test) · mbar/s", "value": "leak-test::slope_10_90"},
        {"label": "Count (spot-weld)", "value": "spot-weld::count"}]


def test_the_choice_is_kept_while_listed_else_the_first() -> None:
    options = feature_options([_limit("riveting", "peak_y", "N"),
                               _limit("riveting", "area", "N·mm")])
    assert chosen(options, "riveting::area") == "riveting::area"
    assert chosen(options, "gone::feature") == "riveting::peak_y"
    assert chosen(options, None) == "riveting::peak_y"
    assert chosen([], "riveting::area") is None
