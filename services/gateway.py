"""The query gateway: a cluster's app credential runs read-only SQL on that cluster's tables.

On the embedded engine ClickHouse has no users, so the app enforces the credential. A query
passes five gates before it runs, each using ClickHouse's own parser and analyser rather than
patterns over the text:

1. the username and secret match the cluster (argon2, constant time) and the cluster runs;
2. ``formatQuerySingleLine`` parses it, as a bound value, into exactly one canonical statement
   (comments dropped; several statements are refused);
3. ``SELECT * FROM (<statement>)`` parses, so it is a query: no DDL, ``INSERT``, ``FORMAT`` or
   ``INTO OUTFILE``;
4. its syntax tree has no ``SETTINGS``, no table function but pure generators (``numbers``,
   ``zeros``, ``generate_series``, ``values``), no function reading outside the query
   (``file``, dictionaries, ``joinGet``, host information), and no other database;
5. the analyser's query tree, with names resolved in the cluster's database, reads only tables
   of that database.

It then runs exactly the checked statement with ``readonly = 1`` and the cluster's limits.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import pyarrow as pa

from data import cluster_ops, memberships
from data.clickhouse import ClickHouse, ClickHouseError
from lyceum.errors import AppError, Forbidden, NotAuthenticated, ValidationError
from services import audit
from services.cluster_session import cluster_query_settings
from services.runtime import Runtime

MAX_QUERY_CHARS = 100_000
ALLOWED_TABLE_FUNCTIONS = frozenset(
    {"numbers", "numbers_mt", "zeros", "zeros_mt", "generate_series", "generateseries",
     "values"})
#: Ordinary functions that read files, dictionaries, other tables or facts about the host.
DENIED_FUNCTIONS = frozenset({
    "file", "joinget", "joingetornull", "hascolumnintable", "getserversetting",
    "getserversettings", "getmacro", "getclienthttpheader", "hostname", "fqdn", "tcpport",
    "getserverport", "serveruuid", "uptime", "getoskernelversion", "buildid", "displayname",
    "catboostevaluate", "modelevaluate", "naivebayesclassifier", "currentprofiles",
    "enabledprofiles", "defaultprofiles", "currentroles", "enabledroles", "defaultroles",
    "shardnum", "shardcount", "getscalar", "input",
})
DENIED_PREFIXES = ("dict", "filesystem", "__")
#: One-row constant table the analyser reads for ``SELECT`` without ``FROM``.
_CONSTANT_TABLES = frozenset({"system.one"})
_TREE_TABLE = re.compile(r"^\s*TABLE id: \d+,.*\btable_name: (.+)$")
_TREE_TABLE_FUNCTION = re.compile(r"^\s*TABLE_FUNCTION id: \d+,.*\btable_function_name: (\S+)")
_TREE_FUNCTION = re.compile(r"^\s*FUNCTION id: \d+, function_name: ([^,\s]+)")
_ERROR_CODE = re.compile(r"\(([A-Z][A-Z_]+)\)\s*$")
LIMIT_MESSAGES = {
    "TIMEOUT_EXCEEDED": "The query ran longer than this cluster allows "
                        "({max_execution_time} s).",
    "MEMORY_LIMIT_EXCEEDED": "The query needed more memory than this cluster allows "
                             "({max_memory_usage:,} bytes).",
    "TOO_MANY_ROWS_OR_BYTES": "The result has more rows than this cluster returns "
                              "({max_result_rows:,}).",
}
GENERIC_AUTH_FAILURE = "The username or secret is not valid for this cluster."


class QueryRefused(Forbidden):
    """The credential is valid but the query is not allowed; the message says why."""

    code = "query_refused"


class QueryLimitExceeded(AppError):
    """The query ran into one of the cluster's limits."""

    status_code = 422
    code = "query_limit"


@dataclass(frozen=True)
class GatewayTarget:
    """The cluster a verified credential may query."""

    cluster_id: int
    database: str
    limits: dict[str, int]


def run_gateway_query(runtime: Runtime, *, cluster_id: int, username: str, secret: str,
                      sql: str, allowed_statuses: Collection[str] = ("running",)
                      ) -> pa.Table:
    """Run one read-only query with a cluster's app credential; return the rows as Arrow.

    Raises :class:`NotAuthenticated` for a wrong credential, :class:`QueryRefused` for a
    cluster that is not running or a query that is not allowed, :class:`ValidationError` for
    text that is not one statement.
    """
    target = authenticate(runtime, cluster_id=cluster_id, username=username, secret=secret,
                          allowed_statuses=allowed_statuses)
    statement = checked_statement(runtime.ch, sql, database=target.database,
                                  settings=_read_only(target.limits))
    try:
        return cluster_ops.run_select(runtime.ch, statement, database=target.database,
                                      settings=_read_only(target.limits))
    except ClickHouseError as exc:
        code = _error_code(exc).strip(" ()")
        if code in LIMIT_MESSAGES:
            raise QueryLimitExceeded(_limit_message(code, target.limits)) from exc
        raise


