"""Controls above the user's role: disabled, each with the role it needs, and one note."""

from __future__ import annotations

import pytest

from components.role_gates import GATES, gate_states, make_role_note, role_note_id
from services.core.roles import Role


def _note_text(note: object) -> str:
    children = getattr(note, "children", [])
    return "".join(c for c in children if isinstance(c, str))


def test_an_editor_may_use_every_explorer_control() -> None:
    disabled, titles, note = gate_states("explorer", Role.EDITOR)
    assert not any(disabled) and titles == [""] * len(GATES["explorer"]) and note is None


def test_an_analyst_exports_but_cannot_save_versions_or_to_projects() -> None:
    disabled, titles, note = gate_states("explorer", Role.ANALYST)
    by_action = {g.action: off for g, off in zip(GATES["explorer"], disabled, strict=True)}
    assert by_action == {"saving to a project": True, "saving a golden curve version": True,
                         "exporting curves": False}
    assert titles[0] == ("Saving to a project needs the editor role on this cluster; "
                         "you are an analyst.")
    assert _note_text(note) == (
        "You are an analyst on this cluster: saving to a project needs editor; saving a "
        "golden curve version needs editor (those buttons are disabled).")


def test_a_viewer_sees_every_export_disabled_and_each_reason_once() -> None:
    disabled, _titles, note = gate_states("explorer", Role.VIEWER)
    assert all(disabled)
    assert _note_text(note).count("exporting curves needs analyst") == 1
    assert _note_text(note).startswith("You are a viewer on this cluster:")


def test_a_refused_user_gets_everything_disabled_and_no_note() -> None:
    disabled, titles, note = gate_states("dashboard", None)
    assert disabled == [True] and titles == [""] and note is None


def test_the_note_belongs_to_a_gated_page() -> None:
    assert make_role_note("dashboard").to_plotly_json()["props"]["id"] == \
        role_note_id("dashboard")
    with pytest.raises(ValueError, match="page is one of"):
        make_role_note("wizard")
