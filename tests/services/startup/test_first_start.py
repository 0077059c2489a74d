"""First start: migrate, first admin with a printed password, a real demo cluster; idempotent."""

from __future__ import annotations

import base64
from dataclasses import replace

from flask import Flask

from data.analytics import cluster_ops
from data.metadata import memberships
from services.access.accounts import authenticate
from services.clusters import credentials
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.startup.first_start import DEMO_DATABASE, prepare
from tests.http import json_body


def test_prepare_is_idempotent_and_makes_a_real_demo_cluster(runtime: Runtime,
                                                            server: Flask) -> None:
    runtime.settings = replace(runtime.settings, demo="small")
    try:
        first = prepare(runtime)
        assert first.admin_password and not first.demo_skipped
        assert first.demo_rows["parts"] == 300
        again = prepare(runtime)
        assert again.admin_password is None and again.demo_skipped
        admin = authenticate(runtime.db, runtime.passwords, keys=runtime.keys,
                             email="admin@lyceum.local", password=first.admin_password,
                             ip="127.0.0.1")
        assert admin.is_admin
        with runtime.db.session() as session:
            cluster = memberships.get_cluster_by_database(session, DEMO_DATABASE)
            assert cluster is not None
            assert cluster.status == "running" and cluster.query_limits["max_threads"] >= 1
            assert cluster.monthly_estimate > 0 and cluster.credential_mode == "app_gateway"
            cluster_id, user = cluster.id, cluster.credential_user
        pending = credentials.pending_secret(runtime, cluster_id,
                                             actor=Actor(user_id=admin.id))
        assert pending is not None and pending.purpose == "deploy"
        secret = pending.secret
        basic = base64.b64encode(f"{user}:{secret}".encode()).decode()
        response = server.test_client().post(
            f"/api/v1/clusters/{cluster_id}/sql", json={"sql": "SELECT count() FROM parts"},
            headers={"Authorization": f"Basic {basic}"})
        assert response.status_code == 200 and json_body(response)["rows"] == [[300]]
    finally:
        cluster_ops.drop_database(runtime.ch, DEMO_DATABASE)
