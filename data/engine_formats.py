"""Output formats the engine service streams, and how chDB's blocks become one stream.

chDB's streaming API hands out every block as a whole document of the format: each TSV
block repeats its names line, each JSON block is a full object with ``meta`` and
``statistics``, each ArrowStream block carries its schema and end marker, each Parquet block
is a complete file. A :class:`Framer` turns that sequence into one valid answer, block by
block, so a result is never held whole. Only formats listed here are served (an allow list);
any other name is refused before anything runs.
"""

from __future__ import annotations

import io
import json
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.parquet as pq

from lyceum.errors import AppError

_JSON_DATA = b'"data":\n\t[\n'
_JSON_END = b'\n\t],\n\n\t"rows":'
_ARROW_EOS = b"\xff\xff\xff\xff\x00\x00\x00\x00"
_BINARY = "application/octet-stream"
_TSV = "text/tab-separated-values; charset=UTF-8"
_CSV = "text/csv; charset=UTF-8"
_JSON = "application/json; charset=UTF-8"
_TEXT = "text/plain; charset=UTF-8"


class UnknownFormat(AppError):
    """A format the engine service does not serve."""

    status_code = 400
    code = "unknown_format"


@dataclass
class QueryStats:
    """What a statement did so far: rows and bytes read, result rows and bytes, written rows."""

    read_rows: int = 0
    read_bytes: int = 0
    result_rows: int = 0
    result_bytes: int = 0
    written_rows: int = 0
    written_bytes: int = 0
    started: float = field(default_factory=time.perf_counter)

    @property
    def elapsed_ns(self) -> int:
        """Nanoseconds since the statement started."""
        return int((time.perf_counter() - self.started) * 1e9)

    def as_summary(self) -> dict[str, str]:
        """The ``X-ClickHouse-Summary`` header's fields (ClickHouse sends them as strings)."""
        return {"read_rows": str(self.read_rows), "read_bytes": str(self.read_bytes),
                "written_rows": str(self.written_rows),
                "written_bytes": str(self.written_bytes),
                "total_rows_to_read": str(self.read_rows),
                "result_rows": str(self.result_rows), "result_bytes": str(self.result_bytes),
                "elapsed_ns": str(self.elapsed_ns)}


class Framer:
    """Joins the blocks of one answer; the base class passes blocks through unchanged
    (formats that have neither header nor footer: Native, RowBinary, TSV, CSV, JSONEachRow)."""

    def __init__(self, name: str, content_type: str, engine_format: str | None = None) -> None:
        self.name = name
        self.content_type = content_type
        #: The format chDB is asked for (Arrow and Parquet are re-framed from their own).
        self.engine_format = engine_format or name
        self.blocks = 0

    def frame(self, block: bytes) -> bytes:
        """The bytes of ``block`` that belong in the joined answer."""
        self.blocks += 1
        return block

    def finish(self, stats: QueryStats) -> bytes:
        """The bytes that close the answer (a footer), once every block was framed."""
        return b""


class HeaderLines(Framer):
    """Text formats whose every block starts with the same ``lines`` header lines."""

    def __init__(self, name: str, content_type: str, *, lines: int, quoted: bool) -> None:
        super().__init__(name, content_type)
        self.lines = lines
        self.quoted = quoted

    def frame(self, block: bytes) -> bytes:
        self.blocks += 1
        if self.blocks == 1:
            return block
        return block[header_end(block, self.lines, quoted=self.quoted):]


class RowBinaryHeader(Framer):
    """RowBinaryWithNames(AndTypes): every block starts with the column count and names."""

    def __init__(self, name: str, *, with_types: bool) -> None:
        super().__init__(name, _BINARY)
        self.with_types = with_types

    def frame(self, block: bytes) -> bytes:
        self.blocks += 1
        if self.blocks == 1:
            return block
        count, at = read_varint(block, 0)
        for _ in range(count * (2 if self.with_types else 1)):
            size, at = read_varint(block, at)
            at += size
        return block[at:]


class JsonEnvelope(Framer):
    """JSON, JSONCompact and their Strings variants: one object around every block's rows;
    the rows of all blocks go into one ``data`` array, and a footer counts them."""

    def __init__(self, name: str) -> None:
        super().__init__(name, _JSON)
        self.rows_written = False

    def frame(self, block: bytes) -> bytes:
        self.blocks += 1
        start, end = block.find(_JSON_DATA), block.rfind(_JSON_END)
        if start < 0 or end < start:
            raise UnknownFormat(f"The engine's {self.name} answer has an unexpected layout.")
        rows = block[start + len(_JSON_DATA):end]
        head = block[:start + len(_JSON_DATA)] if self.blocks == 1 else b""
        if rows and self.rows_written:
            rows = b",\n" + rows
        self.rows_written = self.rows_written or bool(rows)
        return head + rows

    def finish(self, stats: QueryStats) -> bytes:
        head = b"" if self.blocks else b'{\n\t"meta":\n\t[\n\t],\n\n' + _JSON_DATA
        statistics = {"elapsed": stats.elapsed_ns / 1e9, "rows_read": stats.read_rows,
                      "bytes_read": stats.read_bytes}
        inner = ",\n".join(f"\t\t{json.dumps(key)}: {json.dumps(value)}"
                           for key, value in statistics.items())
        return head + (f"\n\t],\n\n\t\"rows\": {stats.result_rows},\n\n\t\"statistics\":\n\t{{\n"
                       f"{inner}\n\t}}\n}}\n").encode()


