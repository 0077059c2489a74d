"""Alerts over the API: viewers list, editors acknowledge (audited), forged ids are refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from data.metadata.models import AuditEntry
from data.metadata.models_alerts import AlertInstance, AlertRule
from services.core.runtime import Runtime
from tests.access_world import ed_bearer, editor_of_a
from tests.http import json_body


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A and B; Ed edits A; a firing alert on A and one on B."""
    # A is a demo cluster, so it has the demo plant's spec limits
    with editor_of_a(runtime, ("plant_a", "plant_b"), schema=False, demo="plant_a") as world:
        with runtime.db.session() as session:
            ids = []
            for cluster in (world["a"], world["b"]):
                rule = AlertRule(cluster_id=cluster, name="Yield low", kind="yield_below",
                                 params={"threshold": 90.0, "window_minutes": 60})
                session.add(rule)
                session.flush()
                alert = AlertInstance(rule_id=rule.id, cluster_id=cluster, subject="cluster",
                                      state="firing", message="Yield 80 %",
                                      process="press-fit", curve_ids=[11, 12])
                session.add(alert)
                session.flush()
                ids.append(alert.id)
        yield {**world, "alert_a": ids[0], "alert_b": ids[1]}


def _ack(client: FlaskClient, cluster: int, alert: int, headers: dict[str, str],
         comment: object = "Checked the press") -> object:
    return client.post(f"/api/v1/clusters/{cluster}/alerts/{alert}/acknowledge",
                       json={"comment": comment}, headers=headers)


def test_viewer_lists_alerts_with_a_link_to_the_curves(client: FlaskClient, runtime: Runtime,
                                                       world: dict[str, int]) -> None:
    body = json_body(client.get(f"/api/v1/clusters/{world['a']}/alerts",
                                headers=ed_bearer(runtime, world, "viewer")))
    assert body["total"] == 1 and body["items"][0]["state"] == "firing"
    assert body["items"][0]["explorer"].startswith(f"/clusters/{world['a']}/explorer?s=")
    bad = client.get(f"/api/v1/clusters/{world['a']}/alerts?state=open",
                     headers=ed_bearer(runtime, world, "viewer"))
    assert bad.status_code == 400 and "state is a comma-separated list" in \
        json_body(bad)["error"]["message"]


def test_viewer_cannot_acknowledge(client: FlaskClient, runtime: Runtime,
                                   world: dict[str, int]) -> None:
    response = _ack(client, world["a"], world["alert_a"], ed_bearer(runtime, world, "viewer"))
    assert response.status_code == 403  # type: ignore[attr-defined]
    with runtime.db.session() as session:
        assert session.get(AlertInstance, world["alert_a"]).state == "firing"  # type: ignore[union-attr]


def test_editor_acknowledges_with_a_comment_and_it_is_audited(
        client: FlaskClient, runtime: Runtime, world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    empty = _ack(client, world["a"], world["alert_a"], editor, comment=" ")
    assert empty.status_code == 400  # type: ignore[attr-defined]
    assert empty.json["error"]["message"] == "Write a comment: what was found or done."  # type: ignore[attr-defined]
    assert _ack(client, world["a"], world["alert_a"], editor).status_code == 200  # type: ignore[attr-defined]
    again = _ack(client, world["a"], world["alert_a"], editor)
    assert again.json["error"]["message"] == "This alert is already acknowledged."  # type: ignore[attr-defined]
    with runtime.db.session() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "alert.acknowledge")).all()
    assert [(e.cluster_id, e.detail["comment"]) for e in entries] == [
        (world["a"], "Checked the press")]


def test_forged_cluster_and_alert_ids_are_refused(client: FlaskClient, runtime: Runtime,
                                                  world: dict[str, int]) -> None:
    editor = ed_bearer(runtime, world, "editor")
    other_cluster = _ack(client, world["b"], world["alert_b"], editor)
    assert other_cluster.status_code == 403  # type: ignore[attr-defined]
    crossed = _ack(client, world["a"], world["alert_b"], editor)  # B's alert through A
    assert crossed.status_code == 404  # type: ignore[attr-defined]
    assert client.get("/api/v1/clusters/999/alerts", headers=editor).status_code == 403
    with runtime.db.session() as session:
        assert session.get(AlertInstance, world["alert_b"]).state == "firing"  # type: ignore[union-attr]


def test_editors_add_rules_viewers_read_them(client: FlaskClient, runtime: Runtime,
                                             world: dict[str, int]) -> None:
    rule = {"name": "Torque outside spec", "kind": "feature_spec", "severity": "critical",
            "params": {"process": "screw-driving", "feature": "final_torque",
                       "window_minutes": 30}}
    url = f"/api/v1/clusters/{world['a']}/alert-rules"
    assert client.post(url, json=rule, headers=ed_bearer(runtime, world, "viewer")).status_code \
        == 403
    bad = client.post(url, json={**rule, "kind": "vibes"},
                      headers=ed_bearer(runtime, world, "editor"))
    assert bad.status_code == 400
    assert "Rule kind must be one of" in json_body(bad)["error"]["message"]
    made = client.post(url, json=rule, headers=ed_bearer(runtime, world, "editor"))
    assert made.status_code == 201
    listed = json_body(client.get(url, headers=ed_bearer(runtime, world, "viewer")))["items"]
    assert [r["name"] for r in listed] == ["Yield low", "Torque outside spec"]
    assert listed[1]["params"] == {"process": "screw-driving", "feature": "final_torque",
                                   "window_minutes": 30.0}
