"""Explorer callbacks over the real Dash endpoint: the role is checked on every call, a
cluster id or curve id from the browser cannot reach another cluster's data."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.core.runtime import Runtime
from services.explorer import curve_queries
from services.explorer.outliers_jobs import RankingJobs
from services.explorer.state import ExplorerState, encode_state
from tests.access_world import World, sign_in
from tests.http import json_body

HEADERS = {"Origin": "http://localhost"}


@pytest.fixture(scope="module")
def world(demo_world: World) -> World:
    return demo_world


@pytest.fixture(scope="module")
def server(demo_server: Flask) -> Flask:
    return demo_server


TRIGGERS = {"explorer-graph": "explorer-state-store.data",
            "explorer-process-select": "explorer-process-select.value",
            "explorer-objects-table": "explorer-shape-moves-store.data"}


def _dep(client: FlaskClient, first_output: str) -> dict[str, Any]:
    trigger = TRIGGERS.get(first_output)
    for dep in json_body(client.get("/_dash-dependencies")):
        first = dep["output"].lstrip(".").split(".")[0]
        spec = dep["inputs"][0]
        if first == first_output and trigger in (None, f"{spec['id']}.{spec['property']}"):
            return dep
    raise AssertionError(first_output)


def call(client: FlaskClient, first_output: str, values: dict[str, Any], *,
         changed: str | None = None) -> dict[str, Any]:
    """Run the callback whose first output id is ``first_output`` with input/state values
    by id (others None), as if ``changed`` (default: its first input with a value) had
    changed; the decoded response (``{}`` on 204)."""
    dep = _dep(client, first_output)
    outs = dep["output"][2:-2].split("...") if dep["output"].startswith("..") \
        else [dep["output"]]
    outputs = [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1].split("@")[0]}
               for o in outs]

    def item(spec: dict[str, Any]) -> dict[str, Any]:
        return {"id": spec["id"], "property": spec["property"],
                "value": values.get(f"{spec['id']}.{spec['property']}")}
    inputs = [item(s) for s in dep["inputs"]]
    body = {"output": dep["output"], "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": inputs, "state": [item(s) for s in dep["state"]],
            "changedPropIds": [changed or next((f"{i['id']}.{i['property']}" for i in inputs
                                                if i["value"] is not None),
                                               f"{inputs[0]['id']}.{inputs[0]['property']}")]}
    response = client.post("/_dash-update-component", json=body, headers=HEADERS)
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:300]
    return json_body(response) if response.status_code == 200 else {}


def _text(result: dict[str, Any]) -> str:
    return json.dumps(result)


def _client(server: Flask, key: str) -> FlaskClient:
    return sign_in(server.test_client(), key)


STATE = encode_state(ExplorerState(process="press-fit"))


def test_member_draws_their_cluster(server: Flask, world: World) -> None:
    result = call(_client(server, "viewer"), "explorer-graph", {
        "explorer-state-store.data": STATE, "explorer-cluster-store.data": {"cluster": world.a}})
    figure = result["response"]["explorer-graph"]["figure"]
    assert figure["layout"]["images"][0]["source"].startswith("data:image/png;base64,")


@pytest.mark.parametrize("cluster", ["b", "999999", "1 OR 1=1", "-1", {"cluster": "../2"}])
def test_analyst_of_a_cannot_read_other_or_forged_clusters(server: Flask, world: World,
                                                           cluster: Any) -> None:
    target = world.b if cluster == "b" else cluster
    client = _client(server, "analyst")
    for first in ("explorer-graph", "explorer-process-select"):
        values = {"explorer-state-store.data": STATE,
                  "explorer-cluster-store.data": {"cluster": target, "s": ""}}
        text = _text(call(client, first, values))
        assert "data:image/png" not in text and "press-fit" not in text.replace(STATE, "")
        assert "You do not have access" in text or "does not exist" in text


def _ranking(client: FlaskClient, world: World, runtime: Runtime) -> dict[str, Any]:
    """Start the ranking that follows a draw, wait for its pooled job, and poll once: the
    poll's decoded response."""
    started = call(client, "explorer-ranking-store", {
        "explorer-groups-store.data": {"n": 3, "token": "t"}, "explorer-state-store.data": STATE,
        "explorer-cluster-store.data": {"cluster": world.a}})["response"]
    assert started["explorer-ranking-interval"]["disabled"] is False
    assert "Ranking the filtered curves" in _text(started["explorer-outliers-info-div"])
    job = started["explorer-ranking-store"]["data"]
    runtime.caches.of(RankingJobs).jobs[job["job_id"]].future.result(timeout=120)
    return call(client, "explorer-outliers-table", {
        "explorer-ranking-interval.n_intervals": 1, "explorer-ranking-store.data": job,
        "explorer-state-store.data": STATE,
        "explorer-cluster-store.data": {"cluster": world.a}})


