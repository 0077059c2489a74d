"""The address writer: the browser function, run in node over a window that records what it
did to the history, and its registration on the explorer and dashboard pages."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from callbacks.address import _REPLACE_FIRST, _WRITE, POP_QUIET_MS
from components.address import wanted_address
from components.ids.dashboard import Dashboard
from components.ids.explorer import Explorer
from tests.access_world import sign_in
from tests.security.matrix import dependencies

SKIP = "no_update"

# A window with just what the function touches; each step calls it with one wanted address
# (or fires popstate) and records [the returned pair, the history calls, location.search].
_HARNESS = """
const steps = JSON.parse(process.argv[2]);
let now = 1000000;
const listeners = {};
const calls = [];
const location = {pathname: '/clusters/1/explorer', search: '?v=1', hash: '',
                  get href() { return 'http://test' + this.pathname + this.search; }};
const move = (href) => { location.search = href.slice(location.pathname.length); };
globalThis.Date = {now: () => now};
globalThis.window = {
  dash_clientside: {no_update: 'no_update'}, location,
  addEventListener: (name, f) => { listeners[name] = f; },
  history: {
    pushState: (_s, _t, href) => { calls.push(['push', href]); move(href); },
    replaceState: (_s, _t, href) => { calls.push(['replace', href]); move(href); },
  },
};
const write = (WRITE);
const out = [];
for (const step of steps) {
  if (step.wait) { now += step.wait; continue; }
  if (step.pop) { listeners.popstate(); continue; }
  calls.length = 0;
  out.push([write(step.wanted), [...calls], location.search]);
}
console.log(JSON.stringify(out));
"""


PATH = "/clusters/1/explorer"  # where the harness's window is


def _here(search: str, *, replace: bool = False, base: str | None = None) -> dict[str, Any]:
    """An address the page at the harness's path wants (asked from ``base``)."""
    return wanted_address(PATH, search, replace=replace, base=base)


