"""The SQL console of a cluster: run one statement as the signed-in member, page and export
the result, keep the member's history.

Every member may run read-only queries, checked exactly as the gateway checks them
(:func:`services.gateway.sql.checked_statement`); editors and admins may also ``INSERT`` into
the cluster's own tables (:mod:`services.gateway.writes`). The check and the statement run in
the gateway pool under the cluster's limits, never on a thread that serves pages. A result is
held (at most :data:`MAX_ROWS` rows, :data:`MAX_RESULT_BYTES` bytes) in the shared cache under
the member's and the cluster's ids, so any web process can page and export it, and nobody
else can. The caller checks the member's current role; this module trusts the role it gets.
"""

from __future__ import annotations

import io
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from data.analytics import sql_console as console_data
from data.analytics.clickhouse import ClickHouseError
from data.analytics.sql_console import Ran, TableColumns
from data.metadata import memberships, sql_history
from data.metadata.models_sql_console import SqlHistoryEntry
from lyceum.clock import utcnow
from lyceum.errors import AppError, Forbidden, NotFound, ValidationError
from services.clusters.query_session import cluster_query_settings
from services.core import audit
from services.core.cache import shared_cache
from services.core.roles import Role, rank
from services.core.runtime import Runtime
from services.core.work_pools import request_wait_s
from services.gateway import writes
from services.gateway.sql import (
    QueryRefused,
    checked_statement,
    engine_failure,
)

#: Rows a console result holds; the engine stops reading once it has one more.
MAX_ROWS = 10_000
#: Bytes a console result may take in the engine's answer (and so, about, in the cache).
MAX_RESULT_BYTES = 16 * 1024 * 1024
#: How long a result can be paged and exported.
RESULT_TTL_S = 30 * 60
#: Entries of a member's history on one cluster.
HISTORY_LENGTH = 50
PAGE_SIZES = (10, 25, 50, 100)
EXPORT_FORMATS = {"csv": ("text/csv", "csv"), "parquet": ("application/vnd.apache.parquet",
                                                           "parquet")}
EXPIRED = "This result is no longer held; run the statement again."
NEEDS_EDITOR = ("Your role on this cluster ({role}) runs read-only queries; inserting rows "
                "needs the editor role.")


@dataclass(frozen=True)
class RunResult:
    """What one statement did: the held rows (for a query) or the rows it wrote."""

    run_id: str
    kind: str
    columns: tuple[str, ...]
    total_rows: int
    truncated: bool
    elapsed_ms: float
    rows_read: int
    bytes_read: int
    rows_written: int

    def as_json(self) -> dict[str, Any]:
        """Plain JSON-ready data (for a ``dcc.Store``)."""
        return {"run_id": self.run_id, "kind": self.kind, "columns": list(self.columns),
                "total_rows": self.total_rows, "truncated": self.truncated,
                "elapsed_ms": self.elapsed_ms, "rows_read": self.rows_read,
                "bytes_read": self.bytes_read, "rows_written": self.rows_written}


@dataclass(frozen=True)
class ResultPage:
    """One page of a held result; values as text, ``None`` for NULL."""

    columns: tuple[str, ...]
    types: tuple[str, ...]
    rows: list[list[str | None]]
    page: int
    pages: int
    page_size: int
    total_rows: int
    truncated: bool


@dataclass(frozen=True)
class Export:
    """A result as a file."""

    filename: str
    mimetype: str
    content: bytes


@dataclass(frozen=True)
class HistoryItem:
    """One statement of the member's history on a cluster."""

    id: int
    sql: str
    outcome: str
    rows: int
    elapsed_ms: int
    ran_at: str


@dataclass(frozen=True)
class _Target:
    cluster_id: int
    database: str
    limits: dict[str, int]


def schema(runtime: Runtime, cluster_id: int) -> list[TableColumns]:
    """The cluster's tables with their columns (for the editor's side panel)."""
    target = _target(runtime, cluster_id)
    return console_data.table_columns(runtime.ch, target.database)


