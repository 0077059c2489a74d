"""The import job gathers source batches into few staging inserts and imports every row."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from data.analytics import import_staging
from services.core.runtime import Runtime
from services.imports import budget, import_job
from tests.services.import_helpers import import_bytes, make_cluster, table_count


def _two_process_parquet(curves: int, points: int) -> bytes:
    """Curves of two processes, alternating, so each source batch has its own dictionary."""
    curve = np.repeat(np.arange(curves), points)
    process = pa.array(["press-fit", "riveting"]).take(pa.array(curve % 2))
    out = io.BytesIO()
    pq.write_table(pa.table({
        "serial": pa.array([f"S-{i:04d}" for i in range(curves)]).take(pa.array(curve)),
        "process": process,
        "ts": pa.array(curve.astype(np.int64) * 1000 + 1_790_000_000_000,
                       pa.timestamp("ms", tz="UTC")),
        "idx": pa.array(np.tile(np.arange(points, dtype=np.uint16), curves)),
        "x": pa.array(np.tile(np.arange(points, dtype=np.float32), curves)),
        "y": pa.array(np.tile(np.arange(points, dtype=np.float32) * 2, curves))}), out)
    return out.getvalue()


def test_source_batches_are_gathered_into_few_staging_inserts(
        runtime: Runtime, ch_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    monkeypatch.setattr(budget, "BATCH_ROWS", 100)
    monkeypatch.setattr(import_job, "STAGE_INSERT_ROWS", 1_000)
    inserts: list[tuple[bool, int]] = []
    real = import_staging.insert_stage

    def counted(cs: Any, *, job_id: int, table: pa.Table, curves: bool = False) -> None:
        inserts.append((curves, table.num_rows))
        real(cs, job_id=job_id, table=table, curves=curves)

    monkeypatch.setattr(import_staging, "insert_stage", counted)
    job = import_bytes(runtime, cluster_id, tmp_path, _two_process_parquet(60, 40),
                       name="two.parquet")
    assert job.status == "done", job.message
    samples = [rows for curves, rows in inserts if not curves]
    # 2,400 samples read in 24 batches of 100: three inserts (1,000 + 1,000 + 400), not 24
    assert samples == [1_000, 1_000, 400]
    assert sum(rows for curves, rows in inserts if curves) == 60
    assert table_count(runtime, ch_database, "curve_samples") == 2_400
    assert table_count(runtime, ch_database, "curves") == 60
    found = runtime.ch.rows(f"SELECT process, count() FROM {ch_database}.curves "
                            "GROUP BY process ORDER BY process")
    assert found == [("press-fit", 30), ("riveting", 30)]


def test_a_bad_row_in_a_later_batch_still_inserts_nothing(
        runtime: Runtime, ch_database: str, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    cluster_id = make_cluster(runtime, ch_database)
    monkeypatch.setattr(budget, "BATCH_ROWS", 100)
    monkeypatch.setattr(import_job, "STAGE_INSERT_ROWS", 1_000)
    table = pq.read_table(io.BytesIO(_two_process_parquet(60, 40)))
    y = table.column("y").to_numpy().copy()
    y[2_150] = np.inf
    out = io.BytesIO()
    pq.write_table(table.set_column(5, "y", pa.array(y)), out)
    job = import_bytes(runtime, cluster_id, tmp_path, out.getvalue(), name="bad.parquet")
    assert job.status == "failed"
    assert job.message == ("1 problem found; nothing was imported. Row 2151, column y: "
                           "“inf” is not a finite number")
    assert table_count(runtime, ch_database, "curve_samples") == 0
    assert table_count(runtime, ch_database, "curves") == 0
