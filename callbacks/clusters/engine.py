"""Engine page callbacks: read the engine's state (global admins only)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback

from auth.roles import Role
from callbacks.common import runtime
from callbacks.guard import guarded
from components.clusters import make_database_table, make_engine_summary, make_volume_table
from components.ids.engine import Engine
from services.clusters.engine import engine_status


@callback(Output(Engine.summary, "children"), Output(Engine.volumes, "children"),
          Output(Engine.databases, "children"), Output(Engine.error, "children"),
          Input(Engine.load, "n_intervals"))
@guarded(Role.ADMIN, cluster=None, outputs=4, error_output=3, fill=None)
def fill_engine(_n: int) -> tuple[Any, Any, Any, Any]:
    """Summary, volumes and databases of the analytics engine."""
    status = engine_status(runtime())
    return (make_engine_summary(status), make_volume_table(status),
            make_database_table(status), None)
