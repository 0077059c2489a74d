"""The explorer over the API: golden curves from a filter, outliers (paged, stable),
evaluation with what-if against recorded results, and the streamed export of every filtered
curve; role checks and hostile filters for each."""

from __future__ import annotations

import io
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.ipc as ipc
import pytest
from flask import Flask

from services.core.runtime import Runtime
from services.explorer import export_stream
from tests.access_world import World
from tests.api.explorer_access import Callers, assert_refusals_look_the_same, call, callers
from tests.callbacks.explorer.test_view import server, world  # noqa: F401
from tests.waiting import wait_until

PRESS = {"process": "press-fit"}


@pytest.fixture(scope="module")
def who(server: Flask, mod_runtime: Runtime, world: World) -> Callers:  # noqa: F811
    return callers(server, mod_runtime, world, tag="explorer")


def _url(world: World, route: str) -> str:  # noqa: F811
    return f"/api/v1/clusters/{world.a}/{route}"


def _count(server: Flask, who: Callers, world: World, query: str) -> int:  # noqa: F811
    return int(call(server, who, "viewer", "GET",
                    _url(world, f"curves?{query}&limit=1")).json["total"])


def test_editor_builds_a_golden_curve_others_may_not(server: Flask, world: World,  # noqa: F811
                                                     who: Callers) -> None:
    url = _url(world, "golden-curves")
    body = {"filter": {**PRESS, "lines": ["Line 1"]}, "name": "api golden", "band": 10,
            "method": "median-percentile", "source": "ok"}
    made = call(server, who, "editor", "POST", url, body)
    assert made.status_code == 201, made.get_data(as_text=True)
    saved = made.json
    assert saved["name"] == "api golden" and saved["version"] == 1 and saved["n_curves"] >= 3
    assert len(saved["x"]) == len(saved["center"]) == len(saved["upper"]) == 256
    assert all(lo <= hi for lo, hi in zip(saved["lower"], saved["upper"], strict=True)
               if lo is not None and hi is not None)
    again = call(server, who, "admin", "POST", url, body).json
    assert again["version"] == 2 and again["id"] != saved["id"]
    for key in ("viewer", "analyst"):
        refused = call(server, who, key, "POST", url, body)
        assert refused.status_code == 403 and "needs the editor role" in \
            refused.json["error"]["message"].lower()
    assert_refusals_look_the_same(server, who, "POST", url, body)
    listed = call(server, who, "viewer", "GET", url + "?process=press-fit").json["items"]
    assert [g["version"] for g in listed if g["name"] == "api golden"] == [2, 1]


def test_outliers_are_paged_in_a_stable_order(server: Flask, world: World,  # noqa: F811
                                              who: Callers) -> None:
    url = _url(world, "outliers")
    total = _count(server, who, world, "process=press-fit")
    first = call(server, who, "viewer", "POST", url + "?limit=7", {"filter": PRESS}).json
    assert first["total"] == total and len(first["items"]) == 7 and first["next_offset"] == 7
    assert [i["rank"] for i in first["items"]] == list(range(1, 8))
    second = call(server, who, "viewer", "POST", url + "?limit=7&offset=7",
                  {"filter": PRESS}).json
    both = first["items"] + second["items"]
    keys = [(-i["score"], i["curve_id"]) for i in both]  # the explorer page's ranking
    assert keys == sorted(keys) and len({i["curve_id"] for i in both}) == 14
    assert all(i["reason"] for i in both)  # each rank says why, in words
    assert call(server, who, "viewer", "POST", url + "?limit=14", {"filter": PRESS}).json[
        "items"] == both
    assert both[0]["serial"].startswith("LC-") and both[0]["result"] in ("OK", "WARNING", "NOK")
    gid = call(server, who, "viewer", "GET", _url(world, "golden-curves?process=press-fit")
               ).json["items"][0]["id"]
    against = call(server, who, "viewer", "POST", url + "?limit=3",
                   {"filter": PRESS, "golden_id": gid}).json
    assert against["golden"]["id"] == gid
    assert_refusals_look_the_same(server, who, "POST", url, {"filter": PRESS})


OBJECTS = [{"kind": "window", "name": "start window", "x0": 0.0, "x1": 2.0, "y0": -50.0,
            "y1": 20_000.0, "entry": "left", "exit": "right"}]


