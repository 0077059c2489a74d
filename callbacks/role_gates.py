"""Disable the controls the user's current role cannot use, with the reason (see
``components.role_gates``); the callbacks behind them still check the role themselves."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback

from auth.roles import Role
from callbacks.explorer.view import store_cluster
from callbacks.guard import guarded
from components.ids.dashboard import Dashboard
from components.ids.explorer import Explorer
from components.role_gates import GATES, gate_states, role_note_id

#: Each gated page → its cluster store and how to find the id in it.
PAGE_STORES: dict[str, tuple[str, Any]] = {
    "explorer": (Explorer.cluster, store_cluster),
    "dashboard": (Dashboard.cluster, None),
}


def _register(page: str, store: str, locate: Any) -> None:
    gates = GATES[page]
    outputs = ([Output(g.component_id, "disabled") for g in gates]
               + [Output(g.component_id, "title") for g in gates]
               + [Output(role_note_id(page), "children")])

    def refused(_exc: Any, *_args: Any, **_kwargs: Any) -> tuple[Any, ...]:
        disabled, titles, note = gate_states(page, None)
        return (*disabled, *titles, note)

    @callback(*outputs, Input(store, "data"))
    @guarded(Role.VIEWER, cluster="cluster", locate=locate, granted="role", on_error=refused)
    def gate(cluster: Any, *, role: Role = Role.VIEWER) -> tuple[Any, ...]:
        disabled, titles, note = gate_states(page, role)
        return (*disabled, *titles, note)

    gate.__name__ = f"gate_{page}"


for _page, (_store, _locate) in PAGE_STORES.items():
    _register(_page, _store, _locate)
