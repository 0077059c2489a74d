"""Engine page callbacks: read the engine's state (global admins only)."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, callback

from auth.roles import Role, require_role
from callbacks.common import runtime
from components.clusters import make_database_table, make_engine_summary, make_volume_table
from components.ids import Engine
from components.layout import make_error
from lyceum.errors import AppError
from services.clusters.engine import engine_status


@callback(Output(Engine.summary, "children"), Output(Engine.volumes, "children"),
          Output(Engine.databases, "children"), Output(Engine.error, "children"),
          Input(Engine.load, "n_intervals"))
def fill_engine(_n: int) -> tuple[Any, Any, Any, Any]:
    """Summary, volumes and databases of the analytics engine."""
    try:
        require_role(None, Role.ADMIN)
        status = engine_status(runtime())
    except AppError as exc:
        return None, None, None, make_error(exc.user_message)
    return (make_engine_summary(status), make_volume_table(status),
            make_database_table(status), None)
