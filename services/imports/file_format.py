"""The import file format: columns, templates, byte checks and row-by-row validation.

Files are read in Arrow batches (CSV through ``pyarrow.csv.open_csv`` with every column as
text, Parquet through ``ParquetFile.iter_batches``); every batch is converted and checked with
vectorised Arrow compute, so no file is ever held whole in Python objects. Rows are numbered
from 1 for the first data row (the CSV header is not a row).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from lyceum.errors import ValidationError
from services.imports.budget import budget_for, check_parquet_budget, open_parquet, parquet_batches

KINDS: tuple[str, ...] = ("parts", "curves")
FORMATS: tuple[str, ...] = ("csv", "parquet")
#: Files uploaded in the browser (sent base64 through the callback); larger files use the API.
MAX_UPLOAD_BYTES = 20_000_000
#: One request body of the ingest API (the app refuses larger requests).
MAX_INGEST_BYTES = 60_000_000
#: The longest CSV line accepted.
MAX_LINE_BYTES = 1024 * 1024
MAX_ERRORS = 50
MAX_TEXT = 200
BATCH_ROWS = 1_000_000
#: Bytes of CSV parsed per batch.
CSV_BLOCK_BYTES = 16 * 1024 * 1024
TS_MIN = datetime(1970, 1, 1, tzinfo=UTC)
TS_MAX = datetime(2100, 1, 1, tzinfo=UTC)
RESULTS: tuple[str, ...] = ("OK", "WARNING", "NOK")
_PROCESS = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    """One column of an import file: its type, whether it is required, what it means."""

    name: str
    kind: str  # text | float | index | timestamp | result | flag | process | unit | axis
    required: bool
    meaning: str
    example: str


COLUMNS: dict[str, tuple[Column, ...]] = {
    "parts": (
        Column("serial", "text", True, "the part's serial number, unique", "P-2611-000001"),
        Column("ts", "timestamp", True, "when the part was finished, UTC (ISO 8601)",
               "2026-11-20T08:15:00Z"),
        Column("line", "text", False, "production line", "Assembly A"),
        Column("station", "text", False, "station that judged the part", "ST-10"),
        Column("product", "text", False, "product type", "Bearing housing"),
        Column("batch", "text", False, "material batch", "B-1120"),
        Column("shift", "text", False, "shift", "early"),
        Column("result", "result", False, "OK, WARNING or NOK (default OK)", "OK"),
        Column("first_pass", "flag", False, "1 if OK at the first attempt (default 1)", "1"),
        Column("defect_mode", "text", False, "defect mode of a NOK part", ""),
    ),
    "curves": (
        Column("serial", "text", True, "the part's serial number", "P-2611-000001"),
        Column("process", "process", True,
               "process name (lower-case letters, digits, '-'); a new one is added to the "
               "cluster's catalog with its axes and units", "riveting"),
        Column("ts", "timestamp", True, "when the curve was recorded, UTC (ISO 8601)",
               "2026-11-20T08:15:00Z"),
        Column("idx", "index", True, "sample number within the curve, 0 … 65535", "0"),
        Column("x", "float", True, "x value (stroke, angle, time); it may go back", "0.125"),
        Column("y", "float", True, "y value (force, torque, pressure)", "1.75"),
        Column("x_unit", "unit", False, "unit of x; for a process the cluster already has, "
               "it must be the unit it has", "mm"),
        Column("y_unit", "unit", False, "unit of y; for a process the cluster already has, "
               "it must be the unit it has", "kN"),
        Column("x_name", "axis", False, "name of the x axis (default: the process's, or x)",
               "displacement"),
        Column("y_name", "axis", False, "name of the y axis (default: the process's, or y)",
               "force"),
        Column("line", "text", False, "production line", "Assembly A"),
        Column("station", "text", False, "station", "ST-10"),
        Column("product", "text", False, "product type", "Bearing housing"),
        Column("batch", "text", False, "material batch", "B-1120"),
        Column("result", "result", False, "OK, WARNING or NOK (default OK)", "OK"),
        Column("defect_mode", "text", False, "defect mode of a NOK curve", ""),
    ),
}


@dataclass(frozen=True)
class RowError:
    """One bad value: the data row (from 1), the file's column name and what is wrong."""

    row: int
    column: str
    message: str

    def text(self) -> str:
        """The error as one sentence."""
        return f"Row {self.row}, column {self.column}: {self.message}"


class ImportFileError(ValidationError):
    """The file as a whole cannot be read (encoding, structure, size)."""

    code = "import_file_error"


