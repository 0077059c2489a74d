"""``POST /api/v1/clusters/<id>/sql``: read-only SQL with the cluster's own credential.

On the embedded engine this is how a cluster's credential works (chDB has no users); the
gateway service checks the credential, the statement and the tables it reads.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

import pyarrow as pa
from flask import Response, request

from api.core import bp, public_route, runtime
from api.openapi import describe
from api.schemas import BOOL, INT, STR, array, component, obj
from lyceum.errors import NotAuthenticated, ValidationError
from services.core.audit import Actor
from services.core.work_pools import request_wait_s
from services.gateway.sql import MAX_ROWS_RETURNED, authenticate, run_query

#: Rows serialised at a time: the answer is written in pieces, never held whole as text.
CHUNK_ROWS = 500

SQL_BODY = obj(sql={**STR, "description": "one read-only statement (or send it as text)"})
SQL_RESULT = component("SqlResult", obj(
    columns=array(STR), rows=array(array({})), row_count=INT,
    truncated={**BOOL, "description": "more rows matched than are returned"}))


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value


@bp.post("/clusters/<int:cluster_id>/sql")
@public_route
@describe(summary="Run one read-only SQL statement with the cluster's credential (HTTP "
          "Basic)", tag="sql", body=SQL_BODY, response=SQL_RESULT, errors=(403, 404, 503))
def gateway_sql(cluster_id: int) -> Any:
    """Run one read-only statement; HTTP Basic with the cluster's username and secret."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or not auth.password:
        raise NotAuthenticated("Send the cluster's username and secret with HTTP Basic auth.")
    body = request.get_json(silent=True)
    sql = body.get("sql") if isinstance(body, dict) else request.get_data(as_text=True)
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError("Send the SQL as {\"sql\": \"SELECT …\"} or as plain text.")
    rt, address = runtime(), request.remote_addr or ""
    # The credential is checked here (a keyed hash: microseconds), so a caller without one
    # never takes a slot of the cluster's pool; the query then runs in a pool thread, apart
    # from the threads that serve pages.
    target = authenticate(rt, cluster_id=cluster_id, username=auth.username,
                          secret=auth.password, address=address)
    query = partial(run_query, rt, target, sql=sql, actor=Actor(label=auth.username, ip=address))
    table = rt.pools.run("gateway", query, cluster_id=cluster_id,
                         timeout=request_wait_s(rt.settings))
    return Response(_json_chunks(table), mimetype="application/json")


def _json_chunks(table: pa.Table) -> Iterator[str]:
    """``{columns, rows, row_count, truncated}``, written a few hundred rows at a time."""
    shown = table.slice(0, MAX_ROWS_RETURNED)
    names = shown.column_names
    yield '{"columns": ' + json.dumps(names) + ', "rows": ['
    for start in range(0, shown.num_rows, CHUNK_ROWS):
        rows = shown.slice(start, CHUNK_ROWS).to_pylist()
        text = ", ".join(json.dumps([_plain(row[name]) for name in names]) for row in rows)
        yield (", " if start else "") + text
    yield (f'], "row_count": {shown.num_rows}, '
           f'"truncated": {json.dumps(table.num_rows > MAX_ROWS_RETURNED)}}}')