def test_outsider_gets_no_outliers_and_forged_curve_ids_are_refused(
        server: Flask, world: World, mod_runtime: Runtime) -> None:
    outsider = call(_client(server, "outsider"), "explorer-ranking-store", {
        "explorer-groups-store.data": {"n": 3}, "explorer-state-store.data": STATE,
        "explorer-cluster-store.data": {"cluster": world.a}})
    assert "You do not have access" in _text(outsider) and "job_id" not in _text(outsider)
    viewer = _client(server, "viewer")
    _ranking(viewer, world, mod_runtime)
    job = {"job_id": next(reversed(mod_runtime.caches.of(RankingJobs).jobs))}
    stolen = call(_client(server, "outsider"), "explorer-outliers-table", {
        "explorer-ranking-interval.n_intervals": 1, "explorer-ranking-store.data": job,
        "explorer-state-store.data": STATE,
        "explorer-cluster-store.data": {"cluster": world.a}})
    assert "You do not have access" in _text(stolen) and "serial" not in _text(stolen)
    click = {"points": [{"customdata": 987_654_321}]}
    forged = call(viewer, "explorer-selected-store", {
        "explorer-graph.clickData": click, "explorer-state-store.data": STATE,
        "explorer-groups-store.data": {"n": 3},
        "explorer-cluster-store.data": {"cluster": world.a}})
    assert "not among the filtered curves" in _text(forged)


def test_viewer_gets_outliers_ranked_with_a_reason_each(server: Flask, world: World,
                                                         mod_runtime: Runtime) -> None:
    result = _ranking(_client(server, "viewer"), world, mod_runtime)["response"]
    rows = result["explorer-outliers-table"]["data"]
    assert [r["rank"] for r in rows] == list(range(1, len(rows) + 1))
    scores = [r["score"] for r in rows if r["score"] is not None]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert all(isinstance(r["reason"], str) and r["reason"] for r in rows)
    nok_share = sum(r["result"] == "NOK" for r in rows) / len(rows)
    assert sum(r["result"] == "NOK" for r in rows[:10]) / 10 > nok_share
    assert "aligned in x" in _text(result["explorer-outliers-info-div"])
    assert result["explorer-ranking-interval"]["disabled"] is True  # answered: polling stops


def test_export_needs_analyst_and_saving_a_golden_curve_needs_editor(server: Flask,
                                                                     world: World) -> None:
    base = {"explorer-state-store.data": STATE,
            "explorer-cluster-store.data": {"cluster": world.a},
            "explorer-export-outliers-button.n_clicks": 1,
            "explorer-outliers-table.data": [{"serial": "=HYPERLINK(\"x\")", "rank": 1}]}
    viewer = _text(call(_client(server, "viewer"), "explorer-download", base))
    assert "needs the analyst role" in viewer and "HYPERLINK" not in viewer
    analyst = call(_client(server, "analyst"), "explorer-download", base)
    content = analyst["response"]["explorer-download"]["data"]["content"]
    assert "'=HYPERLINK" in content  # formula neutralised
    save = {"explorer-golden-save-button.n_clicks": 1, "explorer-golden-name-input.value": "n",
            "explorer-golden-method-select.value": "median-percentile",
            "explorer-golden-band-input.value": 5, "explorer-golden-source-select.value": "ok",
            "explorer-state-store.data": STATE,
            "explorer-cluster-store.data": {"cluster": world.a}}
    assert "needs the editor role" in _text(call(_client(server, "analyst"),
                                                 "explorer-golden-alert-div", save))
    saved = _text(call(_client(server, "editor"), "explorer-golden-alert-div", save))
    assert "Saved n version 1" in saved


