"""GET /api/v1/clusters/<id>/parts and …/parts/<serial>: prefix search, the whole record
of a part in time order, role checks and hostile input."""

from __future__ import annotations

from flask import Flask

from services.core.runtime import Runtime
from tests.access_world import World
from tests.api.explorer_access import Callers, assert_refusals_look_the_same, call, callers
from tests.callbacks.explorer.test_view import server, world  # noqa: F401


def _who(server: Flask, mod_runtime: Runtime, world: World) -> Callers:  # noqa: F811
    return callers(server, mod_runtime, world, tag="trace")


def test_viewer_finds_a_part_by_prefix_and_reads_its_record(
        server: Flask, world: World, mod_runtime: Runtime) -> None:  # noqa: F811
    who = _who(server, mod_runtime, world)
    base = f"/api/v1/clusters/{world.a}/parts"
    found = call(server, who, "viewer", "GET", f"{base}?search=LC-&limit=5").json
    assert found["total"] == 5 and len(found["items"]) == 5
    serials = [i["serial"] for i in found["items"]]
    assert serials == sorted(serials) and all(s.startswith("LC-") for s in serials)
    with_curves = call(server, who, "viewer", "GET", f"{base}?search=LC-&limit=25").json
    part = next(i for i in with_curves["items"] if i["n_curves"] > 0)
    by_id = call(server, who, "viewer", "GET", f"{base}?search={part['part_id']}").json
    assert part["serial"] in [i["serial"] for i in by_id["items"]]
    record = call(server, who, "viewer", "GET", f"{base}/{part['serial']}").json
    assert record["serial"] == part["serial"] and len(record["curves"]) == part["n_curves"]
    times = [e["ts"] for e in record["events"]]
    assert times == sorted(times)
    assert {e["kind"] for e in record["events"]} >= {"curve", "result"}
    curve = record["curves"][0]
    assert curve["serial"] == part["serial"] and len(curve["x"]) == len(curve["y"]) > 10
    assert curve["features"] and {"feature", "value", "unit"} <= set(curve["features"][0])
    assert curve["golden"] is None  # no golden curve saved for this process yet


def test_a_saved_golden_curve_is_drawn_with_the_parts_curve(
        server: Flask, world: World, mod_runtime: Runtime) -> None:  # noqa: F811
    who = _who(server, mod_runtime, world)
    saved = call(server, who, "editor", "POST",
                 f"/api/v1/clusters/{world.a}/golden-curves",
                 {"filter": {"process": "press-fit"}, "name": "trace reference"})
    assert saved.status_code == 201, saved.get_data(as_text=True)
    items = call(server, who, "viewer", "GET",
                 f"/api/v1/clusters/{world.a}/parts?search=LC-&limit=25").json["items"]
    for item in items:
        record = call(server, who, "viewer", "GET",
                      f"/api/v1/clusters/{world.a}/parts/{item['serial']}").json
        press = [c for c in record.get("curves", []) if c["process"] == "press-fit"]
        if press:
            assert press[0]["golden"]["name"] == "trace reference"
            assert len(press[0]["golden"]["center"]) > 10
            return
    raise AssertionError("no press-fit part among the first serials")


def test_only_members_read_parts_and_refusals_look_the_same(
        server: Flask, world: World, mod_runtime: Runtime) -> None:  # noqa: F811
    who = _who(server, mod_runtime, world)
    base = f"/api/v1/clusters/{world.a}/parts"
    serial = call(server, who, "viewer", "GET", f"{base}?search=LC-&limit=1").json[
        "items"][0]["serial"]
    for key in ("viewer", "analyst", "editor", "admin"):
        assert call(server, who, key, "GET", f"{base}/{serial}").status_code == 200
    assert_refusals_look_the_same(server, who, "GET", f"{base}?search=LC-")
    assert_refusals_look_the_same(server, who, "GET", f"{base}/{serial}")
    other = call(server, who, "viewer", "GET", f"/api/v1/clusters/{world.b}/parts/{serial}")
    assert other.status_code == 403 and serial not in other.get_data(as_text=True)


def test_hostile_searches_and_serials_are_refused_or_find_nothing(
        server: Flask, world: World, mod_runtime: Runtime) -> None:  # noqa: F811
    who = _who(server, mod_runtime, world)
    base = f"/api/v1/clusters/{world.a}/parts"
    refused = {
        "?search=": "Type a serial",
        "?search=" + "L" * 81: "A serial is 1 to 80",
        "?search=LC-'; DROP TABLE curves --": "A serial is 1 to 80",
        "?search=LC-&limit=0": "limit is 1 to 25",
        "?search=LC-&limit=9999": "limit is 1 to 25",
        "?search=LC-&limit=x": "limit is 1 to 25",
        "?search=LC-&table=curves": "Unknown query parameter",
    }
    for query, message in refused.items():
        response = call(server, who, "viewer", "GET", base + query)
        assert response.status_code == 400, query
        assert message in response.json["error"]["message"], query
    nothing = call(server, who, "viewer", "GET", f"{base}?search=ZZ-no-such").json
    assert nothing == {"items": [], "total": 0}
    for serial in ("LC-0000-999999", "1 OR 1=1", "%25", "LC-0001-000001%27)--"):
        response = call(server, who, "viewer", "GET", f"{base}/{serial}")
        assert response.status_code in (400, 404), serial
    assert call(server, who, "viewer", "GET", f"{base}/LC-x?evil=1").status_code == 400
    huge = call(server, who, "viewer", "GET", f"{base}/{'9' * 25}")
    assert huge.status_code == 404  # a number too big for a part id is just a serial
