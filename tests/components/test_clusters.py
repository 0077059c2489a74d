"""The cluster list's filters: every option has a value of its own, so none renders blank."""

from __future__ import annotations

from components.clusters import ANY, STATUS_OPTIONS, TYPE_OPTIONS, filter_value


def test_no_filter_option_has_the_empty_value_a_select_hides() -> None:
    for options in (STATUS_OPTIONS, TYPE_OPTIONS):
        assert options[0]["value"] == ANY and all(o["value"] for o in options)
    assert [o["value"] for o in STATUS_OPTIONS][1:] == [
        "provisioning", "running", "failed", "decommissioned", "purged"]


def test_any_means_no_filter() -> None:
    assert (filter_value(ANY), filter_value(None), filter_value("running")) == (
        "", "", "running")