def test_evaluation_returns_verdicts_and_flips_against_recorded_results(
        server: Flask, world: World, who: Callers) -> None:  # noqa: F811
    url = _url(world, "evaluations")
    body: dict[str, Any] = {"filter": PRESS, "objects": OBJECTS}
    found = call(server, who, "viewer", "POST", url + "?limit=500", body)
    assert found.status_code == 200, found.get_data(as_text=True)
    every = found.json
    assert every["n_curves"] == _count(server, who, world, "process=press-fit")
    assert every["total"] == every["n_curves"] and every["objects"] == ["start window"]
    ids = [i["curve_id"] for i in every["items"]]
    assert ids == sorted(ids)
    for item in every["items"]:
        assert item["verdict"] in ("OK", "NOK")
        assert (item["failing_object"] == "start window") == (item["verdict"] == "NOK")
        expected = ("ok_to_nok" if item["verdict"] == "NOK" and item["recorded"] != "NOK"
                    else "nok_to_ok" if item["verdict"] == "OK" and item["recorded"] == "NOK"
                    else None)
        assert item["flip"] == expected
    flips = call(server, who, "viewer", "POST", url + "?limit=500",
                 {**body, "show": "flips"}).json
    assert flips["total"] == every["n_ok_to_nok"] + every["n_nok_to_ok"] > 0
    assert all(i["flip"] for i in flips["items"])
    strict = [{"kind": "envelope", "name": "tight", "x0": -1e9, "x1": 1e9, "margin": 0}]
    enveloped = call(server, who, "viewer", "POST", url + "?limit=1",
                     {"filter": PRESS, "objects": strict, "show": "nok"}).json
    assert enveloped["n_nok"] > 0 and enveloped["golden"]["n_curves"] >= 3
    assert_refusals_look_the_same(server, who, "POST", url, body)


HOSTILE: list[tuple[str, Any, str]] = [
    ("filter", {"process": "press-fit", "table": "curves"}, "Unknown filter key: table"),
    ("filter", {"process": "press-fit", "lines": ["Line 1') OR 1=1 --"]},
     "lines: expected a short name"),
    ("filter", {"process": "press-fit", "lines": ["Line 9"]}, "Unknown line"),
    ("filter", {"process": "nope"}, "Unknown process"),
    ("filter", {"process": "press-fit", "batches": [f"B{i}" for i in range(201)]},
     "batches: at most 200 values"),
    ("filter", {"process": "press-fit", "lines": "Line 1"}, "lines: expected a list"),
    ("filter", {"process": ["press-fit"]}, "process: expected a name"),
    ("filter", ["press-fit"], "filter: expected a JSON object"),
    ("filter", {"process": "press-fit", "start": "2026-11-02", "end": "2026-11-01"},
     "backwards"),
    ("golden_id", 987_654_321, "does not exist on this cluster"),
    ("golden_id", "1 OR 1=1", "golden_id: the id of a saved golden curve"),
    ("evil", 1, "Unknown field: evil"),
]


@pytest.mark.parametrize(("key", "value", "message"), HOSTILE)
def test_hostile_filters_are_refused_with_a_clear_message(
        server: Flask, world: World, who: Callers, key: str, value: Any,  # noqa: F811
        message: str) -> None:
    body: dict[str, Any] = {"filter": PRESS, key: value}
    response = call(server, who, "viewer", "POST", _url(world, "outliers"), body)
    assert response.status_code in (400, 404), response.get_data(as_text=True)
    assert message in response.json["error"]["message"]


@pytest.mark.parametrize(("objects", "message"), [
    ([], "objects: a list of 1 to 20"),
    ([OBJECTS[0]] * 2, "every evaluation object needs its own name"),
    ([{**OBJECTS[0], "sql": "DROP"}], "objects: unknown field sql"),
    ([{**OBJECTS[0], "x0": 5.0, "x1": 1.0}], "x0 must be below x1"),
    ([{**OBJECTS[0], "kind": "lasso"}], "object kind: must be one of"),
    ([{**OBJECTS[0], "x0": "nan"}], "expected a finite number"),
    ([OBJECTS[0] | {"name": f"o{i}"} for i in range(21)], "objects: a list of 1 to 20"),
])
def test_bad_objects_are_refused(server: Flask, world: World, who: Callers,  # noqa: F811
                                 objects: Any, message: str) -> None:
    response = call(server, who, "viewer", "POST", _url(world, "evaluations"),
                    {"filter": PRESS, "objects": objects})
    assert response.status_code == 400 and message in response.json["error"]["message"]
    bad_show = call(server, who, "viewer", "POST", _url(world, "evaluations"),
                    {"filter": PRESS, "objects": OBJECTS, "show": "everything"})
    assert bad_show.status_code == 400 and "show: one of" in bad_show.json["error"]["message"]


def _export(server: Flask, who: Callers, world: World, query: str,  # noqa: F811
            key: str = "analyst") -> Any:
    return call(server, who, key, "GET", _url(world, f"curve-samples?{query}"))


def _frame(fmt: str, data: bytes) -> pl.DataFrame:
    if fmt == "csv":
        return pl.read_csv(io.BytesIO(data))
    if fmt == "parquet":
        return pl.read_parquet(io.BytesIO(data))
    table = ipc.open_stream(pa.BufferReader(data)).read_all()
    found = pl.from_arrow(table)
    assert isinstance(found, pl.DataFrame)
    return found


