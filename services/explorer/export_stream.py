"""Every filtered curve's samples as CSV, Parquet or Arrow, streamed.

A worker of the ``exports`` pool (admitted per cluster, see ``services.core.work_pools``)
reads the curves from ClickHouse a chunk of about ``CHUNK_SAMPLES`` samples at a time and
encodes each chunk (a CSV block, a Parquet row group, an Arrow record batch) into a bounded
queue of ``QUEUE_PIECES`` pieces; the response reads the queue. At most a few chunks are in
memory whatever the size of the set, and a client that stops reading stops the worker.
"""

from __future__ import annotations

import io
import logging
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from data.analytics import curve_export
from data.analytics.curves import CurveQuery
from lyceum.errors import ValidationError
from services.clusters.query_session import ClusterSession
from services.core.runtime import Runtime
from services.core.work_pools import StillRunning, request_wait_s
from services.explorer import curve_queries as explorer
from services.explorer.state import ExplorerState

log = logging.getLogger(__name__)

#: Format → (media type, file extension).
FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "arrow": ("application/vnd.apache.arrow.stream", "arrows"),
}
CHUNK_SAMPLES = 250_000
#: Bounds of one export: curves, and samples in all (beyond: narrow the filters).
MAX_CURVES = 2_000_000
MAX_SAMPLES = 400_000_000
#: Encoded pieces waiting for the client at most, and the size a piece is cut at.
QUEUE_PIECES = 4
PIECE_BYTES = 1 << 20
#: Seconds the worker waits for a client that does not read before it gives up.
STALL_S = 120.0
_FORMULA = r"^[=+\-@\t\r]"
_END = object()


class _Stopped(Exception):
    """The client went away or stopped reading."""


@dataclass(frozen=True)
class Plan:
    """What an export will write: its chunks of curve ids and how much it holds."""

    query: CurveQuery
    chunks: list[list[int]]
    n_curves: int
    n_samples: int


@dataclass(frozen=True)
class Export:
    """A started export: what to call the file, and its bytes as they come."""

    media_type: str
    filename: str
    n_curves: int
    n_samples: int
    pieces: Iterator[bytes]


def check_format(fmt: Any) -> str:
    """``fmt`` if it is one of :data:`FORMATS`, else ``ValidationError``."""
    if fmt not in FORMATS:
        raise ValidationError(f"format: one of {', '.join(FORMATS)}.",
                              fields={"format": "unknown"})
    return str(fmt)


def chunked(sizes: list[tuple[int, int]], *, samples: int = CHUNK_SAMPLES) -> list[list[int]]:
    """Curve ids grouped, in order, into chunks of about ``samples`` samples (a curve
    longer than that is a chunk of its own)."""
    chunks: list[list[int]] = []
    current: list[int] = []
    held = 0
    for cid, n in sizes:
        if current and held + n > samples:
            chunks.append(current)
            current, held = [], 0
        current.append(cid)
        held += n
    if current:
        chunks.append(current)
    return chunks


def resolve(runtime: Runtime, cluster_id: int,
            state: ExplorerState) -> tuple[ClusterSession, CurveQuery]:
    """The session and query of ``state`` (filter values checked against the cluster's;
    quick: the values are remembered), on the caller's thread so bad input fails at once."""
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    return session, query


def plan(session: ClusterSession, query: CurveQuery) -> Plan:
    """The chunks of the filtered set, within the bounds of one export (in the worker)."""
    sizes = curve_export.curve_sizes(session, query, limit=MAX_CURVES + 1)
    n_samples = sum(n for _cid, n in sizes)
    if len(sizes) > MAX_CURVES or n_samples > MAX_SAMPLES:
        raise ValidationError(f"That is more than one export may hold ({MAX_CURVES:,} curves "
                              f"or {MAX_SAMPLES:,} samples); narrow the filters.")
    return Plan(query=query, chunks=chunked(sizes, samples=CHUNK_SAMPLES),
                n_curves=len(sizes), n_samples=n_samples)


class _Pieces(io.RawIOBase):
    """A write-only file that cuts what is written into pieces and hands them on."""

    def __init__(self, put: Callable[[bytes], None]) -> None:
        super().__init__()
        self._put = put
        self._buffer = bytearray()
        self._written = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = bytes(data)
        self._buffer += view
        self._written += len(view)
        if len(self._buffer) >= PIECE_BYTES:
            self.flush()
        return len(view)

    def tell(self) -> int:
        return self._written

    def flush(self) -> None:
        if self._buffer:
            self._put(bytes(self._buffer))
            self._buffer.clear()


