"""The query gateway: a cluster's app credential runs read-only SQL on that cluster's tables.

On the embedded engine ClickHouse has no users, so the app enforces the credential. Nothing of
a statement runs until it is allowed, and it is allowed only by allow lists over ClickHouse's
own parse of it (never patterns over the text, never a list of what is forbidden):

1. the caller's address has not failed too often, and the username and secret match the
   cluster, which runs;
2. ``formatQuerySingleLine`` parses it, as a bound value, into exactly one canonical statement
   (comments dropped; several statements are refused);
3. ``EXPLAIN AST SELECT * FROM (<statement>)`` parses it again, so it is a query: no DDL,
   ``INSERT``, ``FORMAT`` or ``INTO OUTFILE``. ``EXPLAIN AST`` only parses: the analyser,
   which evaluates scalar subqueries to resolve a query, never sees a statement before it is
   allowed;
4. every node of that syntax tree is of an allowed kind (no ``SETTINGS``), every function is
   on the allow list of :mod:`services.gateway.allow_lists` (an alias counts as what it names),
   every table function generates rows, every table is the cluster's own or an unqualified
   name (resolved in the cluster's database), and the right side of ``IN`` is a list or a
   subquery, never a name.

The decision depends only on the text and the cluster's own tables, so a refusal says nothing
about what exists elsewhere. It then runs exactly the checked statement with ``readonly = 1``,
the cluster's limits and a bound on the result's size; an engine error is reported by its
code alone. Successful queries and refusals are audited.
"""

from __future__ import annotations

import hmac
import re
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

import pyarrow as pa

from data.analytics import cluster_ops, sql_console
from data.analytics.clickhouse import ClickHouse, ClickHouseError
from data.metadata import audit as audit_data
from data.metadata import memberships
from data.metadata.models import utcnow
from lyceum.errors import AppError, Forbidden, NotAuthenticated, ValidationError
from services.clusters.query_session import cluster_query_settings
from services.core import audit
from services.core.runtime import Runtime
from services.gateway.allow_lists import (
    ALLOWED_COMBINATORS,
    ALLOWED_FUNCTIONS,
    ALLOWED_NODES,
    ALLOWED_TABLE_FUNCTIONS,
    IN_OPERATORS,
    SYNTAX_FUNCTIONS,
)

MAX_QUERY_CHARS = 100_000
#: Rows a gateway answer carries; the engine stops reading once it has one more.
MAX_ROWS_RETURNED = 10_000
#: Bytes a gateway result may hold in the engine's answer (``max_result_bytes``).
MAX_RESULT_BYTES = 64 * 1024 * 1024
#: Failed sign-ins from one address within the window before it must wait.
AUTH_FAILURE_LIMIT = 20
AUTH_FAILURE_WINDOW = timedelta(minutes=5)
#: ``(TIMEOUT_EXCEEDED)`` in ``… DB::Exception: …. (TIMEOUT_EXCEEDED) (version 26.9.2.1)``; over
#: HTTP the driver appends ``(for url …)``, so the last such name is the error's.
_ERROR_CODE = re.compile(r"\(([A-Z][A-Z_0-9]+)\)")
LIMIT_MESSAGES = {
    "TIMEOUT_EXCEEDED": "The query ran longer than this cluster allows "
                        "({max_execution_time} s).",
    "MEMORY_LIMIT_EXCEEDED": "The query needed more memory than this cluster allows "
                             "({max_memory_usage:,} bytes).",
    "TOO_MANY_ROWS_OR_BYTES": "The result is larger than the gateway returns "
                              "({max_result_bytes:,} bytes); select fewer columns or rows.",
}
GENERIC_AUTH_FAILURE = "The username or secret is not valid for this cluster."
NOT_ONE_STATEMENT = "The query is not exactly one valid SQL statement."
NOT_A_QUERY = "Only a single SELECT query (optionally starting with WITH) is allowed."
SETTINGS_REFUSED = "Queries may not change settings (no SETTINGS clause)."
IN_NEEDS_LIST = ("The right side of IN must be a list or a subquery: write "
                 "x IN (SELECT … FROM table).")


