"""Traceability by serial: prefix search, the whole record of a part in time order, the
alerts naming its curves (rules and recorded ones), and refusals with a clear message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from data.metadata import memberships
from data.metadata.models_alerts import AlertInstance, AlertRule
from lyceum.errors import NotFound, ValidationError
from services.core.runtime import Runtime
from services.explorer import trace
from tests.access_world import World
from tests.callbacks.explorer.test_view import world  # noqa: F401


def _database(runtime: Runtime, cluster_id: int) -> str:
    with runtime.db.session() as session:
        row = memberships.get_cluster(session, cluster_id)
        assert row is not None
        return row.database_name


def _part_with_curves(runtime: Runtime, cluster_id: int) -> dict[str, object]:
    return next(r for r in trace.search(runtime, cluster_id, "LC-", limit=25)
                if int(r["n_curves"]) > 1)


def test_search_is_a_bounded_alphabetical_prefix_search(mod_runtime: Runtime,
                                                        world: World) -> None:  # noqa: F811
    found = trace.search(mod_runtime, world.a, "  LC-  ", limit=7)
    serials = [r["serial"] for r in found]
    assert len(found) == 7 and serials == sorted(serials)
    assert all(s.startswith("LC-") for s in serials)
    narrower = trace.search(mod_runtime, world.a, serials[3], limit=25)
    assert narrower[0]["serial"] == serials[3]
    by_id = trace.search(mod_runtime, world.a, str(found[0]["part_id"]), limit=25)
    assert found[0]["serial"] in [r["serial"] for r in by_id]
    assert trace.search(mod_runtime, world.a, "LC_", limit=5) == []  # "_" is no wildcard


@pytest.mark.parametrize(("text", "limit", "message"), [
    ("", 5, "Type a serial or part id."),
    ("   ", 5, "Type a serial or part id."),
    (None, 5, "Type a serial or part id."),
    ("x" * 81, 5, "A serial is 1 to 80"),
    ("LC-'||'", 5, "A serial is 1 to 80"),
    ("LC-", 0, "limit is 1 to 25."),
    ("LC-", 26, "limit is 1 to 25."),
    ("LC-", True, "limit is 1 to 25."),
])
def test_bad_searches_are_refused(mod_runtime: Runtime, world: World, text: object,  # noqa: F811
                                  limit: int, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        trace.search(mod_runtime, world.a, text, limit=limit)
    assert message in caught.value.user_message


def test_a_parts_record_is_complete_and_in_time_order(mod_runtime: Runtime,
                                                      world: World) -> None:  # noqa: F811
    part = _part_with_curves(mod_runtime, world.a)
    found = trace.trace(mod_runtime, world.a, part["serial"])
    assert found.serial == part["serial"] and len(found.curves) == part["n_curves"]
    assert found.part_ids == [part["part_id"]]
    stamps = [c.meta["ts"] for c in found.curves]
    assert stamps == sorted(stamps)
    for curve in found.curves:
        assert curve.meta["serial"] == part["serial"]
        assert 10 < len(curve.x) == len(curve.y) <= trace.POINTS
        assert curve.features and all(f["curve_id"] == curve.meta["curve_id"]
                                      for f in curve.features)
    assert found.results and found.results[0]["serial"] == part["serial"]
    kinds = [e["kind"] for e in found.events]
    assert kinds.count("curve") == len(found.curves) and "result" in kinds
    assert [e["ts"] for e in found.events] == sorted(e["ts"] for e in found.events)
    body = trace.as_json(found)
    assert body["curves"][0]["x"] == found.curves[0].x


def test_alerts_that_name_the_parts_curves_are_in_its_record(mod_runtime: Runtime,
                                                            world: World) -> None:  # noqa: F811
    part = _part_with_curves(mod_runtime, world.a)
    curves = trace.trace(mod_runtime, world.a, part["serial"]).curves
    mine, other = curves[0].meta["curve_id"], 987_654_321
    with mod_runtime.db.session() as session:
        rule = AlertRule(cluster_id=world.a, name="Peak force high", kind="feature_above",
                         params={})
        session.add(rule)
        session.flush()
        session.add(AlertInstance(rule_id=rule.id, cluster_id=world.a, subject="press-fit",
                                  message="peak force above 5 kN", curve_ids=[other, mine]))
        session.add(AlertInstance(rule_id=rule.id, cluster_id=world.a, subject="press-fit",
                                  message="someone else's curve", curve_ids=[other]))
        session.add(AlertInstance(rule_id=rule.id, cluster_id=world.b, subject="press-fit",
                                  message="another cluster's alert", curve_ids=[mine]))
    mod_runtime.ch.insert_rows(
        "alerts", [(uuid.uuid4(), datetime.now(UTC), "gauge drift", "critical", "Line 1",
                    "ST-1", "peak_force", [mine], "recorded drift on this part")],
        database=_database(mod_runtime, world.a),
        column_names=["alert_id", "ts", "rule", "severity", "line", "station", "feature",
                      "curve_ids", "message"])
    found = trace.trace(mod_runtime, world.a, part["serial"])
    messages = {a["message"]: a for a in found.alerts}
    assert set(messages) == {"peak force above 5 kN", "recorded drift on this part"}
    assert messages["peak force above 5 kN"]["curve_ids"] == [mine]
    assert messages["recorded drift on this part"]["severity"] == "critical"
    assert sum(e["kind"] == "alert" for e in found.events) == 2


def test_unknown_serials_and_other_clusters_find_nothing(mod_runtime: Runtime,
                                                        world: World) -> None:  # noqa: F811
    part = _part_with_curves(mod_runtime, world.a)
    with pytest.raises(NotFound) as caught:
        trace.trace(mod_runtime, world.b, part["serial"])
    assert caught.value.user_message == "No part with that serial on this cluster."
    with pytest.raises(NotFound):
        trace.trace(mod_runtime, world.a, "NO-SUCH-SERIAL")
    with pytest.raises(ValidationError):
        trace.trace(mod_runtime, world.a, "LC-' OR 1=1 --")
