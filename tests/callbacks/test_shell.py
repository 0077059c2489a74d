"""The navbar's part search over the real Dash endpoint: a member's exact serial navigates to
its trace page, a prefix lists links, no match and bad text say so, outsiders reach nothing."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from services.explorer import trace
from tests.access_world import World, sign_in
from tests.callbacks.explorer.test_view import call, server, world  # noqa: F401


def _search(server: Flask, key: str, text: Any, pathname: str = "/") -> dict[str, Any]:  # noqa: F811
    return call(sign_in(server.test_client(), key), "shell-part-search-div", {
        "shell-part-search-input.n_submit": 1, "shell-part-search-input.value": text,
        "_pages_location.pathname": pathname})


def test_a_members_serial_opens_its_trace_page(server: Flask, world: World) -> None:  # noqa: F811
    runtime = server.extensions["lyceum"]
    serial = trace.search(runtime, world.a, "LC-", limit=2)[1]["serial"]
    found = _search(server, "viewer", serial)["response"]
    assert found["shell-part-search-location"]["href"] == \
        f"/clusters/{world.a}/trace?serial={serial}"
    assert found["shell-part-search-div"]["children"] is None


def test_a_prefix_lists_links_and_no_match_says_so(server: Flask, world: World) -> None:  # noqa: F811
    listed = _search(server, "analyst", "LC-", f"/clusters/{world.a}/explorer")
    text = json.dumps(listed)
    assert "parts match “LC-”: choose one." in json.dumps(listed, ensure_ascii=False)
    assert f"/clusters/{world.a}/trace?serial=LC-" in text
    assert "shell-part-search-location" not in listed["response"]
    none = json.dumps(_search(server, "viewer", "ZZ-404"), ensure_ascii=False)
    assert "No part with serial or part id “ZZ-404” on this cluster." in none


def test_outsiders_and_bad_text_reach_nothing(server: Flask, world: World) -> None:  # noqa: F811
    runtime = server.extensions["lyceum"]
    serial = trace.search(runtime, world.a, "LC-", limit=1)[0]["serial"]
    for key, path in (("outsider", f"/clusters/{world.a}/dashboard"), ("b_admin", "/")):
        answer = json.dumps(_search(server, key, serial, path), ensure_ascii=False)
        assert "trace?serial" not in answer and "href" not in answer
    for text, message in {"": "Type a serial or part id.",
                          "LC-'; DROP TABLE parts --": "A serial is 1 to 80"}.items():
        answer = json.dumps(_search(server, "viewer", text), ensure_ascii=False)
        assert message in answer and "trace?serial" not in answer
