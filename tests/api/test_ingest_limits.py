"""Ingest bodies are read within a decompressed-size budget, and imports run in their pool."""

from __future__ import annotations

import threading

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from flask.testing import FlaskClient

from data.metadata import memberships
from services.access import tokens
from services.access.accounts import create_user
from services.core.audit import Actor
from services.core.runtime import Runtime
from tests.services.import_helpers import make_cluster, table_count

BUDGET = 32 * 1024**2
TOO_LARGE = ("The data takes more than 32 MB once decompressed, more than this server "
             "accepts for a file of this size; nothing was imported. Send the rows in smaller "
             "files.")
ROWS = [{"serial": "ING-1", "process": "press-fit", "ts": "2026-11-20T08:00:00Z", "idx": i,
         "x": i * 0.1, "y": i * 0.5} for i in range(10)]


@pytest.fixture
def world(runtime: Runtime, ch_database: str) -> dict[str, object]:
    runtime.settings = runtime.settings.with_overrides(max_decompressed_bytes=BUDGET)
    ed = create_user(runtime.db, runtime.passwords, email="ed@example.com",
                     password="long enough password")
    cluster = make_cluster(runtime, ch_database)
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=cluster, user_id=ed.id, role="editor",
                               granted_by=None)
    _row, secret = tokens.create_token(runtime, user_id=ed.id, cluster_id=cluster, name="t",
                                       role="editor", expires_in_days=1,
                                       actor=Actor(label="ed"))
    return {"cluster": cluster, "db": ch_database,
            "auth": {"Authorization": f"Bearer {secret}"}}


def zeros_parquet(rows: int = 10_000_000) -> bytes:
    """A small Parquet file (zstd) that holds ``rows`` zeros: ~46 KB for 80 MB of values."""
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"serial": pa.array(["Z"] * 1, pa.string()).take(
        np.zeros(rows, dtype=np.int64)), "y": np.zeros(rows)}), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def zeros_arrow_stream(rows: int = 10_000_000, *, batches: int = 10) -> bytes:
    """An Arrow IPC stream (zstd) of ``rows`` zeros in several record batches."""
    table = pa.table({"y": np.zeros(rows)})
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema,
                           options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table, max_chunksize=rows // batches)
    return sink.getvalue().to_pybytes()


def _post(client: FlaskClient, world: dict[str, object], body: bytes, kind: str,
          batch: str) -> object:
    return client.post(f"/api/v1/clusters/{world['cluster']}/ingest?batch_id={batch}"
                       "&kind=curves", data=body,
                       headers={**world["auth"], "Content-Type": kind})  # type: ignore[dict-item]


def _nothing_written(client: FlaskClient, runtime: Runtime, world: dict[str, object]) -> None:
    assert table_count(runtime, str(world["db"]), "curve_samples") == 0
    jobs = client.get(f"/api/v1/clusters/{world['cluster']}/imports", headers=world["auth"])
    assert jobs.json["items"] == []  # type: ignore[index]
    folder = runtime.settings.instance_path / "imports" / str(world["cluster"])
    assert not folder.exists() or not any(folder.iterdir())


def test_a_parquet_bomb_is_refused_before_it_is_read(
        client: FlaskClient, runtime: Runtime, world: dict[str, object]) -> None:
    body = zeros_parquet()
    assert len(body) < 200_000
    answer = _post(client, world, body, "application/vnd.apache.parquet", "bomb-1")
    assert answer.status_code == 413, answer.json  # type: ignore[attr-defined]
    assert answer.json["error"]["message"] == TOO_LARGE  # type: ignore[attr-defined]
    _nothing_written(client, runtime, world)


def test_an_arrow_stream_bomb_is_refused_batch_by_batch(
        client: FlaskClient, runtime: Runtime, world: dict[str, object]) -> None:
    body = zeros_arrow_stream()
    assert len(body) < 100_000
    answer = _post(client, world, body, "application/vnd.apache.arrow.stream", "bomb-2")
    assert answer.status_code == 413, answer.json  # type: ignore[attr-defined]
    assert answer.json["error"]["message"] == TOO_LARGE  # type: ignore[attr-defined]
    _nothing_written(client, runtime, world)


@pytest.mark.parametrize("kind", ["application/vnd.apache.parquet",
                                  "application/vnd.apache.arrow.stream"])
def test_ordinary_files_still_import(client: FlaskClient, runtime: Runtime,
                                     world: dict[str, object], kind: str) -> None:
    table = pa.Table.from_pylist(ROWS)
    sink = pa.BufferOutputStream()
    if kind.endswith("parquet"):
        pq.write_table(table, sink, compression="zstd")
    else:
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    answer = _post(client, world, sink.getvalue().to_pybytes(), kind, "fine-1")
    assert answer.status_code == 201, answer.json  # type: ignore[attr-defined]
    assert answer.json["status"] == "done"  # type: ignore[attr-defined]
    assert table_count(runtime, str(world["db"]), "curve_samples") == 10


def test_a_cluster_running_its_share_of_imports_is_refused_at_once(
        client: FlaskClient, runtime: Runtime, world: dict[str, object]) -> None:
    gate = threading.Event()
    cluster = int(world["cluster"])  # type: ignore[call-overload]
    held = [runtime.pools.submit("imports", gate.wait, cluster_id=cluster)
            for _ in range(runtime.settings.pools.per_cluster)]
    try:
        answer = client.post(f"/api/v1/clusters/{cluster}/ingest", headers=world["auth"],
                             json={"batch_id": "busy-1", "kind": "curves", "rows": ROWS})
    finally:
        gate.set()
    assert answer.status_code == 429
    assert answer.json["error"]["message"] == (  # type: ignore[index]
        "This cluster already runs 2 imports; try again when one finishes.")
    assert all(f.result(5) for f in held)
    _nothing_written(client, runtime, world)


@pytest.mark.parametrize("kind", ["application/vnd.apache.parquet",
                                  "application/vnd.apache.arrow.stream"])
def test_an_unreadable_body_is_refused_and_leaves_nothing(
        client: FlaskClient, runtime: Runtime, world: dict[str, object], kind: str) -> None:
    answer = _post(client, world, b"PAR1 this is not a table PAR1", kind, "junk-1")
    assert answer.status_code == 400  # type: ignore[attr-defined]
    assert answer.json["error"]["message"] == (  # type: ignore[attr-defined]
        "The body is not a readable Arrow or Parquet table.")
    _nothing_written(client, runtime, world)
