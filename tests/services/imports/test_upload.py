"""Uploaded Parquet files are read within the decompressed-size budget; jobs use the pool."""

from __future__ import annotations

import base64
import io
import threading
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from services.core.runtime import Runtime
from services.core.work_pools import Busy
from services.imports.budget import ImportTooLarge
from services.imports.import_job import create_job, get_job, start_import
from services.imports.upload import save_upload
from tests.services.import_helpers import ACTOR, curve_rows, import_bytes, make_cluster, table_count

BUDGET = 32 * 1024**2
TOO_LARGE = ("The data takes more than 32 MB once decompressed, more than this server "
             "accepts for a file of this size; nothing was imported. Send the rows in smaller "
             "files.")


@pytest.fixture
def plant(runtime: Runtime, ch_database: str) -> tuple[Runtime, int, str]:
    runtime.settings = runtime.settings.with_overrides(max_decompressed_bytes=BUDGET)
    return runtime, make_cluster(runtime, ch_database), ch_database


def _parquet(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


def zeros_curves(rows: int = 10_000_000) -> bytes:
    """Curve columns of ``rows`` zero samples: a Parquet file of ~100 KB."""
    zeros = np.zeros(rows)
    text = pa.array(["S-1"]).take(np.zeros(rows, dtype=np.int64))
    return _parquet(pa.table({"serial": text, "process": text, "ts": text,
                              "idx": np.zeros(rows, dtype=np.int64), "x": zeros, "y": zeros}))


def test_an_uploaded_parquet_bomb_is_refused_and_not_kept(
        plant: tuple[Runtime, int, str]) -> None:
    rt, cluster_id, _db = plant
    body = zeros_curves()
    assert len(body) < 300_000
    with pytest.raises(ImportTooLarge) as caught:
        save_upload(rt, cluster_id=cluster_id, file_name="bomb.parquet", kind="curves",
                    contents=base64.b64encode(body).decode())
    assert caught.value.user_message == TOO_LARGE
    assert caught.value.status_code == 413
    assert not any((rt.settings.instance_path / "imports" / str(cluster_id)).iterdir())


def test_an_import_job_of_a_parquet_bomb_fails_and_imports_nothing(
        plant: tuple[Runtime, int, str], tmp_path: Path) -> None:
    rt, cluster_id, db = plant
    job = import_bytes(rt, cluster_id, tmp_path, zeros_curves(), name="bomb.parquet")
    assert (job.status, job.message) == ("failed", TOO_LARGE)
    assert table_count(rt, db, "curve_samples") == 0


def test_an_ordinary_parquet_upload_still_imports(plant: tuple[Runtime, int, str],
                                                  tmp_path: Path) -> None:
    rt, cluster_id, db = plant
    table = pacsv.read_csv(io.BytesIO(
        ("serial,process,ts,idx,x,y\n" + "".join(
            ",".join(line.split(",")[:6]) + "\n"
            for line in curve_rows(3, 4).splitlines())).encode()))
    upload = save_upload(rt, cluster_id=cluster_id, file_name="ok.parquet", kind="curves",
                         contents=base64.b64encode(_parquet(table)).decode())
    assert len(upload.preview) == 8
    job = import_bytes(rt, cluster_id, tmp_path, _parquet(table), name="ok.parquet")
    assert (job.status, job.rows) == ("done", 12)
    assert table_count(rt, db, "curve_samples") == 12


def test_a_started_import_over_the_clusters_cap_fails_with_the_reason(
        plant: tuple[Runtime, int, str], tmp_path: Path) -> None:
    rt, cluster_id, db = plant
    gate = threading.Event()
    held = [rt.pools.submit("imports", gate.wait, cluster_id=cluster_id)
            for _ in range(rt.settings.pools.per_cluster)]
    path = tmp_path / "queued.csv"
    path.write_text("serial,process,ts,idx,x,y\nS-1,press-fit,2026-11-20T08:00:00Z,0,1,2\n")
    job = create_job(rt, cluster_id=cluster_id, actor=ACTOR, file_name="queued.csv",
                     kind="curves", fmt="csv", path=path)
    try:
        with pytest.raises(Busy, match=r"^This cluster already runs 2 imports; try again "
                                       r"when one finishes\.$"):
            start_import(rt, job.id)
    finally:
        gate.set()
    assert all(f.result(5) for f in held)
    failed = get_job(rt, cluster_id=cluster_id, job_id=job.id)
    assert (failed.status, failed.message) == (
        "failed", "This cluster already runs 2 imports; try again when one finishes.")
    assert table_count(rt, db, "curve_samples") == 0
