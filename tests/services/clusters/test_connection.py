"""Connection details: the engine service's or the server's URL, and snippets that work."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.analytics import sql_console
from data.analytics.clickhouse import ClickHouse
from data.metadata import memberships
from lyceum.settings import load_settings
from services.clusters import connection
from services.clusters.console_view import console_view
from services.core.audit import Actor
from tests.servers import ROOT, free_port
from tests.services.sql_console_world import World, console_world


@pytest.fixture(scope="module")
def world(ch: ClickHouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    env = {"LYCEUM_ENGINE_PUBLIC_URL": "https://clickhouse.plant.example:9443/"}
    with console_world(tmp_path_factory.mktemp("conn"), ch, prefix="conntest",
                       env=env) as found:
        yield found


@pytest.mark.parametrize(("url", "expected"), [
    ("http://127.0.0.1:8123", ("http", "127.0.0.1", 8123)),
    ("https://user:pw@ch.example.com/db?x=1", ("https", "ch.example.com", 8443)),
    ("clickhouse://u:p@10.0.0.5:18123/", ("http", "10.0.0.5", 18123)),
    ("http://[::1]:8123", ("http", "::1", 8123)),
])
def test_endpoints_drop_credentials_and_default_the_port(url: str,
                                                         expected: tuple[str, str, int]) -> None:
    endpoint = connection.parse_endpoint(url)
    assert (endpoint.scheme, endpoint.host, endpoint.port) == expected
    assert "pw" not in endpoint.url and "u:p" not in endpoint.url


@pytest.mark.parametrize("url", ["chdb:///tmp/x", "ftp://host", "http://", "not a url"])
def test_endpoints_refuse_what_is_not_http(url: str) -> None:
    with pytest.raises(ValueError, match="not an HTTP"):
        connection.parse_endpoint(url)


def test_a_server_dsn_gives_the_servers_own_url(tmp_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(tmp_path), "LYCEUM_DEMO": "off",
                              "LYCEUM_CLICKHOUSE_DSN": "https://app:pw@ch.corp.example:8443/"})
    assert connection.engine_endpoint(settings).url == "https://ch.corp.example:8443"


def test_the_cluster_connection_is_filled_with_its_values(world: World) -> None:
    found = connection.connection(world.runtime, world.a, role="viewer")
    assert found.endpoint is not None
    assert found.endpoint.url == "https://clickhouse.plant.example:9443"
    assert (found.database, found.username) == ("conntest_a", "conntest_a_app")
    assert found.secret is None
    codes = {s.key: s.code for s in found.snippets}
    assert "secure=True" in codes["clickhouse-connect"]
    assert "clickhouse+http://conntest_a_app:{secret}@clickhouse.plant.example:9443/" \
           "conntest_a?protocol=https" in codes["pandas"]
    assert "'https://clickhouse.plant.example:9443/?database=conntest_a'" in codes["curl"]
    assert "url: \"https://clickhouse.plant.example:9443\"" in codes["node"]
    # The example query reads one of the cluster's own tables.
    tables = sql_console.table_columns(world.runtime.ch, "conntest_a")
    first = max(tables, key=lambda t: t.rows).name
    assert first == "curve_samples"  # the sample data's largest table
    assert all(f"SELECT * FROM {first} LIMIT 10" in code for code in codes.values())
    for key in ("clickhouse-connect", "pandas"):
        ast.parse(codes[key])


def test_the_console_view_carries_the_connection(world: World) -> None:
    view = console_view(world.runtime, world.a, role="viewer")
    assert view.connection is not None and view.connection.endpoint is not None
    assert view.connection.username == "conntest_a_app"
    assert "the URL below" in view.credential_text


def test_the_node_snippet_is_valid_javascript(world: World, tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    found = connection.connection(world.runtime, world.a, role="viewer")
    script = tmp_path / "snippet.mjs"
    script.write_text(next(s.code for s in found.snippets if s.key == "node"))
    checked = subprocess.run([node, "--check", str(script)], capture_output=True, text=True,
                             timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr


def test_the_secret_is_only_for_admins_while_it_waits(world: World) -> None:
    admin = Actor(user_id=world.admin, label="admin")
    assert connection.connection(world.runtime, world.a, role="admin",
                                 actor=admin).secret == world.a_secret
    assert connection.connection(world.runtime, world.a, role="editor",
                                 actor=Actor(user_id=world.editor)).secret is None


def test_a_cluster_without_a_running_engine_has_no_connection(world: World) -> None:
    with world.runtime.db.session() as session:
        cluster = memberships.get_cluster(session, world.b)
        assert cluster is not None
        cluster.status = "stopped"
        session.commit()
    try:
        found = connection.connection(world.runtime, world.b, role="admin")
        assert found.endpoint is None and found.snippets == ()
        assert found.unavailable == "the cluster is not running"
        assert found.as_json()["url"] is None
    finally:
        with world.runtime.db.session() as session:
            cluster = memberships.get_cluster(session, world.b)
            assert cluster is not None
            cluster.status = "running"
            session.commit()


CLIENT_PYTHON = ROOT / ".venv-clients" / "bin" / "python"
NODE_MODULES = ROOT / "tests" / "clients" / "node_modules"
#: What each client says when nothing listens: the snippet got as far as the network.
REFUSED = ("Connection refused", "ECONNREFUSED", "Failed to connect")
#: What a snippet that does not fit the installed client would say instead.
BROKEN = ("SyntaxError", "TypeError", "ModuleNotFoundError", "ImportError", "NameError",
          "AttributeError", "ERR_MODULE_NOT_FOUND", "Unknown option")


def _run_snippet(snippet: connection.Snippet, folder: Path) -> str:
    env = {**os.environ, connection.SECRET_VARIABLE: "not-the-secret"}
    if snippet.language == "python":
        if not CLIENT_PYTHON.exists():
            pytest.skip("the client venv (.venv-clients, made by the Makefile) is missing")
        command = [str(CLIENT_PYTHON), "-c", snippet.code]
    elif snippet.language == "javascript":
        node = shutil.which("node")
        if node is None or not NODE_MODULES.exists():
            pytest.skip("node or tests/clients/node_modules (made by the Makefile) is missing")
        (folder / "node_modules").symlink_to(NODE_MODULES.resolve())
        script = folder / "snippet.mjs"
        script.write_text(snippet.code)
        command = [node, str(script)]
    else:
        command = ["bash", "-c", snippet.code]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env,
                          cwd=folder, check=False)
    assert done.returncode != 0, done.stdout
    return done.stdout + done.stderr


@pytest.mark.parametrize("key", ["clickhouse-connect", "pandas", "curl", "node"])
def test_each_snippet_runs_in_its_real_client_as_far_as_the_network(key: str,
                                                                    tmp_path: Path) -> None:
    """Pointed at a port where nothing listens, each snippet fails only at connecting: the
    installed client accepts its code and options (the engine service answers for real in
    the client compatibility tests)."""
    endpoint = connection.Endpoint("http", "127.0.0.1", free_port())
    snippet = next(s for s in connection.snippets(endpoint, database="nowhere",
                                                  username="nobody", sql="SELECT 1")
                   if s.key == key)
    said = _run_snippet(snippet, tmp_path)
    assert any(text in said for text in REFUSED), said[-2000:]
    assert not any(text in said for text in BROKEN), said[-2000:]
