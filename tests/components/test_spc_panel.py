"""The SPC panel's components build (Dash checks their properties when they are made)."""

from __future__ import annotations

from components import spc_panel
from services.quality.spc_exclusions import Exclusion


def test_the_exclusion_form_and_list_build_for_editors_and_viewers() -> None:
    found = [Exclusion("a" * 32, "2026-12-01T08:00:00+00:00", "gauge not zeroed",
                       "2026-12-01T09:00:00+00:00", "editor@plant.example", 5)]
    for can_edit in (True, False):
        assert spc_panel.make_exclusion_form(can_edit=can_edit) is not None
        listed = str(spc_panel.make_exclusions(found, can_edit=can_edit))
        assert "gauge not zeroed" in listed and ("Restore" in listed) == can_edit
    assert "No subgroup is excluded" in str(spc_panel.make_exclusions([], can_edit=True))


def test_the_capability_n_says_it_counts_whole_subgroups() -> None:
    assert spc_panel.sample_size(35, 5) == "n = 35 (7 whole subgroups of 5)"
    assert spc_panel.sample_size(5, 5) == "n = 5 (1 whole subgroup of 5)"
    assert spc_panel.sample_size(40, 1) == "n = 40"  # individuals: every value counts
    assert spc_panel.sample_size(0, 5) == "n = 0"
