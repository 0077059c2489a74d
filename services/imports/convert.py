"""Convert one Arrow batch of an import file to typed columns, recording every bad value.

Everything is vectorised: a column is checked with Arrow compute, and only the rows that fail
are looked at one by one (to name them in the error).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from services.imports.file_format import (
    MAX_TEXT,
    RESULTS,
    TS_MAX,
    TS_MIN,
    Column,
    ErrorSink,
    columns_for,
)

_FLOAT32_MAX = 3.4028234e38
_CAST_CHUNK = 8192
_PROCESS_RE = r"^[a-z0-9][a-z0-9-]{0,39}$"


def convert_batch(batch: pa.RecordBatch, *, kind: str, mapping: Mapping[str, str],
                  first_row: int, sink: ErrorSink,
                  units: Mapping[str, tuple[str, str]] | None = None) -> pa.Table:
    """The batch as the staging table's columns; bad values go to ``sink``.

    ``first_row`` is the number of the batch's first row (from 1); ``units`` maps each
    process the cluster already has to its (x unit, y unit), which given units must match.
    """
    out: dict[str, pa.Array] = {}
    n = batch.num_rows
    for col in columns_for(kind):
        source = mapping.get(col.name)
        if source is None:
            out[col.name] = _default(col, n)
            continue
        arr = batch.column(batch.schema.get_field_index(source))
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        out[col.name] = _convert(col, arr, label=source, first_row=first_row, sink=sink)
    if kind == "curves":
        _check_units(out, mapping, units or {}, first_row=first_row, sink=sink)
    out["row"] = pa.array(np.arange(first_row, first_row + n, dtype=np.uint64))
    return pa.table(out)


def _default(col: Column, n: int) -> pa.Array:
    if col.kind == "flag":
        return pa.array(np.ones(n, dtype=np.uint8))
    value = "OK" if col.kind == "result" else ""
    return pc.fill_null(pa.nulls(n, pa.string()), value)


def _rows(mask: pa.Array) -> list[int]:
    """Indices where ``mask`` is true (at most a few hundred are looked at)."""
    found = pc.indices_nonzero(pc.fill_null(mask, True))
    return [int(i) for i in found.slice(0, 200).to_pylist()]


def _show(value: object) -> str:
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def _convert(col: Column, arr: pa.Array, *, label: str, first_row: int,
             sink: ErrorSink) -> pa.Array:
    if col.kind in ("text", "process", "unit", "axis"):
        return _text(col, arr, label=label, first_row=first_row, sink=sink)
    if col.kind == "float":
        return _float(arr, label=label, first_row=first_row, sink=sink)
    if col.kind == "index":
        return _index(arr, label=label, first_row=first_row, sink=sink)
    if col.kind == "timestamp":
        return _timestamp(arr, label=label, first_row=first_row, sink=sink)
    if col.kind == "result":
        return _result(arr, label=label, first_row=first_row, sink=sink)
    return _flag(arr, label=label, first_row=first_row, sink=sink)


def _as_text(arr: pa.Array) -> pa.Array:
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        return pc.fill_null(arr.cast(pa.string()), "")
    if pa.types.is_dictionary(arr.type):
        return pc.fill_null(arr.cast(pa.string()), "")
    return pc.fill_null(pc.cast(arr, pa.string()), "")


def _text(col: Column, arr: pa.Array, *, label: str, first_row: int,
          sink: ErrorSink) -> pa.Array:
    text = _as_text(arr)
    if col.kind != "text":
        _text_by_value(col, text, label=label, first_row=first_row, sink=sink)
        return text
    broken = pc.or_(pc.match_substring(text, "\n"), pc.match_substring(text, "\r"))
    for i in _rows(broken):
        sink.add(first_row + i, label, "a quoted value is never closed (it runs over the end "
                 "of the line); close the quote")
    length = pc.utf8_length(text)
    for i in _rows(pc.greater(length, MAX_TEXT)):
        sink.add(first_row + i, label, f"longer than {MAX_TEXT} characters")
    if col.required:
        for i in _rows(pc.equal(pc.utf8_trim_whitespace(text), "")):
            sink.add(first_row + i, label, "is empty; a value is required")
    return text


def _text_by_value(col: Column, text: pa.Array, *, label: str, first_row: int,
                   sink: ErrorSink) -> None:
    """Checks of a few-valued column (process, unit), run on its distinct values."""
    values = pc.unique(text)
    if col.kind == "process":
        bad = pc.or_(pc.invert(pc.match_substring_regex(values, _PROCESS_RE)),
                     pc.equal(values, ""))
    else:
        bad = pc.or_(pc.greater(pc.utf8_length(values), 40),
                     pc.match_substring_regex(values, r"[\r\n]"))
    wrong = values.filter(bad)
    if len(wrong) == 0:
        return
    for i in _rows(pc.is_in(text, wrong)):
        value = text[i].as_py()
        if col.kind == "process" and value == "":
            sink.add(first_row + i, label, "is empty; a value is required")
        elif col.kind == "process":
            sink.add(first_row + i, label, f"{_show(value)} is not a process name "
                     "(lower-case letters, digits and '-')")
        elif col.kind == "axis":
            sink.add(first_row + i, label, f"{_show(value)} is not an axis name (at most 40 "
                     "characters on one line)")
        else:
            sink.add(first_row + i, label, f"{_show(value)} is not a unit")


def _cast_located(text: pa.Array, target: pa.DataType,
                  placeholder: str) -> tuple[pa.Array | None, list[int]]:
    """Cast ``text``; on failure, the indices that do not parse (chunk by chunk), and the
    other values cast with ``placeholder`` in the bad ones' place, so that their own checks
    (range, finiteness) still run: every bad value is named in one pass."""
    try:
        return pc.cast(text, target), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    bad = _unparsable(text, target)
    flags = np.zeros(len(text), dtype=bool)
    flags[bad] = True
    try:
        return pc.cast(pc.if_else(pa.array(flags), placeholder, text), target), bad
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):  # more bad rows than looked at
        return None, bad


def _unparsable(text: pa.Array, target: pa.DataType) -> list[int]:
    """Indices of ``text`` that do not cast to ``target`` (at most about 200)."""
    bad: list[int] = []
    for start in range(0, len(text), _CAST_CHUNK):
        part = text.slice(start, _CAST_CHUNK)
        try:
            pc.cast(part, target)
            continue
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            for j, value in enumerate(part.to_pylist()):
                try:
                    pc.cast(pa.array([value], pa.string()), target)
                except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                    bad.append(start + j)
        if len(bad) >= 200:
            break
    return bad


def _numeric(arr: pa.Array, target: pa.DataType, *, label: str, first_row: int,
             sink: ErrorSink, what: str) -> tuple[pa.Array | None, pa.Array]:
    """Numbers from text or numeric input; returns (values or None, source text for errors)."""
    if pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type):
        return pc.cast(arr, target, safe=False), arr
    text = pc.utf8_trim_whitespace(_as_text(arr))
    empty = pc.equal(text, "")
    for i in _rows(empty):
        sink.add(first_row + i, label, "is empty; a number is required")
    values, bad = _cast_located(pc.if_else(empty, "0", text), target, "0")
    for i in bad:
        sink.add(first_row + i, label, f"{_show(text[i].as_py())} is not {what}")
    return values, text


def _float(arr: pa.Array, *, label: str, first_row: int, sink: ErrorSink) -> pa.Array:
    values, text = _numeric(arr, pa.float64(), label=label, first_row=first_row, sink=sink,
                            what="a number (use a decimal point, e.g. 1.25)")
    if values is None:
        return pa.nulls(len(arr), pa.float32())
    for i in _rows(pc.invert(pc.is_finite(values))):
        sink.add(first_row + i, label, f"{_show(text[i].as_py())} is not a finite number")
    big = pc.and_(pc.is_finite(values), pc.greater(pc.abs(values), _FLOAT32_MAX))
    for i in _rows(big):
        sink.add(first_row + i, label, f"{_show(text[i].as_py())} is out of range "
                 "(±3.4e38)")
    return pc.cast(values, pa.float32(), safe=False)


def _index(arr: pa.Array, *, label: str, first_row: int, sink: ErrorSink) -> pa.Array:
    values, text = _numeric(arr, pa.int64(), label=label, first_row=first_row, sink=sink,
                            what="a whole number")
    if values is None:
        return pa.nulls(len(arr), pa.uint16())
    out = pc.or_(pc.less(values, 0), pc.greater(values, 65535))
    for i in _rows(out):
        sink.add(first_row + i, label, f"{_show(text[i].as_py())} is outside 0 … 65535")
    return pc.cast(values, pa.uint16(), safe=False)


def _timestamp(arr: pa.Array, *, label: str, first_row: int, sink: ErrorSink) -> pa.Array:
    target = pa.timestamp("ms", tz="UTC")
    if pa.types.is_timestamp(arr.type):
        values = pc.cast(arr if arr.type.tz else pc.assume_timezone(arr, "UTC"), target,
                         safe=False)
        text = arr
    else:
        text = pc.utf8_trim_whitespace(_as_text(arr))
        bare = pc.replace_substring_regex(text, r"(?i)(z|\+00:?00)$", "")
        cast, bad = _cast_located(bare, pa.timestamp("ms"), "2000-01-01T00:00:00")
        for i in bad:
            value = text[i].as_py()
            why = "is empty; a time is required" if not value else (
                f"{_show(value)} is not a date and time (ISO 8601 in UTC, e.g. "
                "2026-11-20T08:15:00Z)")
            sink.add(first_row + i, label, why)
        if cast is None:
            return pa.nulls(len(arr), target)
        values = pc.cast(cast, target)
    low = pa.scalar(TS_MIN, target)
    high = pa.scalar(TS_MAX, target)
    for i in _rows(pc.or_(pc.less(values, low), pc.greater_equal(values, high))):
        sink.add(first_row + i, label, f"{_show(text[i].as_py())} is outside 1970-01-01 … "
                 "2099-12-31")
    return values


def _result(arr: pa.Array, *, label: str, first_row: int, sink: ErrorSink) -> pa.Array:
    text = pc.utf8_upper(pc.utf8_trim_whitespace(_as_text(arr)))
    text = pc.if_else(pc.equal(text, ""), "OK", text)
    for i in _rows(pc.invert(pc.is_in(text, pa.array(RESULTS)))):
        sink.add(first_row + i, label, f"{_show(arr[i].as_py())} is not OK, WARNING or NOK")
    return text


def _flag(arr: pa.Array, *, label: str, first_row: int, sink: ErrorSink) -> pa.Array:
    text = pc.utf8_lower(pc.utf8_trim_whitespace(_as_text(arr)))
    yes = pc.is_in(text, pa.array(["1", "true", "yes", ""]))
    no = pc.is_in(text, pa.array(["0", "false", "no"]))
    for i in _rows(pc.invert(pc.or_(yes, no))):
        sink.add(first_row + i, label, f"{_show(arr[i].as_py())} is not 1 or 0")
    return pc.cast(yes, pa.uint8())


def _check_units(out: dict[str, pa.Array], mapping: Mapping[str, str],
                 units: Mapping[str, tuple[str, str]], *, first_row: int,
                 sink: ErrorSink) -> None:
    """For processes the cluster already has, the units, when given, must be its units."""
    for axis, position in (("x", 0), ("y", 1)):
        name = f"{axis}_unit"
        if name not in mapping:
            continue
        present = pc.unique(out["process"]).to_pylist()
        for process in (p for p in present if p in units):
            expected = units[process][position]
            wrong = pc.and_(pc.equal(out["process"], process),
                            pc.and_(pc.not_equal(out[name], ""),
                                    pc.not_equal(out[name], expected)))
            for i in _rows(wrong):
                sink.add(first_row + i, mapping[name],
                         f"{_show(out[name][i].as_py())} is not the unit of {process} "
                         f"{axis} ({expected})")
