"""Getting data to an import job: browser uploads (base64), previews, and the ingest API."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from data.metadata import imports as jobs_data
from lyceum.errors import ValidationError
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.imports.budget import body_batches
from services.imports.file_format import (
    MAX_INGEST_BYTES,
    MAX_UPLOAD_BYTES,
    ImportFileError,
    check_size,
    columns_for,
    default_mapping,
    file_format,
    iter_source_batches,
    read_header,
)
from services.imports.import_job import JobView, create_job, new_upload_path, run_import

#: Longest a request waits for its batch to be imported (the import goes on after that).
INGEST_WAIT_S = 300.0
_BATCH_ID = re.compile(r"^[A-Za-z0-9._:-]{1,120}$")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Upload:
    """A file saved for import, with what the mapping step needs."""

    path: str
    file_name: str
    file_format: str
    names: list[str]
    preview: list[dict[str, str]]
    mapping: dict[str, str]


def save_upload(runtime: Runtime, *, cluster_id: int, file_name: str, contents: str,
                kind: str) -> Upload:
    """Decode a ``dcc.Upload`` data URL into the instance folder and read its first rows.

    The size is checked from the base64 length before anything is decoded.
    """
    columns_for(kind)
    fmt = file_format(file_name or "")
    encoded = contents.split(",", 1)[1] if "," in contents else contents
    check_size(len(encoded) * 3 // 4, limit=MAX_UPLOAD_BYTES)
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImportFileError("The upload was damaged on the way; try again.") from exc
    check_size(len(raw), limit=MAX_UPLOAD_BYTES)
    path = new_upload_path(runtime, cluster_id, fmt)
    path.write_bytes(raw)
    ceiling = runtime.settings.max_decompressed_bytes
    try:
        names = read_header(path, fmt, ceiling=ceiling)
        rows = preview_rows(path, fmt, names, ceiling=ceiling)
    except ValidationError:
        path.unlink(missing_ok=True)
        raise
    return Upload(path=str(path), file_name=file_name, file_format=fmt, names=names,
                  preview=rows, mapping=default_mapping(kind, names))


def preview_rows(path: Path, fmt: str, names: list[str], *, n: int = 8,
                 ceiling: int | None = None) -> list[dict[str, str]]:
    """The first ``n`` rows as text (a Parquet file read within its budget under
    ``ceiling``)."""
    for batch in iter_source_batches(path, fmt, names, ceiling=ceiling):
        head = batch.slice(0, n).to_pylist()
        return [{k: "" if v is None else str(v) for k, v in row.items()} for row in head]
    raise ImportFileError("The file has a header but no rows.")


def owned_upload(runtime: Runtime, *, cluster_id: int, path: str) -> Path:
    """The saved upload's path, if it is one of this cluster's uploads (client input)."""
    found = Path(path).resolve()
    folder = (runtime.settings.instance_path / "imports" / str(int(cluster_id))).resolve()
    if found.parent != folder or not found.exists():
        raise ValidationError("Upload the file again; the earlier upload is gone.")
    return found


#: Request bodies the ingest API reads as files, by media type, and their file formats.
BODY_FORMATS: dict[str, str] = {
    "application/vnd.apache.arrow.stream": "arrow",
    "application/vnd.apache.arrow.file": "arrow",
    "application/vnd.apache.parquet": "parquet",
    "application/x-parquet": "parquet",
    "text/csv": "csv",
}


def body_format(content_type: str) -> str:
    """``arrow``, ``parquet`` or ``csv`` for an ingest body's media type, or a refusal."""
    found = BODY_FORMATS.get(content_type.split(";")[0].strip().lower())
    if found is None:
        raise ImportFileError("Send Content-Type application/json, "
                              "application/vnd.apache.arrow.stream, "
                              "application/vnd.apache.parquet or text/csv.")
    return found