def _run(steps: list[dict[str, Any]], tmp_path: Path, function: str = _WRITE) -> list[Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = tmp_path / "address.cjs"
    script.write_text(_HARNESS.replace("(WRITE)", f"({function})"))
    done = subprocess.run([node, str(script), json.dumps(steps)], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    found: list[Any] = json.loads(done.stdout)
    return found


def test_the_quiet_time_is_written_into_the_function() -> None:
    assert "POP_QUIET_MS" not in _WRITE and f"< {POP_QUIET_MS}\n" in _WRITE


def test_a_new_view_is_pushed_and_a_first_view_replaces(tmp_path: Path) -> None:
    first, second, same = _run([{"wanted": _here("?v=2", replace=True)},
                                {"wanted": _here("?v=3")}, {"wanted": _here("?v=3")}],
                               tmp_path)
    assert first[1] == [["replace", "/clusters/1/explorer?v=2"]] and first[2] == "?v=2"
    assert second[1] == [["push", "/clusters/1/explorer?v=3"]] and second[2] == "?v=3"
    assert same[1] == [] and same[0][0] == "?v=3"  # already there: the history is untouched
    # The Location is told the new search and the page's href.
    assert first[0] == ["?v=2", "http://test/clusters/1/explorer?v=2"]
    assert second[0] == ["?v=3", "http://test/clusters/1/explorer?v=3"]


@pytest.mark.parametrize("wanted", [None, {}, {"search": 5, "path": PATH},
                                    {"search": "v=1", "path": PATH},
                                    {"search": "?" + "a" * 16000, "path": PATH},
                                    {"search": "javascript:alert(1)", "path": PATH},
                                    {"search": "?v=2", "replace": False}])
def test_a_malformed_address_is_ignored(tmp_path: Path, wanted: Any) -> None:
    [(answer, calls, search)] = _run([{"wanted": wanted}], tmp_path)
    assert (answer, calls, search) == ([SKIP, SKIP], [], "?v=1")


@pytest.mark.parametrize("replace", [True, False])
def test_an_answer_for_a_page_the_person_left_writes_nothing(tmp_path: Path,
                                                              replace: bool) -> None:
    # The dashboard's answer to its last change lands after a search's link opened the
    # parts trace: the trace page's address must keep its own search.
    [(answer, calls, search)] = _run(
        [{"wanted": wanted_address("/clusters/1/dashboard", "?spc_feature=a", replace=replace)}],
        tmp_path)
    assert (answer, calls, search) == ([SKIP, SKIP], [], "?v=1")


def test_no_push_while_a_popped_view_is_restored_but_a_replace_goes_through(
        tmp_path: Path) -> None:
    pushed, replaced, later = _run([
        {"wanted": None}, {"pop": True}, {"wait": POP_QUIET_MS - 100},
        {"wanted": _here("?v=4")}, {"wanted": _here("?v=5", replace=True)},
        {"wait": 200}, {"wanted": _here("?v=6")}], tmp_path)[1:]
    assert pushed == [[SKIP, SKIP], [], "?v=1"]
    assert replaced[1] == [["replace", "/clusters/1/explorer?v=5"]]
    assert later[1] == [["push", "/clusters/1/explorer?v=6"]]


def test_an_answer_asked_from_an_address_since_left_pushes_nothing(tmp_path: Path) -> None:
    """Under load the answer to a view Back restored landed after the next Back, over
    1.5 s later, and pushed that view over the forward history (a full run at 01:31)."""
    stale, current, unknown = _run([
        {"wanted": _here("?v=3", base="?v=2")}, {"wanted": _here("?v=3", base="?v=1")},
        {"wanted": _here("?v=4")}], tmp_path)
    assert stale == [[SKIP, SKIP], [], "?v=1"]  # asked while the address was ?v=2
    assert current[1] == [["push", "/clusters/1/explorer?v=3"]]
    assert unknown[1] == [["push", "/clusters/1/explorer?v=4"]]  # no base: as before
    # a first view replaces whatever the base (it makes no new entry)
    [replaced] = _run([{"wanted": _here("?v=5", replace=True, base="?v=9")}], tmp_path)
    assert replaced[1] == [["replace", "/clusters/1/explorer?v=5"]]


def test_the_first_address_replaces_the_entry_once_and_notes_back_forward(
        tmp_path: Path) -> None:
    steps: list[dict[str, Any]] = [{"wanted": "?window=7d"}, {"wanted": "?window=7d"},
                                   {"wanted": "https://elsewhere.example/"}, {"wanted": None}]
    found = _run(steps, tmp_path, _REPLACE_FIRST)
    assert found[0] == [SKIP, [["replace", "/clusters/1/explorer?window=7d"]], "?window=7d"]
    assert [step[1] for step in found[1:]] == [[], [], []]  # already there; not an address
    # it listens for Back/Forward as the writer does (the harness fails on a pop unheard)
    both = _run([{"wanted": "?v=2"}, {"pop": True}], tmp_path, _REPLACE_FIRST)
    assert both[0][1] == [["replace", "/clusters/1/explorer?v=2"]]


def test_the_dashboard_registers_its_first_address_in_the_browser(
        server: Flask, admin: tuple[str, str]) -> None:
    del admin
    client = sign_in(server.test_client(), "root")
    found = [d for d in dependencies(server, client)
             if d["output"] == f"{Dashboard.first_address}.modified_timestamp"]
    assert len(found) == 1 and found[0]["clientside_function"] is not None
    assert [i["id"] for i in found[0]["inputs"]] == [Dashboard.first_address]


@pytest.mark.parametrize(("location", "store"), [(Explorer.url, Explorer.address),
                                                 (Dashboard.url, Dashboard.address)])
def test_each_page_registers_its_writer_in_the_browser(
        server: Flask, admin: tuple[str, str], location: str, store: str) -> None:
    del admin  # root@example.com, who may load every page's callbacks
    client = sign_in(server.test_client(), "root")
    found = [d for d in dependencies(server, client)
             if d["output"] == f"..{location}.search...{location}.href.."]
    assert len(found) == 1
    assert found[0]["clientside_function"] is not None
    assert [i["id"] for i in found[0]["inputs"]] == [store]
    assert found[0]["prevent_initial_call"] is True