def test_hostile_filter_values_are_refused_with_a_message(server: Flask, world: World) -> None:
    values = {"explorer-process-select.value": "press-fit",
              "explorer-lines-select.value": ["Line 1') OR 1=1 --"],
              "explorer-color-by-select.value": "result", "explorer-state-store.data": STATE,
              "explorer-cluster-store.data": {"cluster": world.a}}
    client = _client(server, "viewer")
    text = _text(call(client, "explorer-process-select", values))
    assert "lines: expected a short name" in text and "explorer-state-store" not in text
    values["explorer-lines-select.value"] = ["Line 9"]
    text = _text(call(client, "explorer-process-select", values))
    assert "Unknown line: choose values from the list" in text
    assert "explorer-state-store" not in text


def test_a_filter_change_stores_and_draws_the_new_state_in_one_round_trip(
        server: Flask, world: World) -> None:
    values = {"explorer-process-select.value": "press-fit",
              "explorer-lines-select.value": ["Line 1"], "explorer-color-by-select.value": "line",
              "explorer-state-store.data": STATE,
              "explorer-cluster-store.data": {"cluster": world.a}}
    client = _client(server, "viewer")
    response = call(client, "explorer-process-select", values)["response"]
    new = response["explorer-state-store"]["data"]
    assert new != STATE
    assert response["explorer-graph"]["figure"]["layout"]["images"]
    assert response["explorer-groups-store"]["data"]["groups"] == ["Line 1"]
    # the filter lists depend on the process only: not sent again for the same process
    assert "explorer-batches-select" not in response
    assert "explorer-golden-select" in response
    # the draw callback then sees its figure is current and sends nothing
    redraw = call(client, "explorer-graph", {
        "explorer-state-store.data": new, "explorer-cluster-store.data": {"cluster": world.a},
        "explorer-groups-store.data": response["explorer-groups-store"]["data"]})
    assert redraw == {}


def _x_range(response: dict[str, Any]) -> list[float] | None:
    axis = response["explorer-graph"]["figure"]["layout"].get("xaxis", {})
    found = axis.get("range")
    return [round(v, 6) for v in found] if found else None


def test_new_data_redraws_the_zoom_on_screen(server: Flask, world: World) -> None:
    client = _client(server, "viewer")
    values = {"explorer-state-store.data": STATE,
              "explorer-fresh-redraw-store.data": {"v": 2, "indexing": False},
              "explorer-cluster-store.data": {"cluster": world.a},
              "explorer-view-store.data": {"x": [2.0, 4.0], "y": [0.0, 30.0]}}
    zoomed = call(client, "explorer-graph", values,
                  changed="explorer-fresh-redraw-store.data")["response"]
    assert _x_range(zoomed) == [2.0, 4.0]
    assert "x 2…4, y 0…30" in zoomed["explorer-summary-div"]["children"]
    values["explorer-view-store.data"] = {"x": None, "y": None}
    whole = call(client, "explorer-graph", values,
                 changed="explorer-fresh-redraw-store.data")["response"]
    assert _x_range(whole) != [2.0, 4.0]


def test_a_filter_change_keeps_the_zoom_and_another_process_opens_whole(
        server: Flask, world: World) -> None:
    client = _client(server, "viewer")
    values = {"explorer-process-select.value": "press-fit",
              "explorer-lines-select.value": ["Line 1"], "explorer-color-by-select.value":
              "result", "explorer-state-store.data": STATE,
              "explorer-cluster-store.data": {"cluster": world.a},
              "explorer-view-store.data": {"x": [2.0, 4.0], "y": [0.0, 30.0]}}
    kept = call(client, "explorer-process-select", values)["response"]
    assert _x_range(kept) == [2.0, 4.0]
    assert "explorer-view-store" not in kept  # the zoom on screen stays as it is
    values |= {"explorer-process-select.value": "screw-driving",
               "explorer-lines-select.value": []}
    moved = call(client, "explorer-process-select", values)["response"]
    assert moved["explorer-view-store"]["data"] == {"x": None, "y": None}
    assert _x_range(moved) != [2.0, 4.0]


def test_opening_a_link_with_an_exact_start_time_keeps_it(server: Flask, world: World) -> None:
    from datetime import UTC, datetime

    exact = encode_state(ExplorerState(process="press-fit", start=datetime(2026, 11, 20, 13, 45)))
    values = {"explorer-process-select.value": "press-fit",
              "explorer-start-input.value": "2026-11-20", "explorer-color-by-select.value":
              "result", "explorer-state-store.data": exact,
              "explorer-cluster-store.data": {"cluster": world.a}}
    client = _client(server, "viewer")
    assert call(client, "explorer-process-select", values) == {}  # unchanged: no redraw
    values["explorer-start-input.value"] = "2026-11-19"  # the person picks another day
    changed = call(client, "explorer-process-select", values)["response"]
    from services.explorer.state import decode_state

    new = decode_state(changed["explorer-state-store"]["data"])
    assert new.start == datetime(2026, 11, 19, tzinfo=UTC)


