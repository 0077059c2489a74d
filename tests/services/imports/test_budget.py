"""Parquet and Arrow data is judged by its decoded size before it is decoded."""

from __future__ import annotations

import io

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from services.imports.budget import (
    ImportTooLarge,
    budget_for,
    decoded_bytes,
    open_parquet,
    parquet_decoded_bytes,
    read_body,
)

MB = 1024**2
BUDGET = 32 * MB
MESSAGE = ("The data takes more than 32 MB once decompressed, more than this server accepts "
           "for a file of this size; nothing was imported. Send the rows in smaller files.")
DEFAULT_CEILING = 2048 * MB


def _parquet(table: pa.Table) -> bytes:
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    return out.getvalue()


def _stream(table: pa.Table, *, chunk: int) -> bytes:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema,
                           options=pa.ipc.IpcWriteOptions(compression="zstd")) as writer:
        writer.write_table(table, max_chunksize=chunk)
    return sink.getvalue().to_pybytes()


def test_the_footer_counts_values_not_the_tiny_dictionary_pages() -> None:
    body = _parquet(pa.table({"y": np.zeros(10_000_000)}))
    assert len(body) < 100_000
    file = open_parquet(pa.BufferReader(body))
    assert parquet_decoded_bytes(file) >= 80_000_000
    with pytest.raises(ImportTooLarge) as caught:
        read_body(body, "parquet", ceiling=BUDGET)
    assert (caught.value.user_message, caught.value.status_code) == (MESSAGE, 413)


def test_one_long_text_in_every_row_is_refused_before_it_is_decoded() -> None:
    rows = 10_000
    text = pa.array(["x" * 10_000]).take(np.zeros(rows, dtype=np.int64))
    body = _parquet(pa.table({"serial": text}))
    assert len(body) < 50_000
    assert parquet_decoded_bytes(open_parquet(pa.BufferReader(body))) < BUDGET  # footer: fine
    with pytest.raises(ImportTooLarge, match="more than 32 MB"):
        read_body(body, "parquet", ceiling=BUDGET)


def test_a_compressed_arrow_stream_is_refused_at_the_batch_past_the_budget() -> None:
    body = _stream(pa.table({"y": np.zeros(10_000_000)}), chunk=1_000_000)
    assert len(body) < 100_000
    with pytest.raises(ImportTooLarge, match="more than 32 MB"):
        read_body(body, "arrow", ceiling=BUDGET)


def test_a_dictionary_column_counts_its_decoded_values() -> None:
    batch = pa.record_batch({"t": pa.array(["abc", "abc", None, "de"]).dictionary_encode(),
                             "n": pa.array([1, 2, 3, 4], pa.int64())})
    assert decoded_bytes(batch) == (3 + 3 + 2) + 4 * 4 + 32


def test_ordinary_data_reads_back_unchanged_with_plain_text_columns() -> None:
    table = pa.table({"serial": ["S-1", "S-2", "S-1"], "x": [0.5, 1.5, 2.5],
                      "idx": pa.array([0, 1, 2], pa.int32())})
    encoded = table.set_column(0, "serial", table["serial"].dictionary_encode())
    for read in (read_body(_parquet(table), "parquet", ceiling=BUDGET),
                 read_body(_stream(table, chunk=2), "arrow", ceiling=BUDGET),
                 read_body(_stream(encoded, chunk=2), "arrow", ceiling=BUDGET)):
        assert read.schema.field("serial").type == pa.string()
        assert read.to_pylist() == table.to_pylist()


@pytest.mark.parametrize(("size", "ceiling", "budget"), [
    (12_000, DEFAULT_CEILING, 64 * MB),  # the 12 KB file (226 MB decoded)
    (105_000, DEFAULT_CEILING, 64 * MB),  # and its 105 KB one (1.4 GB)
    (40 * MB, DEFAULT_CEILING, DEFAULT_CEILING),  # the import bench's file: 412 MB decoded
    (2 * MB, DEFAULT_CEILING, 200 * MB),
    (12_000, 16 * MB, 16 * MB),
])
def test_a_files_budget_grows_with_its_size_up_to_the_ceiling(size: int, ceiling: int,
                                                             budget: int) -> None:
    assert budget_for(size, ceiling=ceiling) == budget


def test_with_the_default_ceiling_a_small_file_of_constants_is_refused() -> None:
    body = _parquet(pa.table({"y": np.zeros(10_000_000), "z": np.zeros(10_000_000)}))
    assert len(body) < 200_000
    with pytest.raises(ImportTooLarge, match=r"more than 64 MB once decompressed"):
        read_body(body, "parquet", ceiling=DEFAULT_CEILING)
