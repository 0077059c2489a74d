"""Curve ids for an import: one id per (serial, process, ts), assigned as batches arrive.

Ids are ``job id << 32 | n`` (n counts the file's curves from 0), so they never collide with
another import's or with the demo's small ids, and no hash is needed on the samples. Rows of
one curve usually come together, so a batch is cut into runs of equal keys with Arrow compute
and only the runs (not the rows) are looked up.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SAMPLE_COLUMNS = ("ts", "process", "idx", "x", "y", "row")
CURVE_COLUMNS = ("serial", "process", "ts", "line", "station", "product", "batch", "result",
                 "x_unit", "y_unit", "x_name", "y_name", "defect_mode", "row")


def _changes(column: pa.Array) -> np.ndarray:
    """True where a row's value differs from the row before (the first row is False)."""
    n = len(column)
    out = np.zeros(n, dtype=bool)
    if n > 1:
        out[1:] = pc.not_equal(column.slice(1), column.slice(0, n - 1)).to_numpy(
            zero_copy_only=False)
    return out


class CurveIds:
    """Splits converted batches into sample rows and new per-curve rows, with curve ids."""

    def __init__(self, job_id: int) -> None:
        self.base = int(job_id) << 32
        self.known: dict[tuple[str, str, int], int] = {}

    @property
    def curves(self) -> int:
        """Curves seen so far."""
        return len(self.known)

    def split(self, table: pa.Table) -> tuple[pa.Table, pa.Table]:
        """(samples for the staging table, curves first seen in this batch)."""
        n = table.num_rows
        serial, process = table["serial"].combine_chunks(), table["process"].combine_chunks()
        ts = table["ts"].combine_chunks()
        change = _changes(serial) | _changes(process) | _changes(ts)
        if n:
            change[0] = True
        starts = np.flatnonzero(change)
        lengths = np.diff(np.append(starts, n))
        keys = zip(serial.take(starts).to_pylist(), process.take(starts).to_pylist(),
                   ts.take(starts).cast(pa.int64()).to_pylist(), strict=True)
        run_ids = np.empty(len(starts), dtype=np.uint64)
        new: list[int] = []
        for j, key in enumerate(keys):
            found = self.known.get(key)
            if found is None:
                found = self.known[key] = self.base + len(self.known)
                new.append(j)
            run_ids[j] = found
        samples = {"curve_id": pa.array(np.repeat(run_ids, lengths))}
        samples |= {name: table[name].combine_chunks() for name in SAMPLE_COLUMNS}
        samples["process"] = pc.dictionary_encode(process)
        first = pa.array(starts[new], pa.int64())
        curves = {"curve_id": pa.array(run_ids[new])}
        curves |= {name: table[name].combine_chunks().take(first) for name in CURVE_COLUMNS}
        return pa.table(samples), pa.table(curves)