WINDOW = {"kind": "window", "name": "W1", "x0": 2.0, "x1": 4.0, "y0": 5.0, "y1": 9.0}
ENVELOPE = {"kind": "envelope", "name": "E1", "x0": 1.0, "x1": 3.0, "y0": 0.0, "y1": 1.0}


def test_dragging_a_shape_moves_its_draft_object_and_only_for_members(server: Flask,
                                                                      world: World) -> None:
    values = {"explorer-shape-moves-store.data": {"shapes[0].x0": 2.5, "shapes[0].y1": 3.0,
                                              "shapes[1].y0": 0.4, "shapes[1].x1": 3.5},
              "explorer-objects-table.data": [WINDOW, ENVELOPE],
              "explorer-cluster-store.data": {"cluster": world.a}}
    rows = call(_client(server, "viewer"), "explorer-objects-table", values)
    moved = rows["response"]["explorer-objects-table"]["data"]
    assert moved[0] == {**WINDOW, "x0": 2.5, "y0": 3.0, "y1": 5.0}  # corners kept in order
    assert moved[1] == {**ENVELOPE, "x1": 3.5}  # an envelope spans the height: y ignored
    outsider = call(_client(server, "outsider"), "explorer-objects-table", values)
    assert outsider == {}  # nothing changes for a non-member


@pytest.mark.parametrize("relayout", [{"xaxis.range[0]": 1.0}, {"shapes[5].x0": 1.0},
                                      {"shapes[0].x0": "1; DROP"}, {"shapes[0].x0": True},
                                      {"shapes[0].x0": float("nan")},
                                      {"shapes[0].fillcolor": "red"}, "not a dict"])
def test_events_that_move_no_object_change_nothing(relayout: Any) -> None:
    from callbacks.explorer.drag import moved_rows

    assert moved_rows(relayout, [WINDOW]) is None


def test_a_long_filter_list_is_sent_in_part_and_typing_searches_it_on_the_server(
        server: Flask, world: World, mod_runtime: Runtime,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from services.explorer import view

    monkeypatch.setattr(view, "LISTED_MAX", 2)
    known = curve_queries.options(mod_runtime, world.a, process="press-fit").values["batches"]
    assert len(known) > 3
    client = _client(server, "viewer")
    # a change of process sends the lists (the other filters start afresh): two batches
    opened = call(client, "explorer-process-select", {
        "explorer-process-select.value": "press-fit", "explorer-batches-select.value": [known[-1]],
        "explorer-color-by-select.value": "result",
        "explorer-state-store.data": encode_state(ExplorerState(process="screw-driving")),
        "explorer-cluster-store.data": {"cluster": world.a}})["response"]
    sent = [o["value"] for o in opened["explorer-batches-select"]["options"]]
    assert sent == known[:2]

    search = {"explorer-batches-select.search_value": known[-2].lower(),
              "explorer-batches-select.value": [known[0], "forged"],
              "explorer-cluster-store.data": {"cluster": world.a},
              "explorer-state-store.data": STATE}
    found = call(client, "explorer-batches-select", search)["response"]
    values = [o["value"] for o in found["explorer-batches-select"]["options"]]
    assert values[0] == known[0] and known[-2] in values and "forged" not in values
    assert len(values) <= 3
    # hostile text is only compared with the known values
    hostile = {**search, "explorer-batches-select.search_value": "') OR 1=1 --" * 50}
    only_chosen = call(client, "explorer-batches-select", hostile)["response"]
    assert only_chosen["explorer-batches-select"]["options"] == [
        {"label": known[0], "value": known[0]}]
    # another cluster's values are not searchable; a short list needs no answer
    other = {**search, "explorer-cluster-store.data": {"cluster": world.b}}
    assert call(client, "explorer-batches-select", other) == {}
    monkeypatch.setattr(view, "LISTED_MAX", 10_000)
    assert call(client, "explorer-batches-select", search) == {}
