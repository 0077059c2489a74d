"""``POST /api/v1/clusters/<id>/sql``: read-only SQL with the cluster's own credential.

On the embedded engine this is how a cluster's credential works (chDB has no users); the
gateway service checks the credential, the statement and the tables it reads.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from functools import partial
from typing import Any

from flask import copy_current_request_context, jsonify, request

from api.core import bp, public_route, runtime
from lyceum.errors import NotAuthenticated, ValidationError
from services.gateway import run_gateway_query
from services.work_pools import request_wait_s

MAX_ROWS_RETURNED = 10_000


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
def gateway_sql(cluster_id: int) -> Any:
    """Run one read-only statement; HTTP Basic with the cluster's username and secret."""
    auth = request.authorization
    if auth is None or auth.type != "basic" or not auth.username or not auth.password:
        raise NotAuthenticated("Send the cluster's username and secret with HTTP Basic auth.")
    body = request.get_json(silent=True)
    sql = body.get("sql") if isinstance(body, dict) else request.get_data(as_text=True)
    if not isinstance(sql, str) or not sql.strip():
        raise ValidationError("Send the SQL as {\"sql\": \"SELECT …\"} or as plain text.")
    rt = runtime()
    # In a pool thread; the copied request context keeps flask.request usable there.
    query = partial(copy_current_request_context(run_gateway_query), rt,
                    cluster_id=cluster_id, username=auth.username, secret=auth.password,
                    sql=sql)
    table = rt.pools.run("gateway", query, cluster_id=cluster_id,
                         timeout=request_wait_s(rt.settings))
    rows = table.slice(0, MAX_ROWS_RETURNED).to_pylist()
    return jsonify(columns=table.column_names,
                   rows=[[_plain(r[c]) for c in table.column_names] for r in rows],
                   row_count=table.num_rows, truncated=table.num_rows > MAX_ROWS_RETURNED)
