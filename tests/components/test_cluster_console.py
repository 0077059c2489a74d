"""The cluster console's factories, built from a console view as the page gets it: header,
operation and provisioning progress, the waiting secret, configuration, usage, health,
timeline, and which management controls an admin, a busy cluster or a retired one gets."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest

from components.cluster_console import (
    OUTCOME_SHOWN_S,
    make_config,
    make_connection,
    make_header,
    make_health,
    make_manage,
    make_operation,
    make_progress,
    make_secret,
    make_timeline,
    make_usage,
    secret_identity,
)
from components.ids.cluster_detail import ClusterDetail
from data.metadata.models import DatabaseCluster
from services.clusters.connection import Connection, Endpoint, Snippet
from services.clusters.console_view import ConsoleView
from services.clusters.credentials import PendingSecret
from services.clusters.health import Health, HealthCheck, QueryStats
from services.clusters.operations import OperationView
from services.clusters.query_session import AppliedLimit
from services.clusters.usage import TierUsage, UsagePoint
from tests.components.tree import by_id, ids, of_type, rows, text

NOW = datetime(2026, 12, 4, 5, 0)


def _cluster(**fields: Any) -> DatabaseCluster:
    base: dict[str, Any] = {
        "id": 3, "name": "Hall B", "database_name": "hall_b", "cluster_type": "manufacturing",
        "region_code": "local", "status": "running", "nodes": 3, "vcpu_per_node": 8,
        "memory_gb_per_node": 64, "storage": {"hot_gb": 100, "warm_gb": 200},
        "retention": {"warm_after_days": 7, "cold_after_days": 30, "archive_after_days": 180,
                      "delete_after_days": None},
        "query_limits": {"max_threads": 4, "max_memory_usage": 8 * 1024**3,
                         "max_execution_time": 60},
        "monthly_estimate": 1234.5, "created_at": datetime(2026, 11, 1, 8, 30),
        "credential_user": "hall_b_app", "credential_mode": "app_gateway", "hidden_at": None,
        "progress": {}, "status_reason": ""}
    return DatabaseCluster(**{**base, **fields})


def _view(role: str = "admin", **fields: Any) -> ConsoleView:
    cluster = fields.pop("cluster", None) or _cluster()
    return ConsoleView(cluster=cluster, role=role, notes=fields.pop("notes", {}), **fields)


def _operation(state: str = "running", kind: str = "retention", **fields: Any) -> OperationView:
    base: dict[str, Any] = {"id": 9, "kind": kind, "state": state, "done": 2, "total": 6,
                            "message": "Retention applied to 6 tables.",
                            "actor_label": "ada@example.com",
                            "started_at": NOW - timedelta(minutes=2), "finished_at": None}
    return OperationView(**{**base, **fields})


def test_the_header_names_the_cluster_its_status_and_your_role() -> None:
    header = make_header(_view("editor"))
    assert text(by_id(header, "cluster-name-heading")) == "Hall B"
    badge = by_id(header, "cluster-status-badge")
    assert (text(badge), badge.color) == ("running", "success")
    assert text(header) == "Hall Bhall_bManufacturing analyticsrunningyou: editor"


def test_a_running_operation_shows_its_progress() -> None:
    alert = make_operation(_view(operation=_operation()), now=NOW)
    assert (alert.id, alert.color) == ("cluster-operation", "info")
    assert text(alert) == ("Retention change running · 2 of 6 tables · started by "
                           "ada@example.com")
    bar = by_id(alert, "cluster-operation-bar")
    assert (bar.value, bar.label) == (33, "33 %")


def test_an_ended_operation_shows_its_outcome_for_a_while() -> None:
    done = _operation("done", finished_at=NOW - timedelta(seconds=30))
    alert = make_operation(_view(operation=done), now=NOW)
    assert (alert.color, text(alert)) == (
        "success", "Retention change done: Retention applied to 6 tables.")
    failed = _operation("failed", message="The engine refused.",
                        finished_at=NOW - timedelta(seconds=30))
    assert text(make_operation(_view(operation=failed), now=NOW)) == (
        "Retention change failed: The engine refused.")
    old = replace(done, finished_at=NOW - timedelta(seconds=OUTCOME_SHOWN_S + 1))
    assert make_operation(_view(operation=old), now=NOW) is None
    assert make_operation(_view(), now=NOW) is None


def test_provisioning_lists_its_steps_and_a_failure_its_reason() -> None:
    steps = [{"key": "db", "label": "Create database", "state": "done", "seconds": 0.4},
             {"key": "schema", "label": "Create tables", "state": "running"}]
    card = make_progress(_view(cluster=_cluster(status="provisioning",
                                                progress={"percent": 50, "steps": steps})))
    assert [text(li) for li in of_type(card, "Li")] == ["Create database 0.40 s",
                                                        "Create tables"]
    bar = by_id(card, "cluster-progress-bar")
    assert (bar.value, bar.label, bar.color, bar.animated) == (50, "50 %", "info", True)
    failed = make_progress(_view(cluster=_cluster(
        status="failed", status_reason="disk full", progress={"percent": 20, "steps": []})))
    assert text(by_id(failed, "cluster-failed-alert")) == (
        "Provisioning failed and was rolled back. disk full")
    assert by_id(failed, "cluster-progress-bar").color == "danger"
    assert make_progress(_view()) is None  # running, no operation


def test_the_waiting_secret_is_shown_with_copy_and_confirm() -> None:
    pending = PendingSecret(cluster_id=3, username="hall_b_app", secret="s3cr3t" * 7,
                            purpose="rotation", created_at=NOW,
                            expires_at=NOW + timedelta(hours=24))
    alert = make_secret(pending)
    assert alert.id == "cluster-secret-alert" and alert.color == "warning"
    assert text(by_id(alert, "cluster-secret-value")) == "s3cr3t" * 7
    assert text(by_id(alert, ClusterDetail.secret_saved)) == "I have saved it"
    assert ("The secret of the rotated credential hall_b_app is shown until you confirm you "
            "saved it, and erased by 2026-12-05 05:00 UTC at the latest.") in text(alert)
    assert secret_identity(pending) == "rotation@2026-12-04T05:00:00"
    assert "s3cr3t" not in secret_identity(pending)
    assert make_secret(None) is None and secret_identity(None) == ""


def test_the_configuration_says_what_is_only_recorded() -> None:
    view = _view(notes={"nodes": "recorded, not applied on the bundled engine"},
                 limits=[AppliedLimit("max_threads", 4, 2, "capped at 2 on this server"),
                         AppliedLimit("max_memory_usage", None, 8 * 1024**3),
                         AppliedLimit("max_execution_time", 60, 60)])
    table = make_config(view)
    pairs = {text(tr.children[0]): text(tr.children[1]) for tr in of_type(table, "Tr")
             if len(tr.children) == 2 and type(tr.children[0]).__name__ == "Th"}
    assert pairs["Nodes"] == "3recorded, not applied on the bundled engine"
    assert pairs["Memory per node"] == "64 GB"
    assert pairs["Tier sizes"] == "hot 100 GB · warm 200 GB · cold 0 GB · archive 0 GB"
    assert pairs["Retention"] == ("warm after 7\u00a0d → cold after 30\u00a0d → archive after "
                                  "180\u00a0d → kept forever")  # "180 / d" never breaks
    assert pairs["Query limits"] == ("max_threads 2 — capped at 2 on this server"
                                     "max_memory_usage 8.0 GiBmax_execution_time 60 s")
    assert pairs["Monthly estimate"] == "$1,234.50 (estimate, not a quote)"
    assert pairs["Created"] == "2026-11-01 08:30 UTC"
    ended = make_config(_view(cluster=_cluster(status="decommissioned")))
    assert "— (decommissioned: it costs nothing now)" in text(ended)


def test_no_connection_details_say_why() -> None:
    box = make_connection(_view())
    assert text(box) == ("No connection: the connection details could not be read."
                         "Open the SQL console")
    assert by_id(box, ClusterDetail.sql_link).href == "/clusters/3/sql"
    stopped = make_connection(_view(cluster=_cluster(status="decommissioned")))
    assert ClusterDetail.sql_link not in ids(stopped)


def test_connection_details_with_copy_buttons_and_snippets() -> None:
    details = Connection(cluster_id=3, endpoint=Endpoint("https", "db.example", 8443),
                         database="hall_b", username="hall_b_app", mode="app_gateway",
                         snippets=(Snippet("clickhouse-connect", "Python", "python",
                                           "import clickhouse_connect"),
                                   Snippet("curl", "curl", "bash", "curl -u hall_b_app")),
                         secret="never shown here")
    box = make_connection(_view(connection=details))
    assert text(by_id(box, ClusterDetail.connection_url)) == "https://db.example:8443"
    assert text(by_id(box, "cluster-database")) == "hall_b"
    assert text(by_id(box, "cluster-username")) == "hall_b_app"
    assert [c.target_id for c in of_type(box, "Clipboard")][:3] == [
        ClusterDetail.connection_url, "cluster-database", "cluster-username"]
    assert [(t.label, t.tab_id) for t in of_type(box, "Tab")] == [
        ("Python", "snippet-clickhouse-connect"), ("curl", "snippet-curl")]
    assert "Snippets read it from $CLICKHOUSE_PASSWORD." in text(box)
    assert text(box).startswith("App-enforced credential.")
    assert "(rotate it under Manage)" in text(box)
    assert "(the cluster's admins rotate it under Manage)" in text(
        make_connection(_view(role="viewer", connection=details)))
    assert "never shown here" not in str(box.to_plotly_json())
    unavailable = make_connection(_view(connection=replace(
        details, endpoint=None, unavailable="no credential was created for this cluster")))
    assert text(unavailable) == ("No connection: no credential was created for this cluster."
                                 "Open the SQL console")


def test_usage_per_tier_and_nothing_while_not_running() -> None:
    box = make_usage(_view(usage=[TierUsage("hot", rows=15_234_567, bytes_on_disk=1536,
                                            bytes_uncompressed=6144, parts=12),
                                  TierUsage("warm")]))
    assert rows(by_id(box, "cluster-usage-table")) == [
        ["hot", "15.2 M", "1.5 KiB", "4.0×", "12"], ["warm", "0", "0 B", "—", "0"]]
    assert "Storage parts" in text(box)
    # No sample yet: a sentence, not empty axes with the sentence inside.
    assert ClusterDetail.trend not in ids(box)
    assert text(by_id(box, ClusterDetail.trend_note)).startswith(
        "No trend yet: the first usage sample is recorded a few minutes after start")
    sampled = make_usage(_view(trend=[UsagePoint(NOW, "hot", 10, 2048, 8192, 3)]))
    figure = by_id(sampled, ClusterDetail.trend).figure
    assert [t.name for t in figure.data] == ["hot", "warm", "cold", "archive"]
    assert list(figure.data[0].y) == [2048] and not figure.layout.annotations
    assert text(make_usage(_view(cluster=_cluster(status="provisioning")))) == (
        "No usage: the cluster is not running.")


def test_health_shows_score_checks_and_advice() -> None:
    health = Health(score=0.625, status="warn", queries=QueryStats(10, 1, 0.1, 0.9), checks=(
        HealthCheck("disk", "Disk", "ok", "12 % used"),
        HealthCheck("parts", "Parts", "warn", "Many small parts", ("Merge more often.",))))
    box = make_health(_view(health=health))
    assert text(by_id(box, "cluster-health-score")) == "0.62"
    assert [text(li) for li in of_type(box, "Li")] == [
        "Disk: 12 % used", "Parts: Many small parts", "Merge more often."]
    assert "Recommendations" in text(box)
    calm = make_health(_view(health=replace(health, checks=health.checks[:1])))
    assert text(calm).endswith("Nothing to do.")
    assert text(make_health(_view())) == "No health figures: the cluster is not running."


def test_the_timeline_lists_events_newest_first() -> None:
    class Event:
        def __init__(self, at: datetime, kind: str, message: str, actor: str) -> None:
            self.at, self.kind, self.message, self.actor = at, kind, message, actor

    box = make_timeline(_view(timeline=[Event(NOW, "retention_changed", "warm 7 → 14 d",
                                              "ada@example.com"),
                                        Event(NOW, "started", "running", "")]))
    assert [text(li) for li in of_type(box, "Li")] == [
        "2026-12-04 05:00 UTCretention changed warm 7 → 14 d — ada@example.com",
        "2026-12-04 05:00 UTCstarted running"]
    assert text(make_timeline(_view())) == "Nothing has happened yet."


@pytest.mark.parametrize("role", ["editor", "analyst", "viewer"])
def test_only_admins_manage(role: str) -> None:
    assert text(make_manage(_view(role))) == (
        "Only cluster admins can change retention, limits or decommission.")


def _disabled(box: object) -> dict[str, bool]:
    return {b.id: bool(b.disabled) for b in of_type(box, "Button") + of_type(box, "Checkbox")}


def test_an_admin_of_an_idle_running_cluster_may_use_every_control() -> None:
    box = make_manage(_view())
    assert _disabled(box) == {ClusterDetail.retention_save: False,
                              ClusterDetail.limits_save: False,
                              ClusterDetail.rotate_confirm: False, ClusterDetail.rotate: False,
                              ClusterDetail.decommission: False}
    assert ClusterDetail.manage_busy not in ids(box)
    assert by_id(box, ClusterDetail.decommission_name).placeholder == "Hall B"


def test_while_an_operation_runs_its_button_says_so_and_all_wait() -> None:
    box = make_manage(_view(operation=_operation(kind="limits")))
    assert set(_disabled(box).values()) == {True}
    assert text(by_id(box, ClusterDetail.limits_save)) == "Applying limits…"
    assert text(by_id(box, ClusterDetail.retention_save)) == "Apply retention"
    assert text(by_id(box, ClusterDetail.manage_busy)) == (
        "Limit change running (2 of 6 steps): these buttons come back when it ends.")


def test_a_cluster_without_a_credential_cannot_be_rotated() -> None:
    box = make_manage(_view(cluster=_cluster(credential_user=None)))
    assert _disabled(box)[ClusterDetail.rotate] is True
    assert _disabled(box)[ClusterDetail.retention_save] is False


def test_a_retired_cluster_offers_hide_and_purge_only() -> None:
    retired = make_manage(_view(cluster=_cluster(status="decommissioned")))
    assert text(by_id(retired, ClusterDetail.retired_text)) == (
        "Decommissioned: hide it from the overview, or purge what remains below.")
    assert _disabled(retired) == {ClusterDetail.hide: False, ClusterDetail.purge: False}
    assert text(by_id(retired, ClusterDetail.hide)) == "Hide from the overview"
    purged = make_manage(_view(cluster=_cluster(status="purged", hidden_at=NOW)))
    assert text(by_id(purged, ClusterDetail.hide)) == "Show on the overview"
    assert ClusterDetail.purge not in ids(purged)
