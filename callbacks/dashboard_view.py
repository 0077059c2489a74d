"""The dashboard's saved view: keep the current choices in a store; reopen a saved asset."""

from __future__ import annotations

from typing import Any

from dash import Input, Output, State, callback, no_update

from auth.roles import Role
from callbacks.common import runtime
from callbacks.guard import guarded
from components.ids import Dashboard
from services.projects.assets import asset_config

CHOICES = ("window", "line", "station", "spc_feature", "spc_kind", "spc_baseline")


@callback(Output(Dashboard.config, "data"),
          *[Input(getattr(Dashboard, name), "value") for name in CHOICES],
          State(Dashboard.config, "data"), prevent_initial_call=True)
def keep_view(*values: Any) -> dict[str, Any]:
    """The choices on screen, as the config a "Save to project" stores."""
    *choices, current = values
    view = dict(zip(CHOICES, choices, strict=True))
    if isinstance(current, dict) and current.get("asset"):
        view["asset"] = current["asset"]
    return view


def _asset(config: Any) -> Any:
    return config.get("asset") if isinstance(config, dict) else None


@callback(*[Output(getattr(Dashboard, name), "value", allow_duplicate=True) for name in CHOICES],
          Output(Dashboard.error, "children", allow_duplicate=True),
          Input(Dashboard.cluster, "data"), State(Dashboard.config, "data"),
          prevent_initial_call="initial_duplicate")
@guarded(Role.VIEWER, outputs=len(CHOICES) + 1, error_output=len(CHOICES),
         title="Cannot open", when=lambda _cluster_id, config: _asset(config))
def open_saved(cluster_id: int, config: Any) -> tuple[Any, ...]:
    """``?asset=<id>``: put the saved choices back (viewers may open saved views)."""
    saved = asset_config(runtime(), cluster_id=cluster_id, asset_id=_asset(config),
                         asset_type="dashboard").get("state") or {}
    return (*[saved.get(name, no_update) if isinstance(saved, dict) else no_update
              for name in CHOICES], None)