def run_statement(runtime: Runtime, cluster_id: int, *, user_id: int, role: str, sql: str,
                  actor: audit.Actor) -> RunResult:
    """Check and run one statement in the cluster's gateway pool; the result is held for
    :func:`result_page` and :func:`export`. Refusals and failures are audited, recorded in
    the history and raised (:class:`QueryRefused`, :class:`ValidationError`,
    :class:`Forbidden`, :class:`~services.gateway.sql.QueryFailed`, …)."""
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError("Type a statement to run.", fields={"sql": "empty"})
    target = _target(runtime, cluster_id)
    work = partial(_check_and_run, runtime, target, sql=sql, role=role)
    started = time.perf_counter()
    try:
        kind, ran = runtime.pools.run("gateway", work, cluster_id=cluster_id,
                                      timeout=request_wait_s(runtime.settings))
    except AppError as exc:
        refused = isinstance(exc, QueryRefused | ValidationError | Forbidden)
        _record(runtime, target, actor, user_id=user_id, sql=sql,
                outcome="refused" if refused else "failed",
                ms=(time.perf_counter() - started) * 1000,
                detail={"reason": exc.user_message})
        raise
    run_id = secrets.token_urlsafe(12)
    table = ran.table
    truncated = table is not None and table.num_rows > MAX_ROWS
    if table is not None:
        table = table.slice(0, MAX_ROWS).replace_schema_metadata(
            {b"truncated": b"1" if truncated else b"0"})
        _hold(runtime, _key(user_id, cluster_id, run_id), table)
    rows = table.num_rows if table is not None else ran.rows_written
    _record(runtime, target, actor, user_id=user_id, sql=sql, outcome="ok", ms=ran.elapsed_ms,
            rows=rows, detail={"kind": kind, "rows_read": ran.rows_read,
                               "bytes_read": ran.bytes_read})
    return RunResult(run_id=run_id, kind=kind,
                     columns=tuple(table.column_names) if table is not None else (),
                     total_rows=rows, truncated=truncated, elapsed_ms=round(ran.elapsed_ms, 1),
                     rows_read=ran.rows_read, bytes_read=ran.bytes_read,
                     rows_written=ran.rows_written)


def _check_and_run(runtime: Runtime, target: _Target, *, sql: str, role: str
                   ) -> tuple[str, Ran]:
    """In a pool thread: check ``sql`` for ``role`` and run it (nothing runs if refused)."""
    ch = runtime.ch
    canonical = writes.canonical_statement(ch, sql)
    if writes.is_insert(canonical):
        if rank(role) < Role.EDITOR:
            raise Forbidden(NEEDS_EDITOR.format(role=role))
        tables = {t.name: t for t in console_data.table_columns(ch, target.database)}
        statement = writes.checked_insert(ch, sql, database=target.database, tables=tables)
        run: Callable[..., Ran] = console_data.run_insert
        settings = dict(target.limits)
        kind = "insert"
    else:
        statement = f"{checked_statement(ch, sql, database=target.database)} " \
                    f"LIMIT {MAX_ROWS + 1}"
        run, kind = console_data.run_select, "query"
        settings = {**target.limits, "readonly": 1, "max_result_bytes": min(
            target.limits.get("max_result_bytes") or MAX_RESULT_BYTES, MAX_RESULT_BYTES)}
    try:
        return kind, run(ch, statement, database=target.database, settings=settings)
    except ClickHouseError as exc:
        raise engine_failure(exc, settings=settings, database=target.database) from exc