class ImportRowErrors(ValidationError):
    """Some rows break the rules; ``errors`` lists them (at most :data:`MAX_ERRORS`)."""

    code = "import_row_errors"

    def __init__(self, errors: list[RowError], *, total: int | None = None) -> None:
        count = total if total is not None else len(errors)
        head = errors[0].text() if errors else ""
        more = f" (and {count - 1} more)" if count > 1 else ""
        super().__init__(f"{count} problem{'s' if count != 1 else ''} found; nothing was "
                         f"imported. {head}{more}")
        self.errors = errors


def columns_for(kind: str) -> tuple[Column, ...]:
    """The columns of an import kind, or a validation error."""
    if kind not in COLUMNS:
        raise ValidationError("The kind of data is parts or curves.")
    return COLUMNS[kind]


def template_csv(kind: str) -> str:
    """A CSV template: the header and one example row."""
    cols = columns_for(kind)
    return ",".join(c.name for c in cols) + "\n" + ",".join(c.example for c in cols) + "\n"


def file_format(filename: str) -> str:
    """``csv`` or ``parquet`` from a file name, or a validation error."""
    lower = filename.lower()
    if lower.endswith(".csv"):
        return "csv"
    if lower.endswith((".parquet", ".pq")):
        return "parquet"
    raise ImportFileError("Upload a .csv or .parquet file.")


def check_size(size: int, *, limit: int) -> None:
    """Refuse a file over ``limit`` bytes (checked before anything is read)."""
    if size > limit:
        raise ImportFileError(
            f"The file is {size / 1e6:.1f} MB; the limit here is {limit / 1e6:.0f} MB. "
            "Send larger files through the ingest API.")
    if size == 0:
        raise ImportFileError("The file is empty.")


def check_text(path: Path) -> bool:
    """Check a CSV file's bytes in chunks: UTF-8, no NUL, no line over the limit.

    Returns True if the file starts with a UTF-8 byte-order mark (which is then skipped).
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    bom, line, offset, since_newline = False, 1, 0, 0
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if offset == 0:
                if chunk.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                    raise ImportFileError("The file is UTF-16 text; save it as CSV UTF-8.")
                bom = chunk.startswith(codecs.BOM_UTF8)
            nul = chunk.find(b"\0")
            if nul >= 0:
                where = line + chunk.count(b"\n", 0, nul)
                raise ImportFileError(f"Line {where} contains a NUL byte; this is not a "
                                      "text CSV file.")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                where = line + chunk.count(b"\n", 0, exc.start)
                raise ImportFileError(f"Line {where} is not UTF-8 text; save the file as "
                                      "CSV UTF-8.") from exc
            since_newline = _check_lines(chunk, line=line, carried=since_newline)
            line += chunk.count(b"\n")
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"Line {line} is not UTF-8 text; save the file as CSV "
                              "UTF-8.") from exc
    return bom


def _check_lines(chunk: bytes, *, line: int, carried: int) -> int:
    """Raise if a line in ``chunk`` is too long; return the open line's length so far."""
    ends = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
    if len(ends) == 0:
        length = carried + len(chunk)
        if length > MAX_LINE_BYTES:
            raise ImportFileError(f"Line {line} is longer than "
                                  f"{MAX_LINE_BYTES // 1024 // 1024} MB.")
        return length
    starts = np.concatenate(([0], ends[:-1] + 1))
    lengths = ends - starts
    lengths[0] += carried
    too_long = np.flatnonzero(lengths > MAX_LINE_BYTES)
    tail = carried * (len(ends) == 0) + len(chunk) - int(ends[-1]) - 1
    if len(too_long) or tail > MAX_LINE_BYTES:
        where = line + (int(too_long[0]) if len(too_long) else len(ends))
        raise ImportFileError(f"Line {where} is longer than "
                              f"{MAX_LINE_BYTES // 1024 // 1024} MB.")
    return tail


def _csv_reader(source: Path | BinaryIO, *, names: list[str] | None
                ) -> pacsv.CSVStreamingReader:
    """A streaming CSV reader (Arrow skips a UTF-8 byte-order mark itself)."""
    convert = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()) if names else None,
        strings_can_be_null=False, quoted_strings_can_be_null=False)
    return pacsv.open_csv(source, read_options=pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES,
                                                                 use_threads=True),
                          convert_options=convert)


