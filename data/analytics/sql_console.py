"""The ClickHouse side of the SQL console: a cluster's tables and columns, and running one
checked statement with its statistics (rows read, rows written, time).

Only statements that :mod:`services.gateway.sql` or :mod:`services.gateway.writes` checked
reach :func:`run_select` and :func:`run_insert`; the settings are written into the SQL (see
:mod:`data.analytics.cluster_ops`).
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from data.analytics.clickhouse import ClickHouse, ClickHouseError, validate_identifier
from data.analytics.cluster_ops import settings_clause

_AS_TEXT = (uuid.UUID, ipaddress.IPv4Address, ipaddress.IPv6Address)
#: Tables listed at most.
MAX_TABLES = 500


@dataclass(frozen=True)
class TableColumns:
    """One table of a cluster database with its columns as ``(name, type)``."""

    name: str
    engine: str
    columns: tuple[tuple[str, str], ...]
    #: The columns an ``INSERT`` without a column list fills (no MATERIALIZED/ALIAS).
    insertable: tuple[str, ...] = ()
    #: Rows the engine counts for the table (0 for views and engines that do not count).
    rows: int = 0

    def column_type(self, name: str) -> str | None:
        """The type of column ``name``, or None if the table has no such column."""
        return next((kind for column, kind in self.columns if column == name), None)


@dataclass(frozen=True)
class Ran:
    """What a statement returned: rows (for a query) and the engine's statistics."""

    table: pa.Table | None
    rows_read: int
    bytes_read: int
    rows_written: int
    elapsed_ms: float


def table_columns(ch: ClickHouse, database: str) -> list[TableColumns]:
    """Every table (and view) of ``database`` with its columns, by name."""
    tables = ch.rows("SELECT name, engine, ifNull(total_rows, 0) FROM system.tables"
                     " WHERE database = {db:String}"
                     f" ORDER BY name LIMIT {MAX_TABLES}", parameters={"db": database})
    columns = ch.rows("SELECT table, name, type, default_kind FROM system.columns"
                      " WHERE database = {db:String} ORDER BY table, position",
                      parameters={"db": database})
    by_table: dict[str, list[tuple[str, str]]] = {}
    insertable: dict[str, list[str]] = {}
    for table, name, kind, default_kind in columns:
        by_table.setdefault(str(table), []).append((str(name), str(kind)))
        if str(default_kind) in ("", "DEFAULT"):
            insertable.setdefault(str(table), []).append(str(name))
    return [TableColumns(str(name), str(engine), tuple(by_table.get(str(name), ())),
                         tuple(insertable.get(str(name), ())), int(rows or 0))
            for name, engine, rows in tables]


def run_select(ch: ClickHouse, statement: str, *, database: str,
               settings: Mapping[str, int | float | str], utc_aware: bool = False) -> Ran:
    """Run one checked query in ``database``; its rows as Arrow and its statistics.
    ``utc_aware``: times carry their zone (UTC) instead of being naive UTC times."""
    client, where = ch.client(), {"database": validate_identifier(database)}
    with _engine_errors():
        result = client.query(statement + _settings(settings), settings=where,
                              tz_mode="aware" if utc_aware else None)
        names = list(result.column_names)
        if not names:
            # chDB names no columns for an empty result; LIMIT 0 gives them without reading.
            empty = client.query_arrow(f"SELECT * FROM ({statement}) LIMIT 0"
                                       + _settings(settings), settings=where)
            return Ran(empty, *_stats(result.summary))
        columns = result.result_columns if result.row_count else [[] for _ in names]
        table = pa.table({_unique(names, i): _arrow_column(column)
                          for i, column in enumerate(columns)})
        return Ran(table, *_stats(result.summary))


def run_insert(ch: ClickHouse, statement: str, *, database: str,
               settings: Mapping[str, int | float | str]) -> Ran:
    """Run one checked ``INSERT … SELECT`` in ``database``; its statistics."""
    client, where = ch.client(), {"database": validate_identifier(database)}
    with _engine_errors():
        summary = client.command(statement + _settings(settings), settings=where)
        return Ran(None, *_stats(getattr(summary, "summary", None) or {}))


def _settings(settings: Mapping[str, int | float | str]) -> str:
    return f" SETTINGS {settings_clause(settings)}" if settings else ""


@contextmanager
def _engine_errors() -> Iterator[None]:
    """The driver's many exception types as :class:`ClickHouseError` (details in the log)."""
    try:
        yield
    except ClickHouseError:
        raise
    except Exception as exc:  # noqa: BLE001 - the driver raises many types
        raise ClickHouseError("The analytics engine could not run this query.",
                              detail=f"{type(exc).__name__}: {exc}") from exc


def _stats(summary: Mapping[str, Any]) -> tuple[int, int, int, float]:
    def number(key: str) -> int:
        try:
            return int(summary.get(key) or 0)
        except (TypeError, ValueError):
            return 0
    return (number("read_rows"), number("read_bytes"), number("written_rows"),
            number("elapsed_ns") / 1e6)


def _unique(names: list[str], index: int) -> str:
    name = names[index]
    return name if names.index(name) == index else f"{name}_{index + 1}"


def _arrow_column(values: Any) -> pa.Array:
    """The values as an Arrow array: typed where Arrow knows the type, else as text."""
    values = [str(v) if isinstance(v, _AS_TEXT) else v for v in values]
    try:
        return pa.array(values)
    except (pa.ArrowException, TypeError, ValueError, OverflowError):
        return pa.array([None if v is None else str(v) for v in values], type=pa.string())
