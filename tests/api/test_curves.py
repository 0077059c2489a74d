"""GET /api/v1/clusters/<id>/curves and …/golden-curves: filters validated, paging, roles."""

from __future__ import annotations

from flask import Flask

from tests.access_world import World, sign_in
from tests.callbacks.explorer.test_view import server, world  # noqa: F401
from tests.http import json_body

HEADERS = {"Origin": "http://localhost"}


def test_viewer_pages_through_filtered_curves(server: Flask, world: World) -> None:  # noqa: F811
    client = sign_in(server.test_client(), "viewer")
    url = f"/api/v1/clusters/{world.a}/curves?process=press-fit&results=NOK&limit=5"
    body = json_body(client.get(url, headers=HEADERS))
    assert body["total"] > 5 and len(body["items"]) == 5 and body["next_offset"] == 5
    assert {item["result"] for item in body["items"]} == {"NOK"}
    more = json_body(client.get(url + "&lines=Line 1&lines=Line 2", headers=HEADERS))
    assert {item["line"] for item in more["items"]} <= {"Line 1", "Line 2"}
    golden = client.get(f"/api/v1/clusters/{world.a}/golden-curves?process=press-fit",
                        headers=HEADERS)
    assert golden.status_code == 200 and isinstance(json_body(golden)["items"], list)


def test_bad_filters_and_other_clusters_are_refused(server: Flask, world: World) -> None:  # noqa: F811
    client = sign_in(server.test_client(), "viewer")
    base = f"/api/v1/clusters/{world.a}/curves"
    cases = {
        "?process=press-fit&lines=Line 1') OR 1=1 --": "lines: expected a short name",
        "?process=press-fit&lines=Line 9": "Unknown line",
        "?process=nope": "Unknown process",
        "?process=press-fit&start=2026-11-02&end=2026-11-01": "backwards",
        "?process=press-fit&evil=1": "Unknown query parameter",
    }
    for query, message in cases.items():
        response = client.get(base + query, headers=HEADERS)
        assert response.status_code == 400, query
        assert message in response.get_data(as_text=True), query
    other = client.get(f"/api/v1/clusters/{world.b}/curves?process=press-fit", headers=HEADERS)
    assert other.status_code == 403
    assert "press-fit" not in other.get_data(as_text=True)


def test_filter_values_of_a_process_can_be_searched(server: Flask, world: World) -> None:  # noqa: F811
    client = sign_in(server.test_client(), "viewer")
    base = f"/api/v1/clusters/{world.a}/curve-filters"
    body = json_body(client.get(base + "?process=press-fit", headers=HEADERS))
    assert body["process"] == "press-fit" and "press-fit" in body["processes"]
    assert "Line 1" in body["lines"] and body["results"] == ["OK", "WARNING", "NOK"]
    batch = body["batches"][-1]
    found = json_body(client.get(base + f"?process=press-fit&search={batch.lower()}",
                                 headers=HEADERS))
    assert found["batches"] == [batch] and found["lines"] == []
    hostile = json_body(client.get(base + "?process=press-fit&search=') OR 1=1 --",
                                   headers=HEADERS))
    assert hostile["batches"] == [] and hostile["stations"] == []
    for query, message in {"?process=nope": "Unknown process",
                           "?search=" + "x" * 101: "at most 100 characters",
                           "?evil=1": "Unknown query parameter"}.items():
        response = client.get(base + query, headers=HEADERS)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    other = client.get(f"/api/v1/clusters/{world.b}/curve-filters", headers=HEADERS)
    assert other.status_code == 403 and "press-fit" not in other.get_data(as_text=True)
