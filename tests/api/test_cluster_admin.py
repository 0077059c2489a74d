"""POST /clusters with a cluster type: the wizard's preset fills what the body leaves out."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from data.analytics import cluster_ops
from data.analytics.clickhouse import ClickHouse
from data.metadata.models import AuditEntry, DatabaseCluster
from services.clusters.request import database_name_for
from services.clusters.rules import CLUSTER_TYPES
from services.core.runtime import Runtime
from services.provisioning.deploy import wait_for_deploy
from tests.access_world import ORIGIN, World, build_world, sign_in

NAME = "preset-made"


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


@pytest.fixture
def root(server: Flask, world: World, ch: ClickHouse) -> Iterator[FlaskClient]:
    yield sign_in(server.test_client(), "root")
    try:
        cluster_ops.drop_database(ch, database_name_for(NAME))
    except Exception:  # noqa: BLE001 - not made by a refused request
        pass


def _post(client: FlaskClient, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/clusters", json=body, headers=ORIGIN)


def _counts(runtime: Runtime) -> tuple[int, int]:
    """(clusters, refused creations in the audit log)."""
    with runtime.db.session() as session:
        return (session.scalar(select(func.count()).select_from(DatabaseCluster)) or 0,
                session.scalar(select(func.count()).select_from(AuditEntry).where(
                    AuditEntry.action == "cluster.create",
                    AuditEntry.outcome == "refused")) or 0)


def test_a_type_fills_the_wizards_preset_and_explicit_fields_win(
        root: FlaskClient, world: World) -> None:
    made = _post(root, {"name": NAME, "cluster_type": "development", "region_code": "local",
                        "vcpu_per_node": 4, "retention": {"delete_after_days": None},
                        "members": [{"user_id": world.users["admin"], "role": "admin"}]})
    assert made.status_code == 202, made.json
    wait_for_deploy(made.json["id"], timeout=120)
    cluster: dict[str, Any] = root.get(f"/api/v1/clusters/{made.json['id']}",
                                       headers=ORIGIN).get_json()
    preset = CLUSTER_TYPES["development"]
    assert cluster["type"] == "development" and cluster["status"] == "running"
    assert cluster["nodes"] == preset.default_nodes
    assert cluster["memory_gb_per_node"] == preset.default_memory_gb_per_node
    assert cluster["vcpu_per_node"] == 4  # explicit
    assert cluster["storage"]["hot_gb"] == preset.storage.hot_gb
    assert cluster["retention"]["warm_after_days"] == preset.retention.warm_after_days
    assert cluster["retention"]["delete_after_days"] is None  # explicit: keep forever


@pytest.mark.parametrize(("body", "message"), [
    ({"cluster_type": "mainframe"}, "Unknown cluster type 'mainframe'; choose one of: "
                                    "development, manufacturing, production."),
    ({"cluster_type": ""}, "Give a cluster_type; one of: development, manufacturing, "
                           "production."),
    ({}, "Give a cluster_type; one of: development, manufacturing, production."),
    ({"cluster_type": ["development"]}, "Give a cluster_type; one of: development, "
                                        "manufacturing, production."),
])
def test_a_missing_or_unknown_type_is_refused_and_nothing_is_created(
        root: FlaskClient, runtime: Runtime, body: dict[str, Any], message: str) -> None:
    before = _counts(runtime)
    refused = _post(root, {"name": NAME, "region_code": "local", **body})
    assert refused.status_code == 400
    assert refused.json["error"]["message"] == message
    assert refused.json["error"]["fields"] == {"cluster_type": message}
    assert _counts(runtime) == (before[0], before[1] + 1)  # nothing made; audited


def test_a_preset_does_not_excuse_an_out_of_range_field(root: FlaskClient,
                                                          runtime: Runtime) -> None:
    before = _counts(runtime)
    refused = _post(root, {"name": NAME, "cluster_type": "development",
                           "region_code": "local", "nodes": 999})
    assert refused.status_code == 400 and "nodes" in refused.json["error"]["fields"]
    assert _counts(runtime) == (before[0], before[1] + 1)
