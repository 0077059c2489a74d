"""SQL console callbacks: the schema panel, running a statement, paging, exports, history.

The cluster id comes from the page's store: every callback checks the signed-in user's
current role on it on the server before anything else (``guarded``); results and history
entries are looked up under that user's id, so a forged run or entry id finds nothing.
"""

from __future__ import annotations

import base64
from typing import Any

from dash import ALL, Input, Output, State, callback, clientside_callback, ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role
from auth.session import current_actor
from callbacks.common import runtime, signed_in_user
from callbacks.guard import clicked, error_outputs, guarded, item_clicked
from components import sql_console as ui
from components.ids.sql_console import SqlConsole
from lyceum.errors import AppError
from services.gateway import console

RUN_OUTPUTS = ("result", "page", "error", "history_version")


def _run_refused(exc: AppError, *_args: Any, version: int | None = None, **_kw: Any
                 ) -> dict[str, Any]:
    """The refusal shown, the result cleared, the history refreshed (refusals are kept)."""
    shown = error_outputs(exc, outputs=RUN_OUTPUTS, error_output="error", title="Not run",
                          fill=no_update)
    return {**shown, "result": None, "history_version": (version or 0) + 1}


@callback(Output(SqlConsole.schema, "children"), Output(SqlConsole.role_note, "children"),
          Input(SqlConsole.cluster, "data"))
@guarded(Role.VIEWER, outputs=2, granted="role", title="No tables")
def load_schema(cluster_id: int, *, role: Role = Role.VIEWER) -> tuple[Any, Any]:
    """The cluster's tables and columns, and what the member's role may run."""
    return ui.make_schema(console.schema(runtime(), cluster_id)), ui.make_role_note(role.label)


@callback(output={"result": Output(SqlConsole.result, "data"),
                  "page": Output(SqlConsole.page, "data"),
                  "error": Output(SqlConsole.error, "children"),
                  "history_version": Output(SqlConsole.history_version, "data")},
          inputs={"n": Input(SqlConsole.run, "n_clicks"),
                  "sql": State(SqlConsole.editor, "value"),
                  "cluster_id": State(SqlConsole.cluster, "data"),
                  "version": State(SqlConsole.history_version, "data")},
          prevent_initial_call=True)
@guarded(Role.VIEWER, granted="role", when=clicked, on_error=_run_refused)
def run(n: int, sql: str | None, cluster_id: int, version: int | None, *,
        role: Role = Role.VIEWER) -> dict[str, Any]:
    """Run the editor's statement as the member's current role (in the gateway pool)."""
    result = console.run_statement(runtime(), cluster_id, user_id=signed_in_user().id,
                                   role=role.label, sql=sql or "", actor=current_actor())
    return {"result": result.as_json(), "page": 0, "error": None,
            "history_version": (version or 0) + 1}


@callback(output={"table": Output(SqlConsole.table, "children"),
                  "summary": Output(SqlConsole.summary, "children"),
                  "label": Output(SqlConsole.page_label, "children"),
                  "page": Output(SqlConsole.page, "data", allow_duplicate=True),
                  "prev": Output(SqlConsole.prev, "disabled"),
                  "next": Output(SqlConsole.next, "disabled"),
                  "csv": Output(SqlConsole.export_csv, "disabled"),
                  "parquet": Output(SqlConsole.export_parquet, "disabled")},
          inputs={"result": Input(SqlConsole.result, "data"),
                  "_prev": Input(SqlConsole.prev, "n_clicks"),
                  "_next": Input(SqlConsole.next, "n_clicks"),
                  "size": Input(SqlConsole.page_size, "value"),
                  "page": State(SqlConsole.page, "data"),
                  "cluster_id": State(SqlConsole.cluster, "data")},
          prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=("table", "summary", "label", "page", "prev", "next", "csv",
                               "parquet"), error_output="table", title="Not shown")
