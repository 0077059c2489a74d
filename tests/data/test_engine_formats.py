"""chDB's per-block documents joined into one valid answer, format by format."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from data.engine_formats import (
    OUTPUT_FORMATS,
    QueryStats,
    UnknownFormat,
    framer_for,
    header_end,
    read_varint,
)


def test_only_listed_formats_are_served() -> None:
    assert {"Native", "RowBinaryWithNamesAndTypes", "TabSeparatedWithNamesAndTypes", "CSV",
            "JSON", "JSONEachRow", "JSONCompact", "ArrowStream", "Parquet"} <= OUTPUT_FORMATS
    for name in ("Pretty", "XML", "Template", "native", "CapnProto"):
        with pytest.raises(UnknownFormat):
            framer_for(name)


def test_header_lines_appear_once() -> None:
    framer = framer_for("TabSeparatedWithNamesAndTypes")
    blocks = [b"n\nUInt8\n1\n2\n", b"n\nUInt8\n3\n"]
    assert b"".join(framer.frame(block) for block in blocks) == b"n\nUInt8\n1\n2\n3\n"


def test_csv_names_may_hold_quoted_line_ends() -> None:
    block = b'"a\nb"\n1\n'
    assert header_end(block, 1, quoted=True) == len(b'"a\nb"\n')
    framer = framer_for("CSVWithNames")
    assert framer.frame(block) + framer.frame(block) == block + b"1\n"


def test_row_binary_headers_appear_once() -> None:
    header = b"\x01\x01n\x05UInt8"
    framer = framer_for("RowBinaryWithNamesAndTypes")
    assert framer.frame(header + b"\x01") + framer.frame(header + b"\x02") == \
        header + b"\x01\x02"
    assert read_varint(b"\xac\x02", 0) == (300, 2)


def test_json_blocks_share_one_envelope_and_footer() -> None:
    def block(rows: str) -> bytes:
        return ('{\n\t"meta":\n\t[\n\t\t{\n\t\t\t"name": "n",\n\t\t\t"type": "UInt8"\n\t\t}\n'
                f'\t],\n\n\t"data":\n\t[\n{rows}\n\t],\n\n\t"rows": 1,\n\n\t"statistics":\n'
                '\t{\n\t\t"elapsed": 0.1,\n\t\t"rows_read": 1,\n\t\t"bytes_read": 1\n\t}\n}\n'
                ).encode()

    framer = framer_for("JSON")
    stats = QueryStats(result_rows=2, read_rows=2, read_bytes=2)
    text = (framer.frame(block('\t\t{"n": 1}')) + framer.frame(block('\t\t{"n": 2}'))
            + framer.finish(stats))
    document = json.loads(text)
    assert document["data"] == [{"n": 1}, {"n": 2}] and document["rows"] == 2
    assert document["meta"] == [{"name": "n", "type": "UInt8"}]
    assert json.loads(framer_for("JSON").finish(QueryStats()))["data"] == []


def test_arrow_streams_keep_one_schema_and_one_end() -> None:
    def stream(values: list[int]) -> bytes:
        sink = pa.BufferOutputStream()
        table = pa.table({"n": values})
        with pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
        return bytes(sink.getvalue())

    framer = framer_for("ArrowStream")
    joined = framer.frame(stream([1, 2])) + framer.frame(stream([3])) + framer.finish(
        QueryStats())
    assert pa.ipc.open_stream(joined).read_all().column("n").to_pylist() == [1, 2, 3]


def test_arrow_files_are_rewritten_with_one_footer() -> None:
    framer = framer_for("Arrow")
    assert framer.engine_format == "ArrowStream"
    sink = pa.BufferOutputStream()
    table = pa.table({"n": [1, 2]})
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    block = bytes(sink.getvalue())
    joined = framer.frame(block) + framer.frame(block) + framer.finish(QueryStats())
    assert pa.ipc.open_file(pa.BufferReader(joined)).read_all().num_rows == 4