def _csv_error(path: Path, exc: Exception) -> ImportFileError:
    text = str(exc)
    found = re.search(r"Expected (\d+) columns, got (\d+): (.*)", text, re.S)
    if found:
        row = _find_line(path, found.group(3).encode()[:200])
        where = f"Line {row}" if row else "A line"
        if found.group(3).count('"') % 2:
            return ImportFileError(f"{where} has a quote that is never closed.")
        return ImportFileError(f"{where} has {found.group(2)} columns; the header has "
                               f"{found.group(1)}.")
    if "Empty CSV file" in text:
        return ImportFileError("The file is empty.")
    return ImportFileError("The file is not a readable CSV file.")


def _find_line(path: Path, needle: bytes) -> int | None:
    """The 1-based line on which ``needle`` starts a line (streamed), if found."""
    line, tail = 1, b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            data = tail + chunk
            at = data.find(b"\n" + needle)
            if at >= 0:
                return line + data.count(b"\n", 0, at) + 1
            keep = max(0, len(data) - len(needle) - 1)
            line += data.count(b"\n", 0, keep)
            tail = data[keep:]
    return None


def read_header(path: Path, fmt: str, *, ceiling: int | None = None) -> list[str]:
    """The column names of a file; refuses duplicates and files without columns, and (with
    a ``ceiling``) a Parquet file whose footer passes its decompressed-size budget."""
    if fmt == "csv":
        check_text(path)
        try:
            names = list(_csv_reader(path, names=None).schema.names)
        except pa.ArrowInvalid as exc:
            raise _csv_error(path, exc) from exc
    else:
        file = _parquet(path)
        if ceiling is not None:
            check_parquet_budget(file, budget_for(path.stat().st_size, ceiling=ceiling))
        names = list(file.schema_arrow.names)
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ImportFileError(f"The header names the column “{name}” twice.")
        seen.add(name)
    if not any(n.strip() for n in names):
        raise ImportFileError("The file has no header row.")
    return names


def _parquet(path: Path, *, text_as_dictionary: bool = False) -> pq.ParquetFile:
    try:
        if text_as_dictionary:
            return open_parquet(path)
        return pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFileError("The file is not a readable Parquet file.") from exc


def iter_source_batches(path: Path, fmt: str, names: list[str], *,
                        handle: BinaryIO | None = None,
                        ceiling: int | None = None) -> Iterator[pa.RecordBatch]:
    """The file's rows in Arrow batches (CSV values as text); ``handle`` reads ``path``.

    With a ``ceiling``, a Parquet file is refused (:class:`ImportTooLarge`) when its footer
    or its batches as read pass its decompressed-size budget (``import_budget``)."""
    try:
        if fmt == "csv":
            yield from _csv_reader(handle or path, names=names)
        elif ceiling is None:
            yield from _parquet(path).iter_batches(batch_size=BATCH_ROWS)
        else:
            budget = budget_for(path.stat().st_size, ceiling=ceiling)
            yield from parquet_batches(_parquet(path, text_as_dictionary=True), budget)
    except pa.ArrowInvalid as exc:
        if fmt == "csv":
            raise _csv_error(path, exc) from exc
        raise ImportFileError("The file is not a readable Parquet file.") from exc


def default_mapping(kind: str, names: list[str]) -> dict[str, str]:
    """Target column → file column, matched by name (case and spaces ignored)."""
    by_key = {n.strip().lower().lstrip("\ufeff"): n for n in names}
    return {c.name: by_key[c.name] for c in columns_for(kind) if c.name in by_key}


def check_mapping(kind: str, mapping: Mapping[str, str], names: list[str]) -> dict[str, str]:
    """The mapping restricted to known targets and existing file columns; required present."""
    clean = {t: s for t, s in mapping.items() if s}
    for target, source in clean.items():
        if target not in {c.name for c in columns_for(kind)}:
            raise ValidationError(f"“{target}” is not a column of {kind} files.")
        if source not in names:
            raise ImportFileError(f"The file has no column “{source}”.")
    missing = [c.name for c in columns_for(kind) if c.required and c.name not in clean]
    if missing:
        raise ImportFileError("Required column" + ("s " if len(missing) > 1 else " ")
                              + ", ".join(f"“{m}”" for m in missing)
                              + " missing: add or map " + ("them." if len(missing) > 1
                                                            else "it."))
    return clean


@dataclass
class ErrorSink:
    """Collects row errors up to :data:`MAX_ERRORS`, counting the rest."""

    errors: list[RowError] = field(default_factory=list)
    total: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        """Record one error."""
        self.total += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, column, message))

    def raise_if_any(self) -> None:
        """Raise :class:`ImportRowErrors` if anything was recorded."""
        if self.total:
            self.errors.sort(key=lambda e: e.row)
            raise ImportRowErrors(self.errors, total=self.total)