def authenticate(runtime: Runtime, *, cluster_id: int, username: str, secret: str,
                 allowed_statuses: Collection[str] = ("running",)) -> GatewayTarget:
    """The cluster ``username``/``secret`` opens; a failure is audited and says nothing more."""
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        stored_user = cluster.credential_user if cluster else ""
        stored_hash = cluster.credential_hash if cluster else None
        # Both checks always run, so an unknown cluster or user costs the same time.
        user_ok = hmac.compare_digest(username.encode(), (stored_user or "\0").encode())
        secret_ok = runtime.keys.verify_credential(stored_hash, secret,
                                                   legacy=runtime.passwords.verify)
        if cluster is None or not (user_ok and secret_ok):
            audit.record(session, "gateway.authenticate", actor=audit.Actor(label=username),
                         outcome="failure", target_type="cluster", target_id=cluster_id,
                         cluster_id=cluster.id if cluster else None)
            session.commit()
            raise NotAuthenticated(GENERIC_AUTH_FAILURE)
        if cluster.status not in allowed_statuses or cluster.decommissioned_at is not None:
            raise QueryRefused(f"The cluster “{cluster.name}” is {cluster.status}; "
                               "only running clusters answer queries.")
        return GatewayTarget(cluster.id, cluster.database_name, cluster_query_settings(cluster))


def checked_statement(ch: ClickHouse, sql: str, *, database: str,
                      settings: dict[str, int]) -> str:
    """The canonical statement of ``sql`` if it is one query reading only ``database``.

    The returned text is what must be run. Raises :class:`ValidationError` or
    :class:`QueryRefused` with the reason.
    """
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError("Send one SELECT query.", fields={"sql": "empty"})
    if len(sql) > MAX_QUERY_CHARS or "\0" in sql:
        raise ValidationError(f"Queries are limited to {MAX_QUERY_CHARS:,} characters.",
                              fields={"sql": "too long"})
    try:
        canonical = cluster_ops.format_query(ch, sql)
    except ClickHouseError as exc:
        raise ValidationError("The query is not exactly one valid SQL statement.",
                              fields={"sql": "syntax"}) from exc
    statement = f"SELECT * FROM ({canonical})"
    try:
        ast = cluster_ops.explain_ast(ch, statement)
    except ClickHouseError as exc:
        raise QueryRefused("Only a single SELECT query (optionally starting with WITH) "
                           "is allowed.") from exc
    check_syntax_tree(ast, database=database)
    try:
        tree = cluster_ops.explain_query_tree(ch, statement, database=database,
                                              settings=settings)
    except ClickHouseError as exc:
        raise QueryRefused("The query could not be analysed in the database "
                           f"“{database}”{_error_code(exc)}.") from exc
    check_query_tree(tree, database=database, allowed_tables=_tables(ch, database))
    return statement


def check_syntax_tree(lines: list[str], *, database: str) -> None:
    """Refuse settings, table functions, denied functions and other databases (``EXPLAIN AST``)."""
    for node, parent in _nodes(lines):
        kind, _, rest = node.partition(" ")
        name = rest.split(" ", 1)[0]
        if kind == "Set":
            raise QueryRefused("Queries may not change settings (no SETTINGS clause).")
        if kind == "Function" and parent.startswith("TableExpression"):
            _check_table_function(name)
        elif kind == "Function":
            _check_function(name)
        elif kind == "TableIdentifier" and "." in name and name.split(".")[0] != database:
            raise QueryRefused(f"Only the tables of the database “{database}” can be queried.")


def check_query_tree(lines: list[str], *, database: str,
                     allowed_tables: Collection[str]) -> None:
    """Refuse any table, table function or function outside what the cluster may read."""
    allowed = set(allowed_tables) | _CONSTANT_TABLES
    for line in lines:
        if (match := _TREE_TABLE.match(line)) and match.group(1).strip() not in allowed:
            raise QueryRefused(f"Only the tables of the database “{database}” can be queried.")
        if match := _TREE_TABLE_FUNCTION.match(line):
            _check_table_function(match.group(1))
        if match := _TREE_FUNCTION.match(line):
            _check_function(match.group(1))


def _check_table_function(name: str) -> None:
    if name.lower() not in ALLOWED_TABLE_FUNCTIONS:
        raise QueryRefused(f"The table function {name}() is not allowed; query the cluster's "
                           "tables (numbers(), zeros(), generate_series() and values() are).")


def _check_function(name: str) -> None:
    lowered = name.lower()
    if lowered in DENIED_FUNCTIONS or lowered.startswith(DENIED_PREFIXES):
        raise QueryRefused(f"The function {name}() is not allowed through the gateway.")


def _nodes(lines: list[str]) -> Iterator[tuple[str, str]]:
    """Each ``EXPLAIN AST`` node with its parent node, from the indentation."""
    stack: list[tuple[int, str]] = []
    for line in lines:
        depth, node = len(line) - len(line.lstrip(" ")), line.strip()
        while stack and stack[-1][0] >= depth:
            stack.pop()
        yield node, stack[-1][1] if stack else ""
        stack.append((depth, node))


def _tables(ch: ClickHouse, database: str) -> set[str]:
    return {f"{database}.{name}" for name in cluster_ops.table_facts(ch, database)}


def _limit_message(code: str, limits: dict[str, int]) -> str:
    template = LIMIT_MESSAGES[code]
    try:
        return template.format(**limits)
    except (KeyError, ValueError):
        return template.split(" (")[0] + "."


def _error_code(exc: ClickHouseError) -> str:
    """`` (CODE_NAME)`` from a ClickHouse error, or nothing: the name, never the details."""
    match = _ERROR_CODE.search(str(exc))
    return f" ({match.group(1)})" if match else ""


def _read_only(limits: dict[str, int]) -> dict[str, int]:
    return {**limits, "readonly": 1}