def _body_batches(body: bytes, fmt: str, *, ceiling: int
                  ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
    """The rows of an Arrow IPC stream or Parquet body, batch by batch, refused past the
    body's decompressed-size budget (see ``import_budget``)."""
    try:
        schema, batches = body_batches(body, fmt, ceiling=ceiling)
    except (pa.ArrowInvalid, OSError) as exc:
        raise _unreadable() from exc
    return schema, batches


def _unreadable() -> ImportFileError:
    return ImportFileError("The body is not a readable Arrow or Parquet table.")


def json_table(rows: Any) -> pa.Table:
    """JSON rows (a list of objects) as an Arrow table of text columns."""
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ValidationError("“rows” is a non-empty list of objects.")
    names: list[str] = []
    for row in rows:
        names.extend(k for k in row if k not in names)
    return pa.table({n: pa.array([None if r.get(n) is None else str(r.get(n)) for r in rows],
                                 pa.string()) for n in names})


def ingest(runtime: Runtime, *, cluster_id: int, actor: Actor, kind: str, batch_id: str,
           table: pa.Table) -> tuple[JobView, bool]:
    """Import one API batch now; a batch id already imported returns that job (created False)."""
    return _ingest_batches(runtime, cluster_id=cluster_id, actor=actor, kind=kind,
                           batch_id=batch_id, schema=table.schema,
                           batches=iter(table.to_batches()))


def _ingest_batches(runtime: Runtime, *, cluster_id: int, actor: Actor, kind: str,
                    batch_id: str, schema: pa.Schema, batches: Iterator[pa.RecordBatch]
                    ) -> tuple[JobView, bool]:
    """Write ``batches`` to a staged Parquet file as they are read (one batch in memory),
    then import it; a refusal while reading leaves no file and no job."""
    def write(path: Path) -> None:
        with pq.ParquetWriter(path, schema) as writer:
            for batch in batches:
                writer.write_batch(batch)

    return _ingest_file(runtime, cluster_id=cluster_id, actor=actor, kind=kind,
                        batch_id=batch_id, fmt="parquet", write=write)


def _ingest_file(runtime: Runtime, *, cluster_id: int, actor: Actor, kind: str,
                 batch_id: str, fmt: str, write: Callable[[Path], None]
                 ) -> tuple[JobView, bool]:
    """Stage a batch as a file of ``fmt`` (``write`` fills it) and import it now; a batch
    id imported before returns that job (created False) and writes nothing."""
    if not isinstance(batch_id, str) or not _BATCH_ID.fullmatch(batch_id):
        raise ValidationError("batch_id is 1–120 letters, digits, '.', '_', ':' or '-'.")
    columns_for(kind)
    with runtime.db.session() as session:
        found = jobs_data.import_by_batch(session, cluster_id=cluster_id, batch_id=batch_id)
        if found is not None and found.status != "failed":
            return JobView.of(found), False
    path = new_upload_path(runtime, cluster_id, fmt)
    try:
        write(path)
    except (pa.ArrowInvalid, OSError) as exc:
        path.unlink(missing_ok=True)
        raise _unreadable() from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    if found is not None:
        with runtime.db.session() as session:
            jobs_data.update_import(session, found.id, batch_id=None)
    job = create_job(runtime, cluster_id=cluster_id, actor=actor, file_name=f"batch {batch_id}",
                     kind=kind, fmt=fmt, path=path, batch_id=batch_id, source="api")
    return run_import(runtime, job.id), True


def ingest_body(runtime: Runtime, *, cluster_id: int, actor: Actor, body: bytes,
                content_type: str, query: dict[str, str],
                json_data: dict[str, Any] | None) -> tuple[JobView, bool]:
    """Parse an ingest request (size already checked) and import it, in the import pool.

    The request waits at most :data:`INGEST_WAIT_S`; a full pool or a cluster already
    running its share of imports refuses at once (:class:`services.core.work_pools.Busy`)."""
    check_size(len(body), limit=MAX_INGEST_BYTES)
    work = partial(_ingest_now, runtime, cluster_id=cluster_id, actor=actor, body=body,
                   content_type=content_type, query=query, json_data=json_data)
    return runtime.pools.run("imports", work, cluster_id=cluster_id, timeout=INGEST_WAIT_S)


def _ingest_now(runtime: Runtime, *, cluster_id: int, actor: Actor, body: bytes,
                content_type: str, query: dict[str, str],
                json_data: dict[str, Any] | None) -> tuple[JobView, bool]:
    if json_data is not None:
        return ingest(runtime, cluster_id=cluster_id, actor=actor,
                      kind=str(json_data.get("kind", "curves")),
                      batch_id=json_data.get("batch_id", ""),
                      table=json_table(json_data.get("rows")))
    fmt = body_format(content_type)
    kind, batch_id = query.get("kind", "curves"), query.get("batch_id", "")
    if fmt == "csv":  # checked as text, then row by row, by the import job itself
        def write(path: Path) -> None:
            path.write_bytes(body)

        return _ingest_file(runtime, cluster_id=cluster_id, actor=actor, kind=kind,
                            batch_id=batch_id, fmt="csv", write=write)
    schema, batches = _body_batches(body, fmt, ceiling=runtime.settings.max_decompressed_bytes)
    return _ingest_batches(runtime, cluster_id=cluster_id, actor=actor, kind=kind,
                           batch_id=batch_id, schema=schema, batches=batches)


def safe_cell(value: Any) -> str:
    """A value for a CSV export: text starting like a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    if isinstance(value, str) and text.startswith(_FORMULA):
        return "'" + text
    return text


def to_csv(table: pa.Table) -> str:
    """An Arrow table as CSV text with formula-looking text neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([safe_cell(v) for v in row.values()])
    return out.getvalue()