def result_page(runtime: Runtime, cluster_id: int, *, user_id: int, run_id: str, page: int,
                page_size: int) -> ResultPage:
    """Page ``page`` (from 0) of a held result of this member on this cluster."""
    if page_size not in PAGE_SIZES:
        raise ValidationError(f"Choose a page size of {', '.join(map(str, PAGE_SIZES))}.")
    table = _held(runtime, _key(user_id, cluster_id, run_id))
    pages = max(1, -(-table.num_rows // page_size))
    page = min(max(0, int(page)), pages - 1)
    shown = table.slice(page * page_size, page_size)
    rows = [[None if value is None else _text(value) for value in row.values()]
            for row in shown.to_pylist()]
    truncated = bool((table.schema.metadata or {}).get(b"truncated") == b"1")
    return ResultPage(columns=tuple(table.column_names),
                      types=tuple(str(field.type) for field in table.schema), rows=rows,
                      page=page, pages=pages, page_size=page_size, total_rows=table.num_rows,
                      truncated=truncated)


def export(runtime: Runtime, cluster_id: int, *, user_id: int, run_id: str, fmt: str
           ) -> Export:
    """A held result of this member as CSV or Parquet (at most :data:`MAX_ROWS` rows)."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError("Export as CSV or Parquet.")
    table = _held(runtime, _key(user_id, cluster_id, run_id))
    sink = io.BytesIO()
    if fmt == "csv":
        pa_csv.write_csv(table, sink)
    else:
        pq.write_table(table, sink, compression="zstd")
    mimetype, suffix = EXPORT_FORMATS[fmt]
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return Export(f"cluster-{cluster_id}-result-{stamp}.{suffix}", mimetype, sink.getvalue())


def history(runtime: Runtime, cluster_id: int, *, user_id: int) -> list[HistoryItem]:
    """The member's statements on the cluster, newest first (:data:`HISTORY_LENGTH` at most)."""
    with runtime.db.session() as session:
        return [HistoryItem(e.id, e.sql, e.outcome, e.rows, e.elapsed_ms,
                            e.ran_at.isoformat(timespec="seconds"))
                for e in sql_history.recent(session, user_id=user_id, cluster_id=cluster_id,
                                            limit=HISTORY_LENGTH)]


def history_statement(runtime: Runtime, cluster_id: int, *, user_id: int, entry_id: int
                      ) -> str:
    """The text of one of the member's history entries on the cluster."""
    with runtime.db.session() as session:
        entry = sql_history.get(session, entry_id=entry_id, user_id=user_id,
                                cluster_id=cluster_id)
        if entry is None:
            raise NotFound("That statement is not in your history of this cluster.")
        return entry.sql


def _target(runtime: Runtime, cluster_id: int) -> _Target:
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        if cluster is None:
            raise NotFound("That cluster does not exist.")
        if cluster.status != "running" or cluster.decommissioned_at is not None:
            raise QueryRefused(f"The cluster “{cluster.name}” is {cluster.status}; "
                               "only running clusters answer queries.")
        return _Target(cluster.id, cluster.database_name, cluster_query_settings(cluster))


def _key(user_id: int, cluster_id: int, run_id: str) -> str:
    if not isinstance(run_id, str) or not 8 <= len(run_id) <= 64 or not run_id.replace(
            "-", "").replace("_", "").isalnum():
        raise NotFound(EXPIRED)
    return f"lyceum:sql-console:{user_id}:{cluster_id}:{run_id}"


def _hold(runtime: Runtime, key: str, table: pa.Table) -> None:
    sink = io.BytesIO()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    shared_cache(runtime).backend.set(key, sink.getvalue(), expire=RESULT_TTL_S)


def _held(runtime: Runtime, key: str) -> pa.Table:
    found = shared_cache(runtime).backend.get(key)
    if not isinstance(found, bytes):
        raise NotFound(EXPIRED)
    with pa.ipc.open_stream(found) as reader:
        return reader.read_all()


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return str(value)


def _record(runtime: Runtime, target: _Target, actor: audit.Actor, *, user_id: int, sql: str,
            outcome: str, ms: float, rows: int = 0, detail: dict[str, Any]) -> None:
    """Audit the statement like the gateway does, and add it to the member's history."""
    action = "gateway.refused" if outcome == "refused" else "gateway.query"
    with runtime.db.session() as session:
        audit.record(session, action, actor=actor,
                     outcome={"ok": "success", "refused": "denied"}.get(outcome, "failure"),
                     target_type="cluster", target_id=target.cluster_id,
                     cluster_id=target.cluster_id,
                     detail={"via": "console", "sql": sql[:500], "rows": rows,
                             "ms": round(ms), **detail})
        sql_history.add(session, SqlHistoryEntry(user_id=user_id, cluster_id=target.cluster_id,
                                                 sql=sql[:20_000], outcome=outcome, rows=rows,
                                                 elapsed_ms=round(ms)), keep=HISTORY_LENGTH)
        session.commit()