class ArrowStreamSplice(Framer):
    """ArrowStream: the first block's schema, every block's batches, one end marker."""

    def __init__(self) -> None:
        super().__init__("ArrowStream", _BINARY)

    def frame(self, block: bytes) -> bytes:
        self.blocks += 1
        body = block[:-len(_ARROW_EOS)] if block.endswith(_ARROW_EOS) else block
        if self.blocks == 1:
            return body
        return body[arrow_message_end(body, 0):]

    def finish(self, stats: QueryStats) -> bytes:
        return _ARROW_EOS


class Rewritten(Framer):
    """Arrow (file) and Parquet: chDB's blocks, asked as ArrowStream (ClickHouse's own Arrow
    types), are read with pyarrow and written through one writer, whose footer comes at the
    end (faster than reading back chDB's per-block Parquet files)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, _BINARY, "ArrowStream")
        self.sink = io.BytesIO()
        self.writer: pq.ParquetWriter | pa.ipc.RecordBatchFileWriter | None = None

    def frame(self, block: bytes) -> bytes:
        self.blocks += 1
        table = pa.ipc.open_stream(pa.BufferReader(block)).read_all()
        if self.writer is None:
            self.writer = (pq.ParquetWriter(self.sink, table.schema) if self.name == "Parquet"
                           else pa.ipc.new_file(self.sink, table.schema))
        self.writer.write_table(table)
        return self._drain()

    def _drain(self) -> bytes:
        data = self.sink.getvalue()
        self.sink.seek(0)
        self.sink.truncate()
        return data

    def finish(self, stats: QueryStats) -> bytes:
        if self.writer is None:
            return b""
        self.writer.close()
        return self._drain()


def _concat(name: str, content_type: str) -> Framer:
    return Framer(name, content_type)


_MAKERS: dict[str, Callable[[], Framer]] = {
    "Native": lambda: _concat("Native", _BINARY),
    "RowBinary": lambda: _concat("RowBinary", _BINARY),
    "RowBinaryWithNames": lambda: RowBinaryHeader("RowBinaryWithNames", with_types=False),
    "RowBinaryWithNamesAndTypes": lambda: RowBinaryHeader("RowBinaryWithNamesAndTypes",
                                                          with_types=True),
    "TabSeparated": lambda: _concat("TabSeparated", _TSV),
    "TSV": lambda: _concat("TSV", _TSV),
    "TabSeparatedRaw": lambda: _concat("TabSeparatedRaw", _TSV),
    "TSVRaw": lambda: _concat("TSVRaw", _TSV),
    "CSV": lambda: _concat("CSV", _CSV),
    "JSONEachRow": lambda: _concat("JSONEachRow", _JSON),
    "JSONLines": lambda: _concat("JSONLines", _JSON),
    "NDJSON": lambda: _concat("NDJSON", _JSON),
    "JSONStringsEachRow": lambda: _concat("JSONStringsEachRow", _JSON),
    "JSONCompactEachRow": lambda: _concat("JSONCompactEachRow", _JSON),
    "JSONCompactStringsEachRow": lambda: _concat("JSONCompactStringsEachRow", _JSON),
    "TSKV": lambda: _concat("TSKV", _TEXT),
    "Values": lambda: _concat("Values", _TEXT),
    "Null": lambda: _concat("Null", _TEXT),
    "JSON": lambda: JsonEnvelope("JSON"),
    "JSONStrings": lambda: JsonEnvelope("JSONStrings"),
    "JSONCompact": lambda: JsonEnvelope("JSONCompact"),
    "JSONCompactStrings": lambda: JsonEnvelope("JSONCompactStrings"),
    "ArrowStream": ArrowStreamSplice,
    "Arrow": lambda: Rewritten("Arrow"),
    "Parquet": lambda: Rewritten("Parquet"),
}


def _with_header(name: str, content_type: str, lines: int, quoted: bool) -> Callable[[], Framer]:
    def make() -> Framer:
        return HeaderLines(name, content_type, lines=lines, quoted=quoted)
    return make


for _base, _type, _quoted in (("TabSeparated", _TSV, False), ("TSV", _TSV, False),
                              ("CSV", _CSV, True), ("JSONCompactEachRow", _JSON, False),
                              ("JSONCompactStringsEachRow", _JSON, False)):
    for _suffix, _lines in (("WithNames", 1), ("WithNamesAndTypes", 2)):
        _MAKERS[_base + _suffix] = _with_header(_base + _suffix, _type, _lines, _quoted)
#: The output formats the engine service serves (exact names, as ClickHouse spells them).
OUTPUT_FORMATS = frozenset(_MAKERS)


def framer_for(fmt: str) -> Framer:
    """A fresh framer for one answer in ``fmt``; :class:`UnknownFormat` if not served."""
    maker = _MAKERS.get(fmt)
    if maker is None:
        raise UnknownFormat(f"Unknown output format {fmt[:100]}")
    return maker()


def header_end(block: bytes, lines: int, *, quoted: bool) -> int:
    """Where the first ``lines`` lines of ``block`` end (CSV names may hold quoted newlines)."""
    at, inside = 0, False
    for _ in range(lines):
        while at < len(block):
            char = block[at]
            at += 1
            if quoted and char == 0x22:
                inside = not inside
            elif char == 0x0A and not inside:
                break
    return at


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """The unsigned LEB128 number at ``at`` and the offset after it."""
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def arrow_message_end(data: bytes, at: int) -> int:
    """The offset after the (body-less schema) IPC message at ``at``."""
    marker, size = struct.unpack_from("<Ii", data, at)
    if marker != 0xFFFFFFFF:
        return at + 4 + marker
    return at + 8 + size
