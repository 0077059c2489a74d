"""``GET /api/v1/clusters/<id>/connection``: how to connect real ClickHouse clients."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from api.core import bp, runtime
from api.openapi import describe
from api.schemas import BOOL, INT, STR, array, component, nullable, obj
from auth.roles import Role, require_role
from auth.session import current_actor
from services.clusters.connection import connection

SNIPPET = component("ConnectionSnippet", obj(key=STR, label=STR, language=STR, code=STR))
CONNECTION = component("ClusterConnection", obj(
    cluster_id=INT, available=BOOL, unavailable_reason=nullable(STR), url=nullable(STR),
    scheme=nullable(STR), host=nullable(STR), port=nullable(INT), database=STR,
    username=nullable(STR), credential_mode=nullable(STR), secret=nullable(STR),
    secret_variable=STR, snippets=array(SNIPPET)))


@bp.get("/clusters/<int:cluster_id>/connection")
@describe(summary="The cluster's ClickHouse HTTP URL, database, user and client snippets",
          tag="clusters", role="viewer", response=CONNECTION, errors=(404,))
def get_connection(cluster_id: int) -> Any:
    """URL, host, port, database and user, with clickhouse-connect, pandas, curl and Node
    snippets; for an admin, the new secret too while it waits to be saved."""
    role = require_role(cluster_id, Role.VIEWER)
    found = connection(runtime(), cluster_id, role=role.label, actor=current_actor())
    return jsonify(found.as_json())