class QueryRefused(Forbidden):
    """The credential is valid but the query is not allowed; the message says why."""

    code = "query_refused"


class QueryLimitExceeded(AppError):
    """The query ran into one of the cluster's limits."""

    status_code = 422
    code = "query_limit"


class QueryFailed(AppError):
    """The engine could not run an allowed query (a missing column, a wrong type…)."""

    status_code = 422
    code = "query_failed"


class TooManyFailures(AppError):
    """Too many failed sign-ins from one address; it must wait."""

    status_code = 429
    code = "rate_limited"


@dataclass(frozen=True)
class FunctionFacts:
    """What the engine says of the functions a statement names: aliases, case, aggregates."""

    alias_to: dict[str, str] = field(default_factory=dict)
    aggregates: frozenset[str] = frozenset()
    #: Lower-cased name → canonical name, for case-insensitive functions only.
    case_insensitive: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, bool, bool]]) -> FunctionFacts:
        """Build from ``(name, alias_to, case_insensitive, is_aggregate)`` rows."""
        alias_to: dict[str, str] = {}
        aggregates: set[str] = set()
        folded: dict[str, str] = {}
        for name, alias, insensitive, aggregate in rows:
            alias_to[name] = alias
            if aggregate:
                aggregates.add(name)
            if insensitive:
                folded[name.lower()] = name
        return cls(alias_to, frozenset(aggregates), folded)

    def canonical(self, name: str) -> str | None:
        """The function ``name`` calls, through aliases and case folding; None if unknown."""
        for _ in range(4):
            if name not in self.alias_to:
                if name.lower() not in self.case_insensitive:
                    return None
                name = self.case_insensitive[name.lower()]
            target = self.alias_to[name]
            if not target:
                return name
            name = target
        return None


@dataclass(frozen=True)
class GatewayTarget:
    """The cluster a verified credential may query."""

    cluster_id: int
    database: str
    limits: dict[str, int]


@dataclass(frozen=True)
class _Node:
    kind: str
    name: str
    children: list[_Node]


def run_gateway_query(runtime: Runtime, *, cluster_id: int, username: str, secret: str,
                      sql: str, address: str = "",
                      allowed_statuses: Collection[str] = ("running",)) -> pa.Table:
    """Authenticate, then run one read-only query (:func:`authenticate`, :func:`run_query`).

    Raises :class:`TooManyFailures` when ``address`` failed too often, :class:`NotAuthenticated`
    for a wrong credential, :class:`QueryRefused` for a cluster that is not running or a query
    that is not allowed, :class:`ValidationError` for text that is not one statement,
    :class:`QueryLimitExceeded` or :class:`QueryFailed` when the engine stops it.
    """
    target = authenticate(runtime, cluster_id=cluster_id, username=username, secret=secret,
                          address=address, allowed_statuses=allowed_statuses)
    return run_query(runtime, target, sql=sql, actor=audit.Actor(label=username, ip=address))