@pytest.mark.parametrize("fmt", ["csv", "parquet", "arrow"])
def test_export_streams_every_filtered_curve(server: Flask, world: World, who: Callers,  # noqa: F811
                                             fmt: str) -> None:
    query = "process=press-fit&lines=Line 1&lines=Line 2"
    response = _export(server, who, world, f"format={fmt}&{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert response.is_streamed
    data = response.get_data()
    frame = _frame(fmt, data)
    n_curves = _count(server, who, world, query)
    assert frame["curve_id"].n_unique() == n_curves == int(response.headers["X-Curve-Count"])
    assert frame.height == int(response.headers["X-Sample-Count"])
    assert set(frame["line"].unique().to_list()) == {"Line 1", "Line 2"}
    assert frame.columns[:3] == ["curve_id", "part_id", "serial"]
    assert frame.columns[-3:] == ["idx", "x", "y"]
    per_curve = frame.group_by("curve_id").agg(pl.col("idx").is_sorted().alias("ordered"))
    assert per_curve["ordered"].all()
    assert f"curves-press-fit.{'arrows' if fmt == 'arrow' else fmt}" in \
        response.headers["Content-Disposition"]


def test_an_empty_set_is_a_file_with_its_columns(server: Flask, world: World,  # noqa: F811
                                                 who: Callers) -> None:
    query = "process=press-fit&start=2001-01-01&end=2001-01-02"
    for fmt in ("csv", "parquet", "arrow"):
        response = _export(server, who, world, f"format={fmt}&{query}")
        assert response.status_code == 200
        frame = _frame(fmt, response.get_data())
        assert frame.height == 0 and "serial" in frame.columns


def test_export_needs_the_analyst_role_and_refuses_hostile_input(
        server: Flask, world: World, who: Callers) -> None:  # noqa: F811
    viewer = _export(server, who, world, "format=csv&process=press-fit", key="viewer")
    assert viewer.status_code == 403 and "x," not in viewer.get_data(as_text=True)
    assert_refusals_look_the_same(server, who, "GET",
                                  _url(world, "curve-samples?format=csv&process=press-fit"))
    for query, message in {
        "format=xlsx&process=press-fit": "format: one of csv, parquet, arrow",
        "process=press-fit": "format: one of",
        "format=csv&process=press-fit&lines=Line 1') OR 1=1 --": "expected a short name",
        "format=csv&process=press-fit&path=/etc/passwd": "Unknown query parameter",
        "format=csv&process=press-fit&" + "&".join(f"batches=B{i}" for i in range(201)):
            "at most 200 values",
    }.items():
        response = _export(server, who, world, query)
        assert response.status_code == 400, query
        assert message in response.json["error"]["message"], query


def test_the_clusters_exports_are_bounded(server: Flask, world: World, who: Callers,  # noqa: F811
                                          mod_runtime: Runtime,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Streams that nobody reads hold their slots (small pieces fill the queue at once);
    beyond the cluster's share: 429, and closing a stream gives its slot back."""
    monkeypatch.setattr(export_stream, "PIECE_BYTES", 1024)
    held = []
    per_cluster = mod_runtime.settings.pools.per_cluster
    for _ in range(per_cluster):
        response = _export(server, who, world, "format=csv&process=press-fit")
        assert response.status_code == 200
        held.append(response)
    refused = _export(server, who, world, "format=csv&process=press-fit")
    assert refused.status_code == 429 and "exports" in refused.json["error"]["message"]
    for response in held:
        response.close()
    wait_until(lambda: mod_runtime.pools.running("exports", world.a) == 0, within=10,
               message="closed export streams kept their slots")
    again = _export(server, who, world, "format=csv&process=press-fit")
    assert again.status_code == 200 and b"curve_id" in again.get_data()[:20]


MINE = {("/api/v1/clusters/{cluster_id}/golden-curves", "post"),
        ("/api/v1/clusters/{cluster_id}/outliers", "post"),
        ("/api/v1/clusters/{cluster_id}/evaluations", "post"),
        ("/api/v1/clusters/{cluster_id}/curve-samples", "get"),
        ("/api/v1/clusters/{cluster_id}/curve-exports/{job_id}", "get"),
        ("/api/v1/clusters/{cluster_id}/parts", "get"),
        ("/api/v1/clusters/{cluster_id}/parts/{serial}", "get")}


def test_the_openapi_document_describes_every_new_route(server: Flask,  # noqa: F811
                                                        who: Callers) -> None:
    document = call(server, who, "viewer", "GET", "/api/v1/openapi.json").json
    paths, named = document["paths"], document["components"]["schemas"]
    for path, method in MINE:
        op = paths[path][method]
        assert op["description"].startswith("Needs the "), path
        assert all(p.get("in") in ("path", "query") for p in op["parameters"]), path
        content = op["responses"]["200"]["content"]
        if "application/json" in content:
            schema = content["application/json"]["schema"]
            schema = named[schema["$ref"].rsplit("/", 1)[1]]  # a named schema, for generators
            assert schema["type"] == "object" and schema["properties"], path
        else:
            assert set(content) == {m for m, _ext in export_stream.FORMATS.values()}, path
        if method == "post":
            body = op["requestBody"]["content"]["application/json"]["schema"]
            assert body["additionalProperties"] is False, path