def _neutralised(table: pa.Table) -> pa.Table:
    """Text cells a spreadsheet would run as a formula, prefixed with ``'``."""
    for i, name in enumerate(table.column_names):
        column = table.column(i)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            risky = pc.match_substring_regex(column, _FORMULA)
            fixed = pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)
            table = table.set_column(i, name, fixed)
    return table


def _text_columns(table: pa.Table) -> pa.Table:
    """Binary text columns (how the engine may hand ``String`` over) as UTF-8 strings."""
    for i, name in enumerate(table.column_names):
        if pa.types.is_binary(table.column(i).type):
            table = table.set_column(i, name, table.column(i).cast(pa.string()))
    return table


class Sink(Protocol):
    """Where an export is written: a file, or the pieces handed to a response."""

    def write(self, data: Any, /) -> int | None: ...
    def flush(self) -> None: ...


def write(fmt: str, chunks: Iterator[pa.Table], sink: Sink) -> None:
    """Encode the chunks (the first fixes the schema) into ``sink`` in ``fmt``."""
    writer: Any = None
    schema: pa.Schema | None = None
    for i, table in enumerate(chunks):
        table = _text_columns(table)
        if fmt == "csv":
            pa_csv.write_csv(_neutralised(table), sink,
                             write_options=pa_csv.WriteOptions(include_header=i == 0))
            continue
        if schema is None:
            schema = table.schema
            writer = pq.ParquetWriter(sink, schema) if fmt == "parquet" \
                else pa.ipc.new_stream(sink, schema)
        writer.write_table(table.cast(schema))
    if writer is not None:
        writer.close()
    sink.flush()


def tables(session: ClusterSession, found: Plan) -> Iterator[pa.Table]:
    """The plan's chunks read one at a time (an empty set: one empty table, for its
    columns)."""
    if not found.chunks:
        yield curve_export.export_chunk(session, found.query, curve_ids=[])
    for ids in found.chunks:
        yield curve_export.export_chunk(session, found.query, curve_ids=ids)


def stream(runtime: Runtime, cluster_id: int, state: ExplorerState, *, fmt: str) -> Export:
    """Start exporting every curve ``state`` filters (``Busy`` when the cluster's or the
    server's exports are full: then nothing runs)."""
    fmt = check_format(fmt)
    session, query = resolve(runtime, cluster_id, state)
    pieces: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_PIECES)
    stop = threading.Event()

    def put(item: Any) -> None:
        while True:
            if stop.is_set():
                raise _Stopped
            try:
                pieces.put(item, timeout=0.5)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            found = plan(session, query)
            put(found)
            write(fmt, tables(session, found), _Pieces(put))
            put(_END)
        except _Stopped:
            return
        except Exception as exc:  # noqa: BLE001 - handed to the reader, which ends the body
            log.exception("curve export failed (cluster %s)", cluster_id)
            try:
                put(exc)
            except _Stopped:
                return

    runtime.pools.submit("exports", produce, cluster_id=cluster_id)
    # The plan, then the first piece: an error before any byte is an error answer (a 400
    # for a set too large, a 500 logged), not a short file.
    found = _next(pieces, stop, runtime)
    first = _next(pieces, stop, runtime)
    media, ext = FORMATS[fmt]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", found.query.process).strip("-") or "curves"
    return Export(media_type=media, filename=f"curves-{name}.{ext}",
                  n_curves=found.n_curves, n_samples=found.n_samples,
                  pieces=_read(first, pieces, stop))


def _next(pieces: queue.Queue[Any], stop: threading.Event, runtime: Runtime) -> Any:
    """The worker's next item, waited for at most as long as a request waits."""
    try:
        item = pieces.get(timeout=request_wait_s(runtime.settings))
    except queue.Empty:
        stop.set()
        raise StillRunning("The export did not start in time; try again later.") from None
    if isinstance(item, Exception):
        stop.set()
        raise item  # an AppError carries its message; anything else is logged as a 500
    return item


def _read(first: Any, pieces: queue.Queue[Any], stop: threading.Event) -> Iterator[bytes]:
    """The pieces in order (``first`` already taken); stops the worker when the reader
    goes away."""
    try:
        if first is _END:
            return
        yield first
        while True:
            try:
                item = pieces.get(timeout=STALL_S)
            except queue.Empty:
                log.warning("curve export stalled for %.0f s; ended", STALL_S)
                return
            if item is _END:
                return
            if isinstance(item, Exception):
                return  # the body ends short: a reader sees a truncated file, never garbage
            yield item
    finally:
        stop.set()
