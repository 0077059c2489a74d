"""The Dash internals behind lyceum.dash_adapter: each still exists, with the parameters and
the behaviour the app relies on. A Dash upgrade that changes one fails here, by name."""

from __future__ import annotations

import ast
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dash
import diskcache
import pytest
from celery import Celery
from dash import Input, Output, dcc, html
from dash.background_callback.managers import diskcache_manager
from dash.exceptions import PreventUpdate

from lyceum import dash_adapter
from lyceum.dash_adapter import DashChanged


def test_every_internal_used_is_there_with_the_same_parameters() -> None:
    dash_adapter.check()


def test_a_missing_internal_fails_loudly_naming_the_dash_version(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(diskcache_manager, "_make_job_fn")
    with pytest.raises(DashChanged, match=rf"^Dash {dash.__version__} changed "
                       r"dash\.background_callback\.managers\.diskcache_manager\._make_job_fn "
                       r"\(it is gone\); lyceum/dash_adapter\.py was written for Dash 4\.4\.1"):
        dash_adapter.check()


def test_a_changed_signature_fails_loudly(monkeypatch: pytest.MonkeyPatch) -> None:
    def changed(fn: Any, cache: Any, progress: Any, key: Any) -> Any:
        return None

    monkeypatch.setattr(diskcache_manager, "_make_job_fn", changed)
    with pytest.raises(DashChanged, match=r"parameters \('fn', 'cache', 'progress', 'key'\), "
                       r"expected \('fn', 'cache', 'progress'\)"):
        dash_adapter.check()


@pytest.fixture
def own_registry() -> Iterator[None]:
    """Dash's module-level registry emptied for the test, and put back afterwards."""
    saved = dash_adapter.registered_callbacks()
    dash_adapter.forget_registered_callbacks()
    yield
    dash_adapter.forget_registered_callbacks()
    from dash import _callback  # the adapter's own test may restore what it found

    _callback.GLOBAL_CALLBACK_MAP.update(saved[0])
    _callback.GLOBAL_CALLBACK_LIST.extend(saved[1])


def test_callbacks_registered_with_dash_callback_can_be_handed_to_each_app(
        own_registry: None) -> None:
    @dash.callback(Output("adapter-out", "children"), Input("adapter-in", "value"))
    def shout(value: str) -> str:
        return value.upper()

    found_map, found_list = dash_adapter.registered_callbacks()
    assert list(found_map) == ["adapter-out.children"] and len(found_list) == 1
    dash_adapter.forget_registered_callbacks()
    assert dash_adapter.registered_callbacks() == ({}, [])

    for _ in range(2):  # every app gets them, not only the first
        app = dash.Dash(__name__)
        app.layout = html.Div([dcc.Input(id="adapter-in"), html.Div(id="adapter-out")])
        dash_adapter.add_callbacks(app, found_map, found_list)
        response = app.server.test_client().post("/_dash-update-component", json={
            "output": "adapter-out.children",
            "outputs": {"id": "adapter-out", "property": "children"},
            "inputs": [{"id": "adapter-in", "property": "value", "value": "hi"}],
            "changedPropIds": ["adapter-in.value"], "state": []})
        assert response.status_code == 200
        assert response.get_json()["response"] == {"adapter-out": {"children": "HI"}}


def test_the_disk_job_keeps_result_progress_and_set_props_where_dash_looks(
        tmp_path: Path) -> None:
    cache = diskcache.Cache(str(tmp_path))

    def work(set_progress: Any, a: int, b: int) -> int:
        set_progress(50)
        dash.set_props("adapter-note", {"children": "half"})
        return a + b

    job = dash_adapter.disk_job_fn(work, cache, True)
    job("r1", dash_adapter.progress_key("r1"), [1, 2], {})
    assert cache.get("r1") == 3 and cache.get("r1-progress") == [50]
    assert cache.get(dash_adapter.set_props_key("r1")) == {"adapter-note": {"children": "half"}}

    def refuse(_a: int) -> int:
        raise PreventUpdate

    def fail(_a: int) -> int:
        raise ValueError("broken")

    dash_adapter.disk_job_fn(refuse, cache, False)("r2", "r2-progress", [1], {})
    dash_adapter.disk_job_fn(fail, cache, False)("r3", "r3-progress", [1], {})
    assert cache.get("r2") == {"_dash_no_update": "_dash_no_update"}
    assert cache.get("r3")["background_callback_error"]["msg"] == "broken"


def test_the_celery_job_is_a_task_of_that_app_keeping_its_result_in_the_backend() -> None:
    app = Celery("adapter-test", broker="memory://", backend="cache+memory://")

    def add(a: int, b: int) -> int:
        return a + b

    task = dash_adapter.celery_job_fn(add, app, False, "k1")
    assert task.name == "background_callback_k1" and task.name in app.tasks
    task("r1", dash_adapter.progress_key("r1"), [2, 3], {})
    assert json.loads(app.backend.get("r1")) == 5


def test_the_job_entries_are_named_as_dash_polls_them() -> None:
    assert dash_adapter.progress_key("k") == "k-progress"
    assert dash_adapter.set_props_key("k") == "k-set_props"


ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("app.py", "lyceum", "pages", "components", "callbacks", "api", "auth", "services",
            "data", "bench")


def _private_dash_uses(path: Path) -> list[str]:
    """Imports of a private Dash name, and attributes that only Dash's internals have."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "dash":
            names = [*(node.module or "").split("."), *(a.name for a in node.names)]
            found += [f"{path.name}:{node.lineno} {n}" for n in names if n.startswith("_")]
        elif isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno} {a.name}" for a in node.names
                      if a.name.split(".")[0] == "dash" and "._" in a.name]
        elif isinstance(node, ast.Attribute) and node.attr in (
                "_callback_list", "_make_job_fn", "_make_progress_key", "_make_set_props_key",
                "_setup_server", "GLOBAL_CALLBACK_MAP", "GLOBAL_CALLBACK_LIST"):
            found.append(f"{path.name}:{node.lineno} {node.attr}")
    return found


def test_no_module_but_the_adapter_touches_dash_private_names() -> None:
    files = [ROOT / "app.py"] + [f for p in PACKAGES[1:] for f in sorted((ROOT / p).rglob("*.py"))]
    found = [use for f in files if f != ROOT / "lyceum" / "dash_adapter.py"
             for use in _private_dash_uses(f)]
    assert found == []
    assert _private_dash_uses(ROOT / "lyceum" / "dash_adapter.py")  # the check sees them


def test_concurrent_first_requests_set_the_app_up_once_one_at_a_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    inside, most, calls = [0], [0], [0]
    real = dash.Dash._setup_server
    guard = threading.Lock()

    def slow_setup(self: dash.Dash) -> None:
        with guard:
            inside[0] += 1
            calls[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.2)  # wide open: without the lock every request would be in here at once
        try:
            real(self)
        finally:
            with guard:
                inside[0] -= 1

    monkeypatch.setattr(dash.Dash, "_setup_server", slow_setup)
    app = dash.Dash(__name__)
    app.layout = html.Div("set up")
    dash_adapter.serialize_setup(app, app.server)
    client = app.server.test_client()
    codes: list[int] = []
    requests = [threading.Thread(target=lambda: codes.append(client.get("/").status_code))
                for _ in range(4)]
    for request in requests:
        request.start()
    for request in requests:
        request.join()
    assert codes == [200] * 4
    assert most[0] == 1  # one at a time: the others waited, then found it done
    assert app._got_first_request["setup_server"]


def test_an_app_whose_setup_is_no_longer_a_hook_fails_loudly() -> None:
    app = dash.Dash(__name__)
    app.server.before_request_funcs[None] = []
    with pytest.raises(DashChanged, match="_setup_server"):
        dash_adapter.serialize_setup(app, app.server)
