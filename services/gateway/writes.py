"""What an editor may write through the SQL console: ``INSERT`` into the cluster's own tables.

Like the read path (:mod:`services.gateway.sql`), nothing runs until ClickHouse's own parser
has shown the statement to be allowed, and the check is an allow list over ``EXPLAIN AST``:

1. ``formatQuerySingleLine`` turns the text into exactly one canonical statement;
2. its syntax tree is an ``InsertQuery`` whose parts are, in order, the table (one name, or
   the cluster's database and a name), an optional list of plain column names, and either a
   ``SELECT`` or nothing (``VALUES`` data, which the parser keeps out of the tree). Anything
   else (``INSERT INTO FUNCTION``, ``FROM INFILE``, ``SETTINGS``, ``*`` as columns) is refused;
3. the table is one of the cluster's own; another database's table, existing or not, gets the
   same refusal as a table that does not exist;
4. the ``SELECT`` passes every check of the read path (its own tables, allowed functions…);
5. ``VALUES`` data is never run as it was sent: it becomes the rows of the ``values()`` table
   function, typed with the target columns, and that ``INSERT … SELECT`` is checked again from
   step 1, so the data is under the same allow lists as any query.

The returned statement is what must be run (with the cluster's limits, never ``readonly``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from data.analytics import cluster_ops
from data.analytics.clickhouse import ClickHouse, ClickHouseError
from data.analytics.sql_console import TableColumns
from lyceum.errors import ValidationError
from services.gateway.sql import (
    MAX_QUERY_CHARS,
    NOT_ONE_STATEMENT,
    QueryRefused,
    check_query_lines,
    other_database,
)

INSERT_SHAPE = ("Only INSERT INTO a table of this cluster, with an optional list of columns, "
                "followed by VALUES (…) or a SELECT is allowed.")
NO_VALUES = "Write the rows after VALUES, e.g. VALUES (1, 'a'), (2, 'b')."
_VALUES = re.compile(r"\bvalues\b", re.IGNORECASE)
#: How many occurrences of the word VALUES are tried as the start of the data.
_MAX_CANDIDATES = 20


@dataclass(frozen=True)
class _Line:
    depth: int
    kind: str
    name: str


def is_insert(canonical: str) -> bool:
    """True if a canonical statement (``formatQuerySingleLine``) is an ``INSERT``."""
    return canonical.startswith("INSERT ")


def checked_insert(ch: ClickHouse, sql: str, *, database: str,
                   tables: Mapping[str, TableColumns]) -> str:
    """The canonical ``INSERT … SELECT`` to run for ``sql``, if it only writes one of
    ``tables`` (the cluster's own, in ``database``) and reads what a query may read.

    Raises :class:`ValidationError` for text that is not one statement and
    :class:`~services.gateway.sql.QueryRefused` for anything not allowed.
    """
    canonical = canonical_statement(ch, sql)
    table, columns, select = _insert_parts(ch, canonical, database=database, tables=tables)
    if select is not None:
        check_query_lines(ch, select, database=database)
        return canonical
    if not canonical.endswith(" FORMAT Values"):
        raise QueryRefused(INSERT_SHAPE)
    rows = _values_data(ch, sql, canonical)
    rebuilt = _as_select(tables[table], columns, rows)
    canonical = _format(ch, rebuilt)
    _table, _columns, select = _insert_parts(ch, canonical, database=database, tables=tables)
    if select is None:
        raise QueryRefused(INSERT_SHAPE)
    check_query_lines(ch, select, database=database)
    return canonical


def canonical_statement(ch: ClickHouse, sql: str) -> str:
    """ClickHouse's canonical form of ``sql`` if it is exactly one statement (nothing runs).

    Raises :class:`ValidationError` for empty, oversized or unparsable text.
    """
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError("Type one statement to run.", fields={"sql": "empty"})
    if len(sql) > MAX_QUERY_CHARS or "\0" in sql:
        raise ValidationError(f"Statements are limited to {MAX_QUERY_CHARS:,} characters.",
                              fields={"sql": "too long"})
    return _format(ch, sql)


def _format(ch: ClickHouse, sql: str) -> str:
    try:
        return cluster_ops.format_query(ch, sql)
    except ClickHouseError as exc:
        raise ValidationError(NOT_ONE_STATEMENT, fields={"sql": "syntax"}) from exc


def _insert_parts(ch: ClickHouse, canonical: str, *, database: str,
                  tables: Mapping[str, TableColumns]
                  ) -> tuple[str, list[str] | None, list[str] | None]:
    """The table, the column list and the ``SELECT``'s own AST lines of an allowed insert."""
    if not is_insert(canonical):
        raise QueryRefused(INSERT_SHAPE)
    try:
        lines = cluster_ops.explain_ast(ch, canonical)
    except ClickHouseError as exc:
        raise QueryRefused(INSERT_SHAPE) from exc
    parsed = [_parse_line(line) for line in lines]
    if not parsed or parsed[0].kind != "InsertQuery" or any(p.depth <= parsed[0].depth
                                                            for p in parsed[1:]):
        raise QueryRefused(INSERT_SHAPE)
    top = parsed[0].depth + 1
    parts = [(i, p) for i, p in enumerate(parsed) if p.depth == top]
    names: list[str] = []
    while parts and parts[0][1].kind == "Identifier" and len(names) < 2:
        names.append(parts.pop(0)[1].name)
    columns: list[str] | None = None
    if parts and parts[0][1].kind == "ExpressionList":
        index, _ = parts.pop(0)
        end = parts[0][0] if parts else len(parsed)
        inner = parsed[index + 1:end]
        if not inner or any(p.kind != "Identifier" or p.depth != top + 1 for p in inner):
            raise QueryRefused(INSERT_SHAPE)
        columns = [p.name for p in inner]
    select: list[str] | None = None
    if parts and parts[0][1].kind == "SelectWithUnionQuery":
        index, _ = parts.pop(0)
        select = [line[top:] for line in lines[index:]]
    if parts or not names:
        raise QueryRefused(INSERT_SHAPE)
    table = _own_table(names, database=database, tables=tables)
    if columns is not None:
        unknown = [c for c in columns if tables[table].column_type(c) is None]
        if unknown:
            raise QueryRefused(f"The table {table} has no column {unknown[0]}.")
    return table, columns, select


def _own_table(names: list[str], *, database: str, tables: Mapping[str, TableColumns]) -> str:
    if len(names) == 2 and names[0] != database:
        raise QueryRefused(other_database(database))
    table = names[-1]
    if table not in tables:
        raise QueryRefused(other_database(database))
    return table


def _parse_line(line: str) -> _Line:
    text = line.strip()
    kind, _, rest = text.partition(" ")
    name = rest.strip().split(" ", 1)[0] if rest.strip() and not rest.strip().startswith("(") \
        else ""
    return _Line(len(line) - len(line.lstrip(" ")), kind, name)


def _values_data(ch: ClickHouse, sql: str, canonical: str) -> str:
    """The rows after the ``VALUES`` keyword of ``sql`` (whose canonical form is known)."""
    for number, match in enumerate(_VALUES.finditer(sql)):
        if number >= _MAX_CANDIDATES:
            break
        try:
            head = cluster_ops.format_query(ch, sql[:match.start()] + "VALUES")
        except ClickHouseError:
            continue
        if head == canonical:
            rows = sql[match.end():].strip().rstrip(";").strip()
            if not rows:
                raise ValidationError(NO_VALUES, fields={"sql": "no rows"})
            return rows
    raise QueryRefused(INSERT_SHAPE)


def _as_select(table: TableColumns, columns: list[str] | None, rows: str) -> str:
    """``INSERT INTO t (cols) SELECT * FROM values('<structure>', <rows>)``."""
    names = columns if columns is not None else list(table.insertable)
    structure = ", ".join(f"{_quoted_name(n)} {table.column_type(n)}" for n in names)
    column_list = ", ".join(_quoted_name(n) for n in names)
    return (f"INSERT INTO {_quoted_name(table.name)} ({column_list}) SELECT * FROM "
            f"values({_string(structure)},\n{rows}\n)")


def _quoted_name(name: str) -> str:
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def _string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"
