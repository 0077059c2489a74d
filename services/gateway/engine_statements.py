"""What a caller of the engine service may run, and with which settings.

The app may run anything. A cluster's credential may run, in its own database only:

* a query the gateway allows (:func:`services.gateway.sql.checked_statement`), where the
  system tables clients read on connect (``system.tables``, ``system.columns``,
  ``system.databases``, ``system.settings``) are visible, filtered by the engine itself to the
  cluster's database (ClickHouse's ``additional_table_filters``: nothing is rewritten);
* ``DESCRIBE``, ``EXISTS TABLE`` and ``SHOW TABLES`` of its own tables;
* ``INSERT INTO <own table> [(columns)] FORMAT <format>`` or ``… VALUES``, checked as an allow
  list over ``EXPLAIN AST`` like a query; ``VALUES`` data is read as literals only.

Queries run with ``readonly = 1`` and the cluster's limits; nothing of a refused statement
runs, every refusal is audited, and a refusal says nothing about what exists elsewhere.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from data import cluster_ops
from data.clickhouse import ClickHouseError
from lyceum.errors import ValidationError
from services.core.runtime import Runtime
from services.gateway.engine_access import EngineCaller, record_statement
from services.gateway.sql import (
    MAX_QUERY_CHARS,
    NOT_ONE_STATEMENT,
    QueryRefused,
    checked_statement,
    other_database,
)

#: The settings a credential sees in ``system.settings`` (what clients read on connect, and
#: the limits its cluster runs under); the others say nothing it needs, some of the host.
VISIBLE_SETTINGS = (
    "readonly", "max_execution_time", "max_memory_usage", "max_threads", "max_result_rows",
    "max_result_bytes", "max_rows_to_read", "max_bytes_to_read", "result_overflow_mode",
    "date_time_input_format", "date_time_output_format", "session_timezone",
    "output_format_json_quote_64bit_integers", "enable_http_compression",
    "send_progress_in_http_headers", "http_headers_progress_interval_ms",
    "cancel_http_readonly_queries_on_client_close", "wait_end_of_query",
    "max_block_size", "join_use_nulls", "allow_experimental_object_type",
)
#: System tables a credential may read, with the condition that keeps them to its database.
SYSTEM_VIEWS: dict[str, str] = {
    "system.tables": "database = {db}", "system.columns": "database = {db}",
    "system.databases": "name = {db}",
    "system.settings": "name IN (" + ", ".join(f"'{name}'" for name in VISIBLE_SETTINGS) + ")",
}
#: Formats a credential may insert in (binary and text formats that carry only data).
INPUT_FORMATS = frozenset({
    "Native", "RowBinary", "RowBinaryWithNames", "RowBinaryWithNamesAndTypes",
    "TabSeparated", "TSV", "TabSeparatedWithNames", "TSVWithNames",
    "TabSeparatedWithNamesAndTypes", "TSVWithNamesAndTypes", "CSV", "CSVWithNames",
    "CSVWithNamesAndTypes", "JSONEachRow", "JSONLines", "NDJSON", "JSONCompactEachRow",
    "Values", "Arrow", "ArrowStream", "Parquet",
})
#: Largest result a credential's query may produce when its cluster sets no smaller one.
MAX_RESULT_BYTES = 1024**3
NOT_ALLOWED = ("Only SELECT, DESCRIBE, EXISTS TABLE, SHOW TABLES and INSERT INTO one of this "
               "cluster's tables are allowed.")
INSERT_SHAPE = ("An INSERT must be INSERT INTO <table> [(columns)] FORMAT <format> or "
                "INSERT INTO <table> [(columns)] VALUES, for one of this cluster's tables.")
READONLY = "Cannot modify '{name}' setting in readonly mode."
PARAMETER_ESCAPES = "Query parameter values may not contain backslash escapes."
_IDENT = r"(?:`(?:[^`\\]|\\.)+`|[A-Za-z_][A-Za-z0-9_]*)"
_INSERT = re.compile(
    rf"\s*INSERT\s+INTO\s+(?:TABLE\s+)?(?P<target>{_IDENT}(?:\s*\.\s*{_IDENT})?)\s*"
    r"(?P<columns>\((?:[^()`]|`(?:[^`\\]|\\.)*`)*\))?\s*"
    r"(?:(?P<values>VALUES)\b|FORMAT\s+(?P<format>[A-Za-z][A-Za-z0-9_]*))(?P<rest>.*)\Z",
    re.IGNORECASE | re.DOTALL)
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")


@dataclass(frozen=True)
class EnginePlan:
    """What the engine service runs for one request."""

    statement: str
    settings: dict[str, str]
    database: str | None = None
    #: The input format of an INSERT that takes data (``None`` for any other statement).
    insert_format: str | None = None
    #: Data written in the statement itself (``VALUES (1, 2)``, or rows after ``FORMAT``).
    inline_data: bytes = b""

    @property
    def is_insert(self) -> bool:
        """True for an INSERT that reads data."""
        return self.insert_format is not None


class CheckedPlans:
    """Plans a credential's statements were allowed as, for a short while (a runtime cache).

    The check depends on the statement, its parameters, the cluster's database, tables and
    limits; the key holds all but the tables, which only the app changes (a plan for a table
    dropped since then fails in the engine). Refusals are never kept: each is checked again
    and audited.
    """

    TTL_S = 30.0
    SIZE = 2048
    #: Longer statements are checked every time (the cache stays within a few tens of MB).
    LONGEST = 8192

    def __init__(self) -> None:
        self._plans: OrderedDict[tuple[object, ...], tuple[float, EnginePlan]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> EnginePlan | None:
        """The plan kept for ``key`` if it is fresh."""
        with self._lock:
            found = self._plans.get(key)
            if found is None or time.monotonic() - found[0] > self.TTL_S:
                return None
            self._plans.move_to_end(key)
            return found[1]

    def put(self, key: tuple[object, ...], plan: EnginePlan) -> None:
        """Keep ``plan`` for ``key`` (the oldest goes when full)."""
        with self._lock:
            self._plans[key] = (time.monotonic(), plan)
            self._plans.move_to_end(key)
            while len(self._plans) > self.SIZE:
                self._plans.popitem(last=False)

    def clear(self) -> None:
        """Forget every plan."""
        with self._lock:
            self._plans.clear()


@dataclass(frozen=True)
class InsertParts:
    """An ``INSERT INTO t [(cols)] FORMAT f|VALUES <data>`` split into statement and data."""

    statement: str
    target: str
    fmt: str
    data: bytes


def split_insert(sql: str) -> InsertParts | None:
    """``sql`` as an INSERT with data, or ``None`` if it is not of that shape."""
    match = _INSERT.match(sql)
    if match is None:
        return None
    columns = f" {match['columns']}" if match["columns"] else ""
    statement = f"INSERT INTO {match['target']}{columns}"
    rest = match["rest"]
    fmt = "Values" if match["values"] else match["format"]
    if not match["values"]:
        rest = _data_start(rest)
    return InsertParts(statement, match["target"], fmt, rest.encode("utf-8", "surrogateescape"))


def _data_start(rest: str) -> str:
    """The data after ``FORMAT <name>``, as ClickHouse's parser finds it: spaces, tabs and
    form feeds skipped, then at most one line end (binary data may begin with any byte)."""
    at = 0
    while at < len(rest) and rest[at] in " \t\f":
        at += 1
    if rest.startswith("\r", at):
        at += 1
    if rest.startswith("\n", at):
        at += 1
    return rest[at:]


def plan_statement(runtime: Runtime, caller: EngineCaller, *, sql: str,
                   database: str | None = None, settings: Mapping[str, str] | None = None,
                   parameters: Mapping[str, str] | None = None) -> EnginePlan:
    """What to run for ``sql`` (with query ``parameters``) from ``caller``; refusals raise
    :class:`QueryRefused` or :class:`ValidationError` after being audited, with nothing run."""
    if caller.is_app:
        return _app_plan(sql, database=database, settings=settings or {})
    plans = runtime.caches.of(CheckedPlans)
    key = (caller.cluster_id, caller.database, tuple(sorted(caller.limits.items())), sql,
           database, tuple(sorted((settings or {}).items())),
           tuple(sorted((parameters or {}).items())))
    kept = plans.get(key)
    if kept is not None and not kept.is_insert:
        return kept
    try:
        plan = _cluster_plan(runtime, caller, sql, database=database, settings=settings or {},
                             parameters=parameters or {})
        if not plan.is_insert and len(sql) <= CheckedPlans.LONGEST:
            plans.put(key, plan)
        return plan
    except (QueryRefused, ValidationError) as exc:
        record_statement(runtime, caller, action="engine.refused", outcome="denied",
                         detail={"reason": exc.user_message, "sql": sql[:500]})
        raise


def _app_plan(sql: str, *, database: str | None, settings: Mapping[str, str]) -> EnginePlan:
    parts = split_insert(sql)
    if parts is not None:
        return EnginePlan(parts.statement, dict(settings), database, parts.fmt, parts.data)
    return EnginePlan(sql, dict(settings), database)


def _cluster_plan(runtime: Runtime, caller: EngineCaller, sql: str, *, database: str | None,
                  settings: Mapping[str, str], parameters: Mapping[str, str]) -> EnginePlan:
    own = str(caller.database)
    if database not in (None, "", own):
        raise QueryRefused(other_database(own))
    for name in settings:
        raise QueryRefused(READONLY.format(name=name[:100]))
    if any("\\" in value for value in parameters.values()):
        # the check passes values through a client that escapes them; without escapes the
        # engine reads exactly what was checked
        raise QueryRefused(PARAMETER_ESCAPES)
    first = _FIRST_WORD.match(sql)
    if first and first.group(1).upper() == "INSERT":
        return _insert_plan(runtime, caller, sql)
    _check_size(sql)
    try:
        canonical = cluster_ops.format_query(runtime.ch, sql)
        lines = cluster_ops.explain_ast(runtime.ch, canonical, parameters=parameters)
    except ClickHouseError as exc:
        raise ValidationError(NOT_ONE_STATEMENT, fields={"sql": "syntax"}) from exc
    lines = without_client_format(lines)
    kind = lines[0].split(" ", 1)[0] if lines else ""
    if kind == "SelectWithUnionQuery":
        statement = checked_statement(runtime.ch, sql, database=own, visible=SYSTEM_VIEWS,
                                      parameters=parameters)
    elif kind in ("DescribeQuery", "ExistsTableQuery", "ShowTables"):
        check_metadata_statement(lines, database=own,
                                 tables=cluster_ops.table_facts(runtime.ch, own))
        statement = canonical
    else:
        raise QueryRefused(NOT_ALLOWED)
    return EnginePlan(statement, query_settings(caller), own)


def _insert_plan(runtime: Runtime, caller: EngineCaller, sql: str) -> EnginePlan:
    own = str(caller.database)
    parts = split_insert(sql)
    if parts is None:
        _check_size(sql)
        raise QueryRefused(INSERT_SHAPE)
    _check_size(parts.statement)
    if parts.fmt not in INPUT_FORMATS:
        raise QueryRefused(f"Data can be inserted in these formats: "
                           f"{', '.join(sorted(INPUT_FORMATS))}.")
    try:
        lines = cluster_ops.explain_ast(runtime.ch, f"{parts.statement} FORMAT {parts.fmt}")
    except ClickHouseError as exc:
        raise ValidationError(NOT_ONE_STATEMENT, fields={"sql": "syntax"}) from exc
    check_insert_tree(without_client_format(lines), database=own,
                      tables=cluster_ops.table_facts(runtime.ch, own))
    return EnginePlan(parts.statement, insert_settings(caller), own, parts.fmt, parts.data)


def without_client_format(lines: list[str]) -> list[str]:
    """``EXPLAIN AST`` lines without the ``FORMAT Native`` the engine's client appends (the
    statement itself never has one: a trailing FORMAT is taken off before planning)."""
    return lines[:-1] if len(lines) > 1 and lines[-1] == " Identifier Native" else lines


def _check_size(sql: str) -> None:
    if len(sql) > MAX_QUERY_CHARS or "\0" in sql:
        raise ValidationError(f"Queries are limited to {MAX_QUERY_CHARS:,} characters.",
                              fields={"sql": "too long"})


def check_insert_tree(lines: list[str], *, database: str, tables: Collection[str]) -> None:
    """Refuse an INSERT's ``EXPLAIN AST`` unless it names one of ``tables`` (in ``database``)
    and at most a list of column names: no SELECT, table function, SETTINGS or expression."""
    if not lines or lines[0].split(" ", 1)[0] != "InsertQuery":
        raise QueryRefused(INSERT_SHAPE)
    names: list[str] = []
    for line in lines[1:]:
        depth, (kind, _, rest) = len(line) - len(line.lstrip()), line.strip().partition(" ")
        if depth == 1 and kind == "Identifier":
            names.append(rest.split(" ", 1)[0])
        elif not ((depth == 1 and kind == "ExpressionList")
                  or (depth == 2 and kind == "Identifier")):
            raise QueryRefused(INSERT_SHAPE)
    if len(names) == 2 and names[0] != database:
        raise QueryRefused(other_database(database))
    if len(names) not in (1, 2) or names[-1] not in tables:
        raise QueryRefused(INSERT_SHAPE)


def check_metadata_statement(lines: list[str], *, database: str,
                             tables: Collection[str]) -> None:
    """Allow ``DESCRIBE`` of an own or visible table, ``EXISTS TABLE`` of an own table and
    ``SHOW TABLES`` of the own database; refuse anything else of their syntax trees."""
    kind = lines[0].strip().split(" ", 1)[0]
    own = {f"{database}.{name}" for name in tables} | set(tables) | set(SYSTEM_VIEWS)
    children = [(len(line) - len(line.lstrip()), line.strip().split(" ")) for line in lines[1:]]
    if kind == "DescribeQuery":
        shape = [(depth, words[0]) for depth, words in children]
        if shape != [(1, "TableExpression"), (2, "TableIdentifier")]:
            raise QueryRefused(NOT_ALLOWED)
        if children[1][1][1] not in own:
            raise QueryRefused(other_database(database))
        return
    names = [words[1] for depth, words in children if words[0] == "Identifier" and depth == 1]
    if any(words[0] not in ("Identifier", "Literal") or depth != 1
           for depth, words in children):
        raise QueryRefused(NOT_ALLOWED)
    if kind == "ShowTables":
        if names and names != [database]:
            raise QueryRefused(other_database(database))
        return
    if len(names) == 2 and names[0] != database:
        raise QueryRefused(other_database(database))
    if len(names) not in (1, 2) or any(words[0] == "Literal" for _, words in children):
        raise QueryRefused(NOT_ALLOWED)


def _filters(database: str) -> str:
    quoted = quote(database)
    pairs = [f"{quote(name)}: {quote(condition.replace('{db}', quoted))}"
             for name, condition in SYSTEM_VIEWS.items()]
    return "{" + ", ".join(pairs) + "}"


def query_settings(caller: EngineCaller) -> dict[str, str]:
    """The settings a credential's query runs with: its limits, the system-table filters, a
    bound on the result, and ``readonly`` last (after it nothing can be changed)."""
    limits = {name: str(value) for name, value in caller.limits.items()}
    cap = min(int(caller.limits.get("max_result_bytes") or MAX_RESULT_BYTES), MAX_RESULT_BYTES)
    return {**limits, "max_result_bytes": str(cap), "result_overflow_mode": "throw",
            "additional_table_filters": _filters(str(caller.database)), "readonly": "1"}


def insert_settings(caller: EngineCaller) -> dict[str, str]:
    """The settings a credential's INSERT runs with: its limits, and ``VALUES`` read as
    literals only (no expression, so no subquery, can be smuggled in the data)."""
    return {**{name: str(value) for name, value in caller.limits.items()},
            "input_format_values_interpret_expressions": "0",
            "input_format_values_deduce_templates_of_expressions": "0",
            "async_insert": "0"}


def quote(text: str) -> str:
    """``text`` as a ClickHouse string literal."""
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