def run_query(runtime: Runtime, target: GatewayTarget, *, sql: str,
              actor: audit.Actor) -> pa.Table:
    """Check and run one statement for an authenticated ``target``; the rows as Arrow.

    At most :data:`MAX_ROWS_RETURNED` + 1 rows come back (one more tells that there are more).
    """
    try:
        statement = checked_statement(runtime.ch, sql, database=target.database)
    except (QueryRefused, ValidationError) as exc:
        _audit(runtime, "gateway.refused", actor, target, outcome="denied",
               detail={"reason": exc.user_message, "sql": sql[:500]})
        raise
    started = time.perf_counter()
    settings = _read_only(target.limits)
    try:
        # the typed path (the driver's Native format): Arrow output would carry a DateTime
        # as UInt32 seconds, and the answer would show a number instead of a time
        ran = sql_console.run_select(runtime.ch, f"{statement} LIMIT {MAX_ROWS_RETURNED + 1}",
                                     database=target.database, settings=settings,
                                     utc_aware=True)
    except ClickHouseError as exc:
        _audit(runtime, "gateway.query", actor, target, outcome="failure",
               detail={"sql": sql[:500], "error": _error_code(exc)})
        raise engine_failure(exc, settings=settings, database=target.database) from exc
    table = ran.table if ran.table is not None else pa.table({})
    _audit(runtime, "gateway.query", actor, target, outcome="success",
           detail={"sql": sql[:500], "rows": table.num_rows, "bytes": table.nbytes,
                   "ms": round((time.perf_counter() - started) * 1000)})
    return table


def authenticate(runtime: Runtime, *, cluster_id: int, username: str, secret: str,
                 address: str = "", allowed_statuses: Collection[str] = ("running",)
                 ) -> GatewayTarget:
    """The cluster ``username``/``secret`` opens; a failure is audited and says nothing more.

    An address with :data:`AUTH_FAILURE_LIMIT` failures in the last
    :data:`AUTH_FAILURE_WINDOW` is refused before anything is checked. Only this address
    waits: the same credential from elsewhere still works, so nobody can lock a cluster out.
    """
    with runtime.db.session() as session:
        if audit_data.count_recent(session, action="gateway.authenticate",
                                   since=utcnow() - AUTH_FAILURE_WINDOW,
                                   ip=address) >= AUTH_FAILURE_LIMIT:
            raise TooManyFailures("Too many failed sign-ins from this address; wait a few "
                                  "minutes.")
        cluster = memberships.get_cluster(session, cluster_id)
        stored_user = cluster.credential_user if cluster else ""
        stored_hash = cluster.credential_hash if cluster else None
        # Both checks always run, so an unknown cluster or user costs the same time.
        user_ok = hmac.compare_digest(username.encode(), (stored_user or "\0").encode())
        secret_ok = runtime.keys.verify_credential(stored_hash, secret,
                                                   legacy=runtime.passwords.verify)
        if cluster is None or not (user_ok and secret_ok):
            audit.record(session, "gateway.authenticate",
                         actor=audit.Actor(label=username[:200], ip=address),
                         outcome="failure", target_type="cluster", target_id=cluster_id,
                         cluster_id=cluster.id if cluster else None)
            session.commit()
            raise NotAuthenticated(GENERIC_AUTH_FAILURE)
        if cluster.status not in allowed_statuses or cluster.decommissioned_at is not None:
            raise QueryRefused(f"The cluster “{cluster.name}” is {cluster.status}; "
                               "only running clusters answer queries.")
        return GatewayTarget(cluster.id, cluster.database_name, cluster_query_settings(cluster))


def checked_statement(ch: ClickHouse, sql: str, *, database: str,
                      visible: Collection[str] = (),
                      parameters: Mapping[str, str] | None = None) -> str:
    """The canonical statement of ``sql`` if it is one query reading only ``database`` (and
    the qualified tables ``visible``, such as ``system.tables`` the engine service filters).

    Only ClickHouse's parser sees ``sql``; nothing of it is analysed or run. The returned text
    is what must be run (with ``parameters``, which the check substitutes as the engine will).
    Raises :class:`ValidationError` or :class:`QueryRefused`.
    """
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError("Send one SELECT query.", fields={"sql": "empty"})
    if len(sql) > MAX_QUERY_CHARS or "\0" in sql:
        raise ValidationError(f"Queries are limited to {MAX_QUERY_CHARS:,} characters.",
                              fields={"sql": "too long"})
    try:
        canonical = cluster_ops.format_query(ch, sql)
    except ClickHouseError as exc:
        raise ValidationError(NOT_ONE_STATEMENT, fields={"sql": "syntax"}) from exc
    statement = f"SELECT * FROM ({canonical})"
    try:
        lines = cluster_ops.explain_ast(ch, statement, parameters=parameters)
    except ClickHouseError as exc:
        raise QueryRefused(NOT_A_QUERY) from exc
    check_query_lines(ch, lines, database=database, visible=visible)
    return statement


