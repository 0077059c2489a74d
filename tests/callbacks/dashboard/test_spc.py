"""The SPC panel's exclusion callbacks posted as the browser would: an editor excludes and
restores a subgroup; a viewer's attempt is refused, audited as a denial, and stores nothing;
a forged subgroup is explained and stores nothing."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from data.analytics.clickhouse import ClickHouse
from data.metadata import memberships
from services.access.accounts import create_user
from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime
from services.demo import plant as demo_data
from services.quality import spc_exclusions
from tests.access_world import register_cluster
from tests.security.matrix import denials

DB = "spc_callbacks_demo"
PASSWORD = "correct horse battery"
ORIGIN = {"Origin": "http://localhost"}
WHERE = {"process": "press-fit", "feature": "peak_force"}


@pytest.fixture(scope="module")
def cluster(mod_runtime: Runtime, ch: ClickHouse) -> Iterator[int]:
    """The small demo in its own cluster, with an editor and a viewer."""
    demo_data.load_demo(ch, DB, size="small",
                        now=datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
    cid = register_cluster(mod_runtime, DB, name="SPC plant")
    for role in ("editor", "viewer"):
        user = create_user(mod_runtime.db, mod_runtime.passwords, email=f"{role}@spc.example",
                           password=PASSWORD)
        with mod_runtime.db.session() as session:
            memberships.set_member(session, cluster_id=cid, user_id=user.id, role=role,
                                   granted_by=None)
    yield cid
    ch.command(f"DROP DATABASE IF EXISTS {DB}")


@pytest.fixture(scope="module")
def server(mod_runtime: Runtime, cluster: int) -> Flask:
    from app import create_app

    return create_app(mod_runtime.settings, runtime=mod_runtime)


def _sign_in(server: Flask, role: str) -> FlaskClient:
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf
    response = client.post("/login", data={"email": f"{role}@spc.example",
                                           "password": PASSWORD, "csrf_token": csrf.group(1)})
    assert response.status_code == 302
    return client


def _points(runtime: Runtime, cluster: int) -> list[dict[str, Any]]:
    """Two subgroups of five real peak-force curves, as the SPC job stores them."""
    rows = for_cluster(runtime, cluster).rows(
        f"SELECT curve_id, ts FROM {DB}.curve_features WHERE process = 'press-fit' AND "
        "feature = 'peak_force' ORDER BY ts LIMIT 10")
    return [{"curves": [int(r[0]) for r in rows[i:i + 5]],
             "time": rows[i][1].replace(tzinfo=UTC).isoformat()} for i in (0, 5)]


def _post(client: FlaskClient, prefix: str, values: dict[str, Any],
          inputs: list[Any] | None = None) -> str:
    deps = client.get("/_dash-dependencies").json
    assert isinstance(deps, list)
    dep = next(d for d in deps if d["output"].startswith(prefix))
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
               for part in dep["output"][2:-2].split("...")]
    payload = {"output": dep["output"], "outputs": outputs,
               "inputs": inputs or [{**i, "value": values[i["id"]]} for i in dep["inputs"]],
               "state": [{**s, "value": values[s["id"]]} for s in dep["state"]],
               "changedPropIds": [f"{dep['inputs'][0]['id']}.{dep['inputs'][0]['property']}"]}
    response = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    return response.get_data(as_text=True)


def _exclude(client: FlaskClient, cluster: int, points: list[dict[str, Any]], *,
             subgroup: Any = 2, reason: str = "tool change") -> str:
    return _post(client, "..dashboard-spc-exclude-result-div.children", {
        "dashboard-spc-exclude-button": 1, "dashboard-spc-subgroup-input": subgroup,
        "dashboard-spc-reason-input": reason, "dashboard-spc-points-store": points,
        "dashboard-spc-feature-select": "press-fit::peak_force",
        "dashboard-cluster-store": str(cluster),
        "dashboard-refresh-interval": 3})


def test_a_viewer_cannot_exclude_and_nothing_is_stored(mod_runtime: Runtime, server: Flask,
                                                        cluster: int) -> None:
    viewer = _sign_in(server, "viewer")
    before = denials(mod_runtime)
    text = _exclude(viewer, cluster, _points(mod_runtime, cluster))
    assert "This needs the editor role on this cluster; you are viewer." in text
    assert denials(mod_runtime) == before + 1
    assert spc_exclusions.excluded_curves(mod_runtime, cluster, **WHERE) == frozenset()


@pytest.mark.parametrize(("subgroup", "points", "message"), [
    (3, None, "Choose a subgroup of the chart (click a point)."),
    (None, None, "Choose a subgroup of the chart (click a point)."),
    (1.5, None, "Choose a subgroup of the chart (click a point)."),
    (1, [{"curves": [987_654_321], "time": "2026-12-01T08:00:00+00:00"}],
     "These curves have no value of this feature in this cluster."),
])
def test_bad_subgroups_are_explained_and_change_nothing(
        mod_runtime: Runtime, server: Flask, cluster: int, subgroup: Any,
        points: list[dict[str, Any]] | None, message: str) -> None:
    editor = _sign_in(server, "editor")
    text = _exclude(editor, cluster, points or _points(mod_runtime, cluster), subgroup=subgroup)
    assert message in text
    assert spc_exclusions.excluded_curves(mod_runtime, cluster, **WHERE) == frozenset()


def test_an_editor_excludes_then_restores_and_a_viewer_cannot_restore(
        mod_runtime: Runtime, server: Flask, cluster: int) -> None:
    editor, points = _sign_in(server, "editor"), _points(mod_runtime, cluster)
    text = _exclude(editor, cluster, points)
    assert "Subgroup 2 excluded from the limits." in text
    assert json.loads(text)["response"]["dashboard-refresh-interval"]["n_intervals"] == 4
    excluded = spc_exclusions.excluded_curves(mod_runtime, cluster, **WHERE)
    assert excluded == frozenset(points[1]["curves"])
    (found,) = spc_exclusions.list_exclusions(mod_runtime, cluster, **WHERE)
    restore = {"id": {"type": "dashboard-spc-restore-button", "batch": found.batch},
               "property": "n_clicks", "value": 1}
    values = {"dashboard-cluster-store": str(cluster), "dashboard-refresh-interval": 4}
    viewer = _sign_in(server, "viewer")
    refused = _restore(viewer, values, restore)
    assert "This needs the editor role on this cluster; you are viewer." in refused
    assert spc_exclusions.excluded_curves(mod_runtime, cluster, **WHERE) == excluded
    assert "Subgroup restored to the limits." in _restore(editor, values, restore)
    assert spc_exclusions.excluded_curves(mod_runtime, cluster, **WHERE) == frozenset()


def _restore(client: FlaskClient, values: dict[str, Any], restore: dict[str, Any]) -> str:
    deps = client.get("/_dash-dependencies").json
    assert isinstance(deps, list)
    dep = next(d for d in deps if d["inputs"] and "dashboard-spc-restore-button"
               in d["inputs"][0]["id"])
    outputs = [{"id": part.rsplit(".", 1)[0], "property": part.rsplit(".", 1)[1].split("@")[0]}
               for part in dep["output"][2:-2].split("...")]
    payload = {"output": dep["output"], "outputs": outputs, "inputs": [[restore]],
               "state": [{**s, "value": values[s["id"]]} for s in dep["state"]],
               "changedPropIds": [json.dumps(restore["id"], separators=(",", ":"))
                                  + ".n_clicks"]}
    return client.post("/_dash-update-component", json=payload,
                       headers=ORIGIN).get_data(as_text=True)
