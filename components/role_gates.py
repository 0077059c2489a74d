"""Controls a role cannot use, shown disabled with the reason (the server still refuses them:
this is a convenience, not the wall).

Each page with such controls lists them in :data:`GATES`; ``callbacks.role_gates`` disables
the ones above the user's current role on the page's cluster, gives each a tooltip saying
which role it needs, and fills the page's note (:func:`make_role_note`) with the same in one
sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dash import html

from components.ids.explorer import Explorer, ExplorerExport
from components.ids.shared import SaveToProject, save_to_project_id
from services.core.roles import Role


@dataclass(frozen=True)
class Gate:
    """A control and the lowest role that may use it; ``action`` says what it does."""

    component_id: str | dict[str, str]
    needs: Role
    action: str


GATES: dict[str, tuple[Gate, ...]] = {
    "explorer": (
        Gate(save_to_project_id(SaveToProject.OPEN, "explorer"), Role.EDITOR,
             "saving to a project"),
        Gate(Explorer.golden_save, Role.EDITOR, "saving a golden curve version"),
        Gate(Explorer.export_csv, Role.ANALYST, "exporting curves"),
        Gate(Explorer.export_parquet, Role.ANALYST, "exporting curves"),
        Gate(Explorer.export_outliers, Role.ANALYST, "exporting curves"),
        Gate(ExplorerExport.start, Role.ANALYST, "exporting curves"),
    ),
    "dashboard": (
        Gate(save_to_project_id(SaveToProject.OPEN, "dashboard"), Role.EDITOR,
             "saving to a project"),
    ),
}


def role_note_id(page: str) -> str:
    """The id of the page's note on what the user's role cannot do there."""
    return f"{page}-role-note-text"


def make_role_note(page: str) -> html.Div:
    """An empty note, filled when the user's role leaves some controls disabled."""
    if page not in GATES:
        raise ValueError(f"page is one of {tuple(GATES)}")
    return html.Div(id=role_note_id(page), className="small text-body-secondary")


def needs_text(gate: Gate, role: Role) -> str:
    """A disabled control's tooltip: the role it needs and the one the user holds."""
    return (f"{gate.action.capitalize()} needs the {gate.needs.label} role on this cluster; "
            f"you are {_article(role.label)} {role.label}.")


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


def gate_states(page: str, role: Role | None) -> tuple[list[bool], list[str], Any]:
    """For the page's gates in order: disabled or not, each tooltip, and the note (``None``
    when the role may use them all). No role (refused): everything disabled, no note."""
    gates = GATES[page]
    if role is None:
        return [True] * len(gates), [""] * len(gates), None
    blocked = [gate.needs > role for gate in gates]
    titles = [needs_text(g, role) if b else "" for g, b in zip(gates, blocked, strict=True)]
    missing: dict[str, Role] = {}
    for gate, off in zip(gates, blocked, strict=True):
        if off:
            missing.setdefault(gate.action, gate.needs)
    if not missing:
        return blocked, titles, None
    parts = [f"{action} needs {needs.label}" for action, needs in missing.items()]
    text = (f"You are {_article(role.label)} {role.label} on this cluster: "
            + "; ".join(parts) + " (those buttons are disabled).")
    return blocked, titles, html.Span([html.I(className="bi bi-lock me-1"), text])
