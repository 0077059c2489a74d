"""Real ClickHouse clients against a deployed cluster's connection at the engine service.

clickhouse-connect runs in this process (the app's own stack); clickhouse-sqlalchemy with
pandas runs in the clients' venv (``.venv-clients``), the official Node client from
``tests/clients/node_modules``, and curl as the command. Each reads and writes its own
cluster's database and is refused the other cluster's. The clients' folders are found from
the repository root; ``LYCEUM_CLIENTS_ROOT`` names another checkout that has them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pytest
from clickhouse_connect.driver.exceptions import DatabaseError

from tests.engine.conftest import EngineWorld
from tests.servers import ROOT

CLIENTS_ROOT = Path(os.environ.get("LYCEUM_CLIENTS_ROOT") or ROOT)
CLIENTS_PYTHON = CLIENTS_ROOT / ".venv-clients" / "bin" / "python"
NODE_MODULES = CLIENTS_ROOT / "tests" / "clients" / "node_modules"


def _need(path: Path, what: str) -> None:
    if not path.exists():
        pytest.fail(f"{what} is not installed at {path}; run `make clients` (or set "
                    "LYCEUM_CLIENTS_ROOT to a checkout that has it).")


@pytest.mark.parametrize("compress", [False, True, "zstd", "gzip"])
def test_clickhouse_connect_reads_and_writes_its_own_cluster(world: EngineWorld,
                                                             compress: bool | str) -> None:
    alpha, beta = world.alpha, world.beta
    client = world.client(alpha, compress=compress)
    assert client.query("SELECT id FROM readings WHERE id > {n:UInt32} ORDER BY id",
                        parameters={"n": 1}).result_rows == [(2,), (3,)]
    frame = client.query_df("SELECT id, label FROM readings ORDER BY id")
    assert frame["label"].tolist() == ["alpha"] * 3
    assert client.query_arrow("SELECT * FROM readings").num_rows == 3
    client.insert("readings", [[200, 2.5, "connect"]], column_names=["id", "value", "label"])
    client.insert_arrow("readings", pa.table({"id": pa.array([201], pa.uint32()),
                                              "value": [3.5], "label": ["arrow"]}))
    assert client.query("SELECT count() FROM readings WHERE id >= 200").result_rows == [(2,)]
    with pytest.raises(DatabaseError, match="ACCESS_DENIED"):
        client.query(f"SELECT * FROM {beta.database}.readings")
    with pytest.raises(DatabaseError, match="ACCESS_DENIED"):
        client.insert("readings", [[1, 1.0, "x"]], database=beta.database,
                      column_names=["id", "value", "label"])
    assert client.query("SELECT name FROM system.tables").result_rows == [("readings",)]
    world.app_client().command(f"DELETE FROM {alpha.database}.readings WHERE id >= 200")


def test_clickhouse_connect_sees_the_cluster_from_its_settings(world: EngineWorld) -> None:
    client = world.client(world.alpha)
    assert client.server_version and client.database == world.alpha.database
    stamp = client.query("SELECT now()").result_rows[0][0]
    assert isinstance(stamp, dt.datetime)


def test_sqlalchemy_and_pandas_read_and_list_tables(world: EngineWorld) -> None:
    _need(CLIENTS_PYTHON, "The clients' venv (clickhouse-sqlalchemy, pandas)")
    alpha, beta = world.alpha, world.beta
    url = (f"clickhouse+http://{alpha.user}:{alpha.secret}@127.0.0.1:{world.engine.port}/"
           f"{alpha.database}")
    done = subprocess.run([str(CLIENTS_PYTHON), str(ROOT / "tests/clients/sqlalchemy_probe.py"),
                           url, beta.database], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert [row["label"] for row in seen["rows"]] == ["alpha"] * 3
    assert seen["tables"] == ["readings"] and seen["has_table"] is True
    assert seen["columns"] == ["id", "value", "label"]
    assert "ACCESS_DENIED" in seen["other"]


def test_the_node_client_reads_inserts_and_is_refused_elsewhere(world: EngineWorld) -> None:
    _need(NODE_MODULES / "@clickhouse" / "client", "The Node client (@clickhouse/client)")
    node = shutil.which("node")
    assert node, "Node.js is not on the PATH"
    alpha, beta = world.alpha, world.beta
    done = subprocess.run([node, str(ROOT / "tests/clients/node_probe.cjs"), str(NODE_MODULES),
                           world.url, alpha.user, alpha.secret, alpha.database, beta.database],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["ping"] is True
    assert [row["label"] for row in seen["rows"]] == ["alpha"] * 3
    assert seen["inserted"] == [{"n": "1"}]
    assert seen["tables"] == [{"database": alpha.database, "name": "readings"}]
    assert "ACCESS_DENIED" in seen["other"]
    world.app_client().command(f"DELETE FROM {alpha.database}.readings WHERE id = 77")


def _curl(*args: str) -> subprocess.CompletedProcess[bytes]:
    curl = shutil.which("curl")
    assert curl, "curl is not installed (Debian package 'curl'; `make test` installs it)"
    return subprocess.run([curl, "-sS", *args], capture_output=True, timeout=60)


def test_curl_speaks_the_http_dialect(world: EngineWorld, tmp_path: Path) -> None:
    alpha, beta = world.alpha, world.beta
    auth = ["-H", f"X-ClickHouse-User: {alpha.user}", "-H", f"X-ClickHouse-Key: {alpha.secret}"]
    assert _curl(f"{world.url}/ping").stdout == b"Ok.\n"
    assert _curl(*auth, f"{world.url}/?query=SELECT%20count()%20FROM%20readings").stdout == \
        b"3\n"
    csv = _curl(*auth, "--data-binary", "SELECT id, label FROM readings ORDER BY id FORMAT CSV",
                f"{world.url}/")
    assert csv.stdout == b'1,"alpha"\n2,"alpha"\n3,"alpha"\n'
    packed = _curl(*auth, "--compressed", "--data-binary", "SELECT label FROM readings",
                   f"{world.url}/?enable_http_compression=1")
    assert packed.stdout == b"alpha\n" * 3
    body = tmp_path / "rows.csv.gz"
    body.write_bytes(gzip.compress(b"300,1.5,curl\n301,2.5,curl\n"))
    sent = _curl(*auth, "-H", "Content-Encoding: gzip", "--data-binary", f"@{body}",
                 f"{world.url}/?query=INSERT%20INTO%20readings%20FORMAT%20CSV")
    assert sent.stdout == b""
    assert _curl(*auth, "--data-binary", "SELECT count() FROM readings WHERE label = 'curl'",
                 f"{world.url}/").stdout == b"2\n"
    refused = _curl(*auth, "-w", "%{http_code}", "--data-binary",
                    f"SELECT * FROM {beta.database}.readings", f"{world.url}/")
    assert b"(ACCESS_DENIED)" in refused.stdout and refused.stdout.endswith(b"403")
    world.app_client().command(f"DELETE FROM {alpha.database}.readings WHERE label = 'curl'")
