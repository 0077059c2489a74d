"""The alert-rule form lists the features it is given (the cluster's catalog), first chosen."""

from __future__ import annotations

from typing import Any

from components.dashboard_rules import make_rule_form
from components.ids.dashboard import DashboardRules


def _find(node: Any, component_id: str) -> Any:
    if getattr(node, "id", None) == component_id:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found = _find(child, component_id)
            if found is not None:
                return found
    return None


def test_the_form_offers_the_given_features() -> None:
    features = [{"label": "Peak y (riveting) · N", "value": "riveting::peak_y"}]
    select = _find(make_rule_form(features), DashboardRules.feature)
    assert select.options == features and select.value == "riveting::peak_y"


def test_a_cluster_without_features_gets_an_empty_choice() -> None:
    select = _find(make_rule_form([]), DashboardRules.feature)
    assert select.options == [] and select.value is None
    assert select.placeholder == "No features yet"