def show_page(result: dict[str, Any] | None, _prev: Any, _next: Any, size: str | None,
              page: int | None, cluster_id: int) -> dict[str, Any]:
    """The result's current page; Previous/Next and the page size move through it."""
    if not result:
        return {"table": None, "summary": None, "label": "", "page": 0, "prev": True,
                "next": True, "csv": True, "parquet": True}
    if result.get("kind") == "insert":
        return {"table": None, "summary": ui.make_summary(result), "label": "", "page": 0,
                "prev": True, "next": True, "csv": True, "parquet": True}
    step = {SqlConsole.prev: -1, SqlConsole.next: 1}.get(str(ctx.triggered_id), 0)
    wanted = 0 if ctx.triggered_id in (SqlConsole.result, SqlConsole.page_size) \
        else (page or 0) + step
    shown = console.result_page(runtime(), cluster_id, user_id=signed_in_user().id,
                                run_id=str(result.get("run_id", "")), page=wanted,
                                page_size=int(size or 25))
    return {"table": ui.make_result_table(shown), "summary": ui.make_summary(result),
            "label": ui.page_label(shown), "page": shown.page, "prev": shown.page == 0,
            "next": shown.page >= shown.pages - 1, "csv": False, "parquet": False}


@callback(Output(SqlConsole.download, "data"), Output(SqlConsole.error, "children",
                                                     allow_duplicate=True),
          Input(SqlConsole.export_csv, "n_clicks"), Input(SqlConsole.export_parquet, "n_clicks"),
          State(SqlConsole.result, "data"), State(SqlConsole.cluster, "data"),
          prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=2, error_output=1, title="Not exported")
def export(n_csv: int | None, n_parquet: int | None, result: dict[str, Any] | None,
           cluster_id: int) -> tuple[Any, Any]:
    """The held result as a CSV or Parquet file."""
    if not (n_csv or n_parquet) or not result:
        raise PreventUpdate
    fmt = "parquet" if ctx.triggered_id == SqlConsole.export_parquet else "csv"
    found = console.export(runtime(), cluster_id, user_id=signed_in_user().id,
                           run_id=str(result.get("run_id", "")), fmt=fmt)
    return {"content": base64.b64encode(found.content).decode(), "filename": found.filename,
            "type": found.mimetype, "base64": True}, None


@callback(Output(SqlConsole.history, "children"), Input(SqlConsole.history_version, "data"),
          State(SqlConsole.cluster, "data"))
@guarded(Role.VIEWER, title="No history")
def show_history(_version: int | None, cluster_id: int) -> Any:
    """The member's statements on this cluster, newest first."""
    return ui.make_history(console.history(runtime(), cluster_id,
                                           user_id=signed_in_user().id))


@callback(Output(SqlConsole.editor, "value", allow_duplicate=True),
          Output(SqlConsole.error, "children", allow_duplicate=True),
          Input({"type": SqlConsole.HISTORY_ITEM, "entry": ALL}, "n_clicks"),
          State(SqlConsole.cluster, "data"), prevent_initial_call=True)
@guarded(Role.VIEWER, outputs=2, error_output=1, title="Not loaded", when=item_clicked)
def load_history(_clicks: list[int], cluster_id: int) -> tuple[Any, Any]:
    """Put a statement of the history back into the editor."""
    entry = ctx.triggered_id["entry"] if isinstance(ctx.triggered_id, dict) else None
    if not isinstance(entry, int):
        raise PreventUpdate
    return console.history_statement(runtime(), cluster_id, user_id=signed_in_user().id,
                                     entry_id=entry), None


# A table or column name goes into the editor at the cursor, in the browser: it reads nothing
# from the server and changes only the text being typed.
clientside_callback(
    """
    function (clicks, text, editorId) {
        const C = window.dash_clientside;
        const trigger = C.callback_context.triggered_id;
        if (!trigger || !clicks.some(Boolean)) { return C.no_update; }
        const name = trigger.name;
        const editor = document.getElementById(editorId);
        const value = text || "";
        const start = editor ? editor.selectionStart : value.length;
        const end = editor ? editor.selectionEnd : value.length;
        return value.slice(0, start) + name + value.slice(end);
    }
    """,
    Output(SqlConsole.editor, "value", allow_duplicate=True),
    Input({"type": SqlConsole.NAME, "table": ALL, "name": ALL}, "n_clicks"),
    State(SqlConsole.editor, "value"),
    State(SqlConsole.editor, "id"),
    prevent_initial_call=True,
)
