"""Ids of a cluster's SQL console page."""

from __future__ import annotations


class SqlConsole:
    """A cluster's SQL console page."""

    cluster = "sql-cluster-store"
    result = "sql-result-store"
    page = "sql-page-store"
    history_version = "sql-history-version-store"
    editor = "sql-editor-textarea"
    run = "sql-run-button"
    role_note = "sql-role-note-div"
    schema = "sql-schema-div"
    error = "sql-error-div"
    summary = "sql-summary-div"
    table = "sql-result-div"
    prev = "sql-prev-button"
    next = "sql-next-button"
    page_label = "sql-page-label"
    page_size = "sql-page-size-select"
    export_csv = "sql-export-csv-button"
    export_parquet = "sql-export-parquet-button"
    download = "sql-download"
    history = "sql-history-div"
    NAME = "sql-schema-name"
    HISTORY_ITEM = "sql-history-item"


def sql_schema_name(table: str, name: str) -> dict[str, str]:
    """The id of the button that inserts ``name`` (``table`` itself or one of its columns)
    into the editor."""
    return {"type": SqlConsole.NAME, "table": table, "name": name}


def sql_history_item(entry_id: int) -> dict[str, str | int]:
    """The id of one history entry (click to load it into the editor)."""
    return {"type": SqlConsole.HISTORY_ITEM, "entry": entry_id}
