"""Converting one batch of an import file: typed columns and defaults for good rows, and
for every bad value the exact row, the file's column name and what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import pytest

from services.imports.convert import convert_batch
from services.imports.file_format import ErrorSink, RowError

PARTS = {"serial": "Serial", "ts": "Finished"}
CURVES = {"serial": "sn", "process": "proc", "ts": "time", "idx": "i", "x": "x", "y": "y"}


def _parts(columns: dict[str, list[Any]], *, first_row: int = 1,
           extra: dict[str, str] | None = None) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    sink = ErrorSink()
    table = convert_batch(pa.RecordBatch.from_pydict(columns), kind="parts",
                          mapping={**PARTS, **(extra or {})}, first_row=first_row, sink=sink)
    return table, [(e.row, e.column, e.message) for e in sink.errors]


def _curves(columns: dict[str, list[Any]], *, mapping: dict[str, str] | None = None,
            units: dict[str, tuple[str, str]] | None = None
            ) -> tuple[pa.Table, list[tuple[int, str, str]]]:
    sink = ErrorSink()
    table = convert_batch(pa.RecordBatch.from_pydict(columns), kind="curves",
                          mapping=mapping or CURVES, first_row=1, sink=sink, units=units)
    return table, [(e.row, e.column, e.message) for e in sink.errors]


def _curve_columns(n: int = 1, **over: list[Any]) -> dict[str, list[Any]]:
    base: dict[str, list[Any]] = {"sn": ["P-1"] * n, "proc": ["press-fit"] * n,
                                  "time": ["2026-11-20T08:15:00Z"] * n,
                                  "i": [str(k) for k in range(n)], "x": ["0.5"] * n,
                                  "y": ["1.25"] * n}
    return {**base, **over}


def test_good_parts_get_types_defaults_and_row_numbers() -> None:
    table, errors = _parts({"Serial": ["A-1", "A-2"],
                            "Finished": ["2026-11-20T08:15:00Z", "2026-11-20 09:00:00+00:00"]},
                           first_row=101)
    assert errors == []
    assert table.column("ts").to_pylist() == [datetime(2026, 11, 20, 8, 15, tzinfo=UTC),
                                              datetime(2026, 11, 20, 9, 0, tzinfo=UTC)]
    assert table.column("result").to_pylist() == ["OK", "OK"]
    assert table.column("first_pass").to_pylist() == [1, 1]
    assert table.column("line").to_pylist() == ["", ""]
    assert table.column("row").to_pylist() == [101, 102]


def test_results_and_flags_are_read_loosely_and_refused_exactly() -> None:
    table, errors = _parts({"Serial": ["A", "B", "C", "D"], "Finished": ["2026-01-01"] * 4,
                            "R": [" nok", "", "Warning", "bad"], "F": ["yes", "0", "", "2"]},
                           extra={"result": "R", "first_pass": "F"})
    assert table.column("result").to_pylist()[:3] == ["NOK", "OK", "WARNING"]
    assert table.column("first_pass").to_pylist()[:3] == [1, 0, 1]
    assert errors == [(4, "R", "“bad” is not OK, WARNING or NOK"),
                      (4, "F", "“2” is not 1 or 0")]


def test_bad_parts_values_name_row_column_and_reason() -> None:
    _table, errors = _parts({"Serial": [" ", "x" * 201, "ok\nbroken"],
                             "Finished": ["", "20/11/2026", "1969-12-31T23:59:59Z"]},
                            first_row=10)
    assert sorted(errors) == [
        (10, "Finished", "is empty; a time is required"),
        (10, "Serial", "is empty; a value is required"),
        (11, "Finished", "“20/11/2026” is not a date and time (ISO 8601 in UTC, e.g. "
                         "2026-11-20T08:15:00Z)"),
        (11, "Serial", "longer than 200 characters"),
        (12, "Finished", "“1969-12-31T23:59:59Z” is outside 1970-01-01 … 2099-12-31"),
        (12, "Serial", "a quoted value is never closed (it runs over the end of the line); "
                       "close the quote")]


def test_good_curve_samples_are_typed() -> None:
    table, errors = _curves(_curve_columns(2, x=["0.5", " 1e3 "]))
    assert errors == []
    assert table.column("idx").type == pa.uint16() and table.column("idx").to_pylist() == [0, 1]
    assert table.column("x").type == pa.float32()
    assert table.column("x").to_pylist() == [0.5, 1000.0]
    assert table.column("process").to_pylist() == ["press-fit", "press-fit"]


@pytest.mark.parametrize(("column", "value", "message"), [
    ("proc", "Press Fit", "“Press Fit” is not a process name (lower-case letters, digits and "
                          "'-')"),
    ("proc", "", "is empty; a value is required"),
    ("i", "-1", "“-1” is outside 0 … 65535"),
    ("i", "65536", "“65536” is outside 0 … 65535"),
    ("i", "1.5", "“1.5” is not a whole number"),
    ("x", "1,25", "“1,25” is not a number (use a decimal point, e.g. 1.25)"),
    ("x", "", "is empty; a number is required"),
    ("x", "nan", "“nan” is not a finite number"),
    ("y", "1e39", "“1e39” is out of range (±3.4e38)"),
])
def test_a_bad_curve_value_is_named_exactly(column: str, value: str, message: str) -> None:
    _table, errors = _curves(_curve_columns(2, **{column: ["1", value] if column == "i"
                                                  else ["0.5" if column in "xy" else
                                                        "press-fit", value]}))
    assert errors == [(2, column, message)]


def test_numeric_columns_are_checked_too() -> None:
    _table, errors = _curves(_curve_columns(2, i=[0, 70000], y=[1.0, float("inf")]))
    assert errors == [(2, "i", "“70000” is outside 0 … 65535"),
                      (2, "y", "“inf” is not a finite number")]


def test_units_must_match_the_clusters_process_and_be_short() -> None:
    mapping = {**CURVES, "x_unit": "xu", "y_unit": "yu", "y_name": "yn"}
    columns = _curve_columns(3, proc=["press-fit", "press-fit", "new-one"],
                             xu=["mm", "", "in"], yu=["N", "kN", "u" * 41],
                             yn=["force", "f\nx", "force"])
    _table, errors = _curves(columns, mapping=mapping,
                             units={"press-fit": ("mm", "kN")})
    assert sorted(errors) == [
        (1, "yu", "“N” is not the unit of press-fit y (kN)"),
        (2, "yn", "“f\nx” is not an axis name (at most 40 characters on one line)"),
        (3, "yu", f"“{'u' * 40}…” is not a unit")]


def test_the_sink_keeps_the_first_errors_and_counts_all() -> None:
    sink = ErrorSink()
    convert_batch(pa.RecordBatch.from_pydict({"Serial": [""] * 80,
                                              "Finished": ["2026-01-01"] * 80}),
                  kind="parts", mapping=PARTS, first_row=1, sink=sink)
    assert sink.total == 80 and len(sink.errors) == 50
    assert sink.errors[0] == RowError(1, "Serial", "is empty; a value is required")


def test_every_bad_number_is_named_even_when_others_do_not_parse() -> None:
    _table, errors = _curves(_curve_columns(3, x=["1,25", "nan", "1e39"],
                                            i=["x", "0", "70000"]))
    assert sorted(errors) == [
        (1, "i", "“x” is not a whole number"),
        (1, "x", "“1,25” is not a number (use a decimal point, e.g. 1.25)"),
        (2, "x", "“nan” is not a finite number"),
        (3, "i", "“70000” is outside 0 … 65535"),
        (3, "x", "“1e39” is out of range (±3.4e38)")]
