"""The import file format on its own: names, sizes, text checks with the line of the fault,
headers, mappings and the error list, each refusal with the message a user reads."""

from __future__ import annotations

import codecs
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lyceum.errors import ValidationError
from services.imports import file_format as ff


def _file(tmp_path: Path, data: bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("name", "fmt"), [("a.csv", "csv"), ("A.CSV", "csv"),
                                           ("b.parquet", "parquet"), ("c.PQ", "parquet")])
def test_the_format_comes_from_the_file_name(name: str, fmt: str) -> None:
    assert ff.file_format(name) == fmt


@pytest.mark.parametrize("name", ["a.xlsx", "csv", "a.csv.gz", ""])
def test_other_file_names_are_refused(name: str) -> None:
    with pytest.raises(ff.ImportFileError, match=r"^Upload a \.csv or \.parquet file\.$"):
        ff.file_format(name)


def test_sizes_over_the_limit_or_empty_are_refused() -> None:
    ff.check_size(20_000_000, limit=20_000_000)
    with pytest.raises(ff.ImportFileError, match="The file is 20.0 MB; the limit here is 20 MB"):
        ff.check_size(20_000_001, limit=20_000_000)
    with pytest.raises(ff.ImportFileError, match=r"^The file is empty\.$"):
        ff.check_size(0, limit=10)


def test_text_checks_name_the_line_at_fault(tmp_path: Path) -> None:
    assert ff.check_text(_file(tmp_path, b"a,b\n1,2\n")) is False
    assert ff.check_text(_file(tmp_path, codecs.BOM_UTF8 + b"a,b\n1,2\n")) is True
    cases = {
        b"a,b\n1,2\n3,\0\n": "Line 3 contains a NUL byte; this is not a text CSV file.",
        b"a,b\n1,\xff\n": "Line 2 is not UTF-8 text; save the file as CSV UTF-8.",
        b"a,b\n1,\xc3": "Line 2 is not UTF-8 text; save the file as CSV UTF-8.",
        codecs.BOM_UTF16_LE + "a,b\n".encode("utf-16-le"):
            "The file is UTF-16 text; save it as CSV UTF-8.",
        b"a,b\n" + b"x" * (ff.MAX_LINE_BYTES + 1) + b"\n": "Line 2 is longer than 1 MB.",
    }
    for data, message in cases.items():
        with pytest.raises(ff.ImportFileError) as refused:
            ff.check_text(_file(tmp_path, data))
        assert refused.value.user_message == message


def test_headers_are_read_and_duplicates_refused(tmp_path: Path) -> None:
    assert ff.read_header(_file(tmp_path, b"serial,ts\nP1,2026-01-01\n"), "csv") == \
        ["serial", "ts"]
    with pytest.raises(ff.ImportFileError, match="The header names the column “ts” twice."):
        ff.read_header(_file(tmp_path, b"ts,ts\n1,2\n"), "csv")
    with pytest.raises(ff.ImportFileError, match=r"^The file is empty\.$"):
        ff.read_header(_file(tmp_path, b"\n"), "csv")
    table = pa.table({"serial": ["P1"], "ts": ["2026-01-01"]})
    pq.write_table(table, tmp_path / "data.parquet")
    assert ff.read_header(tmp_path / "data.parquet", "parquet") == ["serial", "ts"]
    with pytest.raises(ff.ImportFileError, match="The file is not a readable Parquet file."):
        ff.read_header(_file(tmp_path, b"not parquet", "bad.parquet"), "parquet")


def test_a_ragged_csv_names_the_line_and_the_column_counts(tmp_path: Path) -> None:
    path = _file(tmp_path, b"a,b\n1,2\n3,4,5\n")
    with pytest.raises(ff.ImportFileError, match=r"^Line 3 has 3 columns; the header has 2\.$"):
        list(ff.iter_source_batches(path, "csv", ["a", "b"]))
    quoted = _file(tmp_path, b'a,b,c\n1,2,3\n4,"5,6\n')
    with pytest.raises(ff.ImportFileError, match=r"^Line 3 has a quote that is never closed\.$"):
        list(ff.iter_source_batches(quoted, "csv", ["a", "b", "c"]))


def test_csv_values_arrive_as_text(tmp_path: Path) -> None:
    path = _file(tmp_path, b"idx,x\n0,1.5\n1,\n")
    batches = list(ff.iter_source_batches(path, "csv", ["idx", "x"]))
    assert batches[0].schema.types == [pa.string(), pa.string()]
    assert batches[0].column(1).to_pylist() == ["1.5", ""]


def test_the_template_has_every_column_and_one_example_row() -> None:
    header, example, end = ff.template_csv("parts").split("\n")
    assert header.split(",") == [c.name for c in ff.COLUMNS["parts"]] and end == ""
    assert example.split(",")[0] == "P-2611-000001"
    with pytest.raises(ValidationError, match=r"^The kind of data is parts or curves\.$"):
        ff.template_csv("alarms")


def test_the_default_mapping_matches_names_ignoring_case_spaces_and_a_bom() -> None:
    names = ["\ufeffSerial", " TS ", "Station", "extra"]
    assert ff.default_mapping("parts", names) == {"serial": "\ufeffSerial", "ts": " TS ",
                                                  "station": "Station"}


def test_a_mapping_must_name_known_targets_existing_columns_and_every_required_one() -> None:
    names = ["s", "t", "x"]
    assert ff.check_mapping("parts", {"serial": "s", "ts": "t", "line": ""}, names) == \
        {"serial": "s", "ts": "t"}
    with pytest.raises(ValidationError, match="“colour” is not a column of parts files."):
        ff.check_mapping("parts", {"serial": "s", "ts": "t", "colour": "x"}, names)
    with pytest.raises(ff.ImportFileError, match="The file has no column “nope”."):
        ff.check_mapping("parts", {"serial": "nope", "ts": "t"}, names)
    with pytest.raises(ff.ImportFileError,
                       match=r"^Required column “ts” missing: add or map it\.$"):
        ff.check_mapping("parts", {"serial": "s"}, names)
    with pytest.raises(ff.ImportFileError) as refused:
        ff.check_mapping("curves", {"serial": "s"}, names)
    assert refused.value.user_message == ("Required columns “process”, “ts”, “idx”, “x”, “y” "
                                          "missing: add or map them.")


def test_the_error_sink_keeps_the_first_errors_counts_all_and_sorts_by_row() -> None:
    sink = ff.ErrorSink()
    sink.raise_if_any()  # nothing recorded: no error
    for row in range(ff.MAX_ERRORS + 10, 0, -1):
        sink.add(row, "x", "is not a number")
    with pytest.raises(ff.ImportRowErrors) as refused:
        sink.raise_if_any()
    assert len(refused.value.errors) == ff.MAX_ERRORS
    assert [e.row for e in refused.value.errors] == sorted(e.row for e in refused.value.errors)
    assert refused.value.user_message.startswith(
        f"{ff.MAX_ERRORS + 10} problems found; nothing was imported. Row ")
    assert refused.value.user_message.endswith(f"(and {ff.MAX_ERRORS + 9} more)")
    one = ff.ImportRowErrors([ff.RowError(4, "y", "is empty")])
    assert one.user_message == "1 problem found; nothing was imported. Row 4, column y: is empty"