def check_query_lines(ch: ClickHouse, lines: list[str], *, database: str,
                      visible: Collection[str] = ()) -> None:
    """Refuse a query's ``EXPLAIN AST`` lines unless they pass :func:`check_syntax_tree`
    against ``database``'s own tables (and the qualified tables ``visible``) and what the
    engine says of the functions named."""
    tree = _parse_tree(lines)
    names = {node.name for node in _walk(tree) if node.kind == "Function"}
    facts = _function_facts(ch, _candidates(names))
    check_syntax_tree(lines, database=database, tables=cluster_ops.table_facts(ch, database),
                      functions=facts, visible=visible)


def check_syntax_tree(lines: list[str], *, database: str, tables: Collection[str],
                      functions: FunctionFacts, visible: Collection[str] = ()) -> None:
    """Refuse anything of an ``EXPLAIN AST`` tree that is not on an allow list.

    ``tables`` are the cluster's own tables (unqualified names); ``functions`` what the engine
    says of the functions named in the tree; ``visible`` further qualified tables allowed.
    """
    own = {f"{database}.{name}" for name in tables if "." not in name and "`" not in name}
    own |= set(visible)
    for node, parent in _with_parents(_parse_tree(lines)):
        if node.kind == "Set":
            raise QueryRefused(SETTINGS_REFUSED)
        if node.kind not in ALLOWED_NODES:
            raise QueryRefused(f"The gateway does not accept this kind of SQL ({node.kind}).")
        if node.kind == "TableIdentifier" and "." in node.name and node.name not in own:
            raise QueryRefused(other_database(database))
        if node.kind == "Function" and parent is not None and parent.kind == "TableExpression":
            _check_table_function(node.name)
        elif node.kind == "Function":
            _check_function(node, functions)


def other_database(database: str) -> str:
    """The one refusal for any table outside the cluster's database, whether it exists or not."""
    return f"Only the tables of the database “{database}” can be queried."


def _check_table_function(name: str) -> None:
    if name not in ALLOWED_TABLE_FUNCTIONS:
        raise QueryRefused(f"The table function {name}() is not allowed; query the cluster's "
                           "tables (numbers(), zeros(), generate_series() and values() are).")


def _check_function(node: _Node, functions: FunctionFacts) -> None:
    if node.name in SYNTAX_FUNCTIONS:
        return
    if not _allowed(node.name, functions, aggregate_only=False):
        raise QueryRefused(f"The function {node.name}() is not allowed through the gateway.")
    if functions.canonical(node.name) in IN_OPERATORS:
        arguments = node.children[0].children if node.children else []
        if len(arguments) > 1 and arguments[1].kind == "Identifier":
            raise QueryRefused(IN_NEEDS_LIST)


def _allowed(name: str, functions: FunctionFacts, *, aggregate_only: bool) -> bool:
    canonical = functions.canonical(name)
    if canonical in ALLOWED_FUNCTIONS and (not aggregate_only
                                           or canonical in functions.aggregates):
        return True
    return any(name.endswith(suffix) and len(name) > len(suffix)
               and _allowed(name[:-len(suffix)], functions, aggregate_only=True)
               for suffix in ALLOWED_COMBINATORS)


def _function_facts(ch: ClickHouse, names: set[str]) -> FunctionFacts:
    """What the engine says of ``names`` and of the functions their aliases name."""
    rows: list[tuple[str, str, bool, bool]] = []
    wanted, seen = {name.lower() for name in names}, set[str]()
    for _ in range(4):
        found = cluster_ops.function_facts(ch, wanted - seen)
        seen |= wanted
        rows.extend(found)
        wanted = {alias.lower() for _name, alias, _ci, _agg in found if alias}
        if not wanted - seen:
            break
    return FunctionFacts.from_rows(rows)


