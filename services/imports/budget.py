"""Reading Parquet and Arrow data within a decompressed-size budget.

A few kilobytes of Parquet or compressed Arrow can stand for gigabytes of values (10 M zeros
in a 46 KB file). A Parquet file is first judged by its footer: per column chunk the larger
of its uncompressed size and its values times the Arrow type's width, since dictionary and
run-length pages are far smaller than what they decode to. Then it is read in batches of
:data:`BATCH_ROWS` rows with text columns kept as dictionaries, and each batch's size once
decoded is counted before it is decoded: one text value repeated in every row costs its
length times the rows, not the dictionary's few bytes. An Arrow IPC stream is counted the
same way, batch by batch. Past the budget, :class:`ImportTooLarge` (413).

The budget of one file is :data:`MAX_RATIO` times its size, at least :data:`MIN_BUDGET`,
and never more than the server's ceiling (``LYCEUM_MAX_DECOMPRESSED_MB``): real measurements
decode to 10–25 times their Parquet size (the import bench's 46 MiB file: ~20x), a file of
constants to thousands of times (12 KB to 226 MB). Rows are written on as they are read, so
memory holds one batch, not the budget.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from lyceum.errors import ValidationError

#: Rows per batch when data is read within a budget.
BATCH_ROWS = 64 * 1024
#: A file may decode to this many times its own size ...
MAX_RATIO = 100
#: ... or to this many bytes, whichever is more (and the ceiling allows).
MIN_BUDGET = 64 * 1024**2
_OFFSET_BYTES = 4


def budget_for(size: int, *, ceiling: int) -> int:
    """The decoded bytes a file of ``size`` bytes may take (see the module's docstring)."""
    return min(ceiling, max(MIN_BUDGET, MAX_RATIO * size))


class ImportTooLarge(ValidationError):
    """The data would take more memory once decompressed than the server allows."""

    status_code = 413
    code = "import_too_large"


def too_large(budget: int) -> ImportTooLarge:
    """The refusal of data whose decompressed size passes ``budget`` bytes."""
    return ImportTooLarge(
        f"The data takes more than {budget / 1024**2:,.0f} MB once decompressed, more than "
        "this server accepts for a file of this size; nothing was imported. Send the rows "
        "in smaller files.")


def open_parquet(source: str | Path | pa.NativeFile) -> pq.ParquetFile:
    """A Parquet file whose text and binary columns are read as dictionaries."""
    plain = pq.ParquetFile(source)
    text = [f.name for f in plain.schema_arrow if _is_text(f.type)]
    return pq.ParquetFile(source, read_dictionary=text) if text else plain


def parquet_decoded_bytes(file: pq.ParquetFile) -> int:
    """What a Parquet file's values take in memory, at least, from its footer alone (rows
    as the row group declares them: the reader decodes exactly that many)."""
    meta, schema = file.metadata, file.schema_arrow
    widths = [_value_width(schema.field(i).type) for i in range(len(schema))]
    total = 0
    for group in range(meta.num_row_groups):
        row_group = meta.row_group(group)
        for column in range(row_group.num_columns):
            chunk = row_group.column(column)
            width = widths[column] if column < len(widths) else _OFFSET_BYTES
            values = max(int(chunk.num_values), int(row_group.num_rows))
            total += max(int(chunk.total_uncompressed_size), values * width)
    return total


def check_parquet_budget(file: pq.ParquetFile, budget: int) -> None:
    """Refuse a Parquet file whose footer says it decodes to more than ``budget`` bytes."""
    if parquet_decoded_bytes(file) > budget:
        raise too_large(budget)


def parquet_batches(file: pq.ParquetFile, budget: int) -> Iterator[pa.RecordBatch]:
    """A Parquet file's rows in decoded batches, refused past ``budget`` bytes (footer
    first, then batch by batch). Open it with :func:`open_parquet`."""
    check_parquet_budget(file, budget)
    return bounded_batches(file.iter_batches(batch_size=BATCH_ROWS), budget)


def bounded_batches(batches: Iterator[pa.RecordBatch], budget: int
                    ) -> Iterator[pa.RecordBatch]:
    """``batches`` with dictionary columns decoded, refused as soon as, counted before
    they are decoded, they take more than ``budget`` bytes."""
    used = 0
    for batch in batches:
        used += decoded_bytes(batch)
        if used > budget:
            raise too_large(budget)
        yield _decoded(batch)


def decoded_bytes(batch: pa.RecordBatch) -> int:
    """The bytes ``batch`` takes once its dictionary columns are decoded (not decoding)."""
    total = 0
    for column in batch.columns:
        if not isinstance(column, pa.DictionaryArray):
            total += column.nbytes
            continue
        values = column.dictionary
        if _is_text(values.type):
            lengths = pc.take(pc.binary_length(values), column.indices)
            total += int(pc.sum(lengths).as_py() or 0) + _OFFSET_BYTES * len(column)
        else:
            total += len(column) * _value_width(values.type) + column.indices.nbytes
    return total


def body_batches(data: bytes, fmt: str, *, ceiling: int
                 ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The schema and decoded batches of a ``parquet`` or ``arrow`` (IPC stream) body, read
    within the budget of a file of its size; refusals come while iterating."""
    budget = budget_for(len(data), ceiling=ceiling)
    if fmt == "parquet":
        file = open_parquet(pa.BufferReader(data))
        return plain_schema(file.schema_arrow), parquet_batches(file, budget)
    reader = pa.ipc.open_stream(pa.BufferReader(data))
    return plain_schema(reader.schema), bounded_batches(iter(reader), budget)


def read_body(data: bytes, fmt: str, *, ceiling: int) -> pa.Table:
    """A ``parquet`` or ``arrow`` body as one table, read within its budget."""
    schema, batches = body_batches(data, fmt, ceiling=ceiling)
    return pa.Table.from_batches(list(batches), schema=schema)


def plain_schema(schema: pa.Schema) -> pa.Schema:
    """``schema`` with dictionary columns as their value types."""
    return pa.schema([f.with_type(_plain_type(f.type)) for f in schema])


def _decoded(batch: pa.RecordBatch) -> pa.RecordBatch:
    if not any(isinstance(c, pa.DictionaryArray) for c in batch.columns):
        return batch
    columns = [c.dictionary_decode() if isinstance(c, pa.DictionaryArray) else c
               for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _plain_type(kind: pa.DataType) -> pa.DataType:
    return kind.value_type if isinstance(kind, pa.DictionaryType) else kind


def _is_text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind)
                or pa.types.is_binary(kind) or pa.types.is_large_binary(kind))


def _value_width(kind: pa.DataType) -> int:
    """Bytes one value takes in Arrow at least (an offset for text, 1 for booleans)."""
    try:
        return max(1, kind.bit_width // 8)
    except ValueError:  # variable width: at least its offset
        return _OFFSET_BYTES
