"""Migration 0004 on SQLite and PostgreSQL: tables, server defaults, JSON curve ids."""

from __future__ import annotations

from sqlalchemy import inspect, text

from data.metadata.db import Database
from data.metadata.models import DatabaseCluster, utcnow
from data.metadata.models_alerts import AlertInstance, AlertRule, LiveFeedSetting


def test_alert_tables_migrate_and_round_trip(database_url: str) -> None:
    db = Database(database_url)
    try:
        db.migrate()
        tables = set(inspect(db.engine).get_table_names())
        assert {"alert_rules", "alert_instances", "alert_acknowledgements",
                "alert_rule_evaluations", "live_feed_settings"} <= tables
        with db.session() as session:
            cluster = DatabaseCluster(name="p", database_name="p", cluster_type="manufacturing",
                                      region_code="local")
            session.add(cluster)
            session.flush()
            session.execute(text("INSERT INTO alert_rules (cluster_id, name, kind) "
                                 "VALUES (:c, 'r', 'yield_below')"), {"c": cluster.id})
            rule = session.query(AlertRule).one()
            assert (rule.enabled, rule.severity, rule.params) == (True, "warning", {})
            session.add(AlertInstance(rule_id=rule.id, cluster_id=cluster.id,
                                      curve_ids=[1, 2, 2**62], window_start=utcnow()))
            session.add(LiveFeedSetting(cluster_id=cluster.id, enabled=False))
        with db.session() as session:
            found = session.query(AlertInstance).one()
            assert found.curve_ids == [1, 2, 2**62] and found.state == "firing"
            assert found.window_start is not None and found.window_start.tzinfo is not None
    finally:
        db.dispose()