def _candidates(names: Iterable[str]) -> set[str]:
    """``names`` and every name left by taking combinator suffixes off them (``sumIf`` → sum)."""
    found: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in found or len(found) > 10_000:
            continue
        found.add(name)
        todo.extend(name[:-len(suffix)] for suffix in ALLOWED_COMBINATORS
                    if name.endswith(suffix) and len(name) > len(suffix))
    return found


def _parse_tree(lines: list[str]) -> _Node:
    """The ``EXPLAIN AST`` lines as a tree; the client's ``FORMAT`` line is left out.

    A node line is ``<indent><Kind> [<name>] [(alias …)] [(children n)]``.
    """
    root = _Node("ExpressionList", "", [])
    stack: list[tuple[int, _Node]] = [(-1, root)]
    for line in lines:
        depth, text = len(line) - len(line.lstrip(" ")), line.strip()
        kind, _, rest = text.partition(" ")
        node = _Node(kind, rest.split(" ", 1)[0] if rest and not rest.startswith("(") else "",
                     [])
        while stack[-1][0] >= depth:
            stack.pop()
        stack[-1][1].children.append(node)
        stack.append((depth, node))
    statement = root.children[:1]
    extra = root.children[0].children[1:] if statement else []
    if not statement or statement[0].kind != "SelectWithUnionQuery" or any(
            (node.kind, node.name) != ("Identifier", "Native") for node in extra):
        raise QueryRefused(NOT_A_QUERY)
    return _Node(statement[0].kind, "", statement[0].children[:1])


def _walk(node: _Node) -> Iterator[_Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _with_parents(node: _Node, parent: _Node | None = None
                  ) -> Iterator[tuple[_Node, _Node | None]]:
    yield node, parent
    for child in node.children:
        yield from _with_parents(child, node)


def _audit(runtime: Runtime, action: str, actor: audit.Actor, target: GatewayTarget, *,
           outcome: str, detail: dict[str, object]) -> None:
    with runtime.db.session() as session:
        audit.record(session, action, actor=actor, outcome=outcome, target_type="cluster",
                     target_id=target.cluster_id, cluster_id=target.cluster_id, detail=detail)
        session.commit()


def engine_failure(exc: ClickHouseError, *, settings: dict[str, int], database: str
                   ) -> QueryLimitExceeded | QueryFailed:
    """What the user is told when the engine stops an allowed statement: the limit it ran
    into (with ``settings``' value), or the error's code alone, never its details."""
    code = _error_code(exc)
    if code in LIMIT_MESSAGES:
        return QueryLimitExceeded(_limit_message(code, settings))
    return QueryFailed(f"The query could not be run in the database “{database}”"
                       f"{f' ({code})' if code else ''}.")


def error_code(exc: ClickHouseError) -> str:
    """The name of a ClickHouse error's code (``UNKNOWN_TABLE``), never its details."""
    return _error_code(exc)


def _limit_message(code: str, limits: dict[str, int]) -> str:
    template = LIMIT_MESSAGES[code]
    try:
        return template.format(**limits)
    except (KeyError, ValueError):
        return template.split(" (")[0] + "."


def _error_code(exc: ClickHouseError) -> str:
    """The name of a ClickHouse error's code (``UNKNOWN_TABLE``), never its details."""
    found = _ERROR_CODE.findall(str(exc))
    return str(found[-1]) if found else ""


def _read_only(limits: dict[str, int]) -> dict[str, int]:
    return {**limits, "readonly": 1,
            "max_result_bytes": min(limits.get("max_result_bytes") or MAX_RESULT_BYTES,
                                    MAX_RESULT_BYTES)}
