"""Bad import files: each gives its exact message and changes no rows."""

from __future__ import annotations

import base64
import codecs
from pathlib import Path

import pyarrow as pa
import pytest

from lyceum.errors import ValidationError
from services.core.runtime import Runtime
from services.imports.file_format import MAX_UPLOAD_BYTES, template_csv
from services.imports.upload import ingest, json_table, save_upload, to_csv
from tests.services.import_helpers import (
    ACTOR,
    CURVE_HEADER,
    PART_HEADER,
    curve_rows,
    import_bytes,
    make_cluster,
    table_count,
)

GOOD = curve_rows(2, 3)


@pytest.fixture
def plant(runtime: Runtime, ch_database: str) -> tuple[Runtime, int, str]:
    return runtime, make_cluster(runtime, ch_database), ch_database


def _unchanged(rt: Runtime, db: str) -> None:
    for table in ("parts", "curves", "curve_samples", "hourly_yield"):
        assert table_count(rt, db, table) == 0, table
    assert not rt.ch.rows(f"SELECT name FROM system.tables WHERE database = '{db}' "
                          "AND name LIKE 'import_stage_%'")


CASES = {
    "non-utf8": ((CURVE_HEADER + GOOD).encode() + b"S-9,press-fit,caf\xe9\n",
                 "Line 8 is not UTF-8 text; save the file as CSV UTF-8."),
    "utf16": ((CURVE_HEADER + GOOD).encode("utf-16"),
              "The file is UTF-16 text; save it as CSV UTF-8."),
    "nul": ((CURVE_HEADER + GOOD).encode().replace(b"S-000001", b"S-0\x0001", 1),
            "Line 5 contains a NUL byte; this is not a text CSV file."),
    "long-line": ((CURVE_HEADER + GOOD).encode() + b"x" * (10 * 1024 * 1024) + b"\n",
                  "Line 8 is longer than 1 MB."),
    "unclosed-quote": ((CURVE_HEADER + GOOD + 'S-7,press-fit,2026-11-20T08:00:00Z,0,1,2,mm,kN,'
                        '"Line 1,OP10,H,B,OK\n').encode(),
                       "Line 8 has a quote that is never closed."),
    "column-count": ((CURVE_HEADER + GOOD + "S-7,press-fit\n").encode(),
                     "Line 8 has 2 columns; the header has 13."),
    "duplicate-header": (b"serial,serial,process,ts,idx,x,y\nA,A,press-fit,2026-01-01,0,1,2\n",
                         "The header names the column \u201cserial\u201d twice."),
    "header-only": (CURVE_HEADER.encode(), "The file has a header but no rows."),
    "empty": (b"", "The file is empty."),
    "inf": ((CURVE_HEADER + GOOD.replace(",0.020,", ",1e309,", 1)).encode(),
            "1 problem found; nothing was imported. Row 2, column y: \u201c1e309\u201d is not a "
            "finite number"),
    "nan": ((CURVE_HEADER + GOOD.replace(",0.010,", ",NaN,", 1)).encode(),
            "1 problem found; nothing was imported. Row 2, column x: \u201cNaN\u201d is not a "
            "finite number"),
    "date-range": ((CURVE_HEADER + GOOD.replace("2026-11-20T08:01", "2500-11-20T08:01")
                    ).encode(),
                   "3 problems found; nothing was imported. Row 4, column ts: "
                   "\u201c2500-11-20T08:01:00Z\u201d is outside 1970-01-01 \u2026 2099-12-31 "
                   "(and 2 more)"),
    "bad-date": ((CURVE_HEADER + GOOD.replace("2026-11-20T08:01", "2026-13-20T08:01", 1)
                  ).encode(),
                 "1 problem found; nothing was imported. Row 4, column ts: "
                 "\u201c2026-13-20T08:01:00Z\u201d is not a date and time (ISO 8601 in UTC, e.g. "
                 "2026-11-20T08:15:00Z)"),
    "duplicate-sample": ((CURVE_HEADER + GOOD + GOOD.splitlines(keepends=True)[1]).encode(),
                         "1 problem found; nothing was imported. Row 7, column idx: sample 1 of "
                         "this curve appears twice (first in row 2)"),
    "missing-column": (b"serial,process,ts,idx,x\nA,press-fit,2026-01-01,0,1\n",
                       "Required column \u201cy\u201d missing: add or map it."),
    "wrong-unit": ((CURVE_HEADER + GOOD.replace(",mm,kN,", ",mm,N,", 1)).encode(),
                   "1 problem found; nothing was imported. Row 4, column y_unit: \u201ckN\u201d "
                   "is not the unit of press-fit y given earlier in the file (\u201cN\u201d)"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_file_is_refused_with_its_message(plant: tuple[Runtime, int, str], tmp_path: Path,
                                              case: str) -> None:
    rt, cluster_id, db = plant
    body, message = CASES[case]
    job = import_bytes(rt, cluster_id, tmp_path, body)
    assert job.status == "failed"
    assert job.message == message
    _unchanged(rt, db)


def test_row_errors_name_row_and_column(plant: tuple[Runtime, int, str], tmp_path: Path) -> None:
    rt, cluster_id, db = plant
    body = (CURVE_HEADER + GOOD.replace(",0.010,", ",abc,", 1)).encode()
    job = import_bytes(rt, cluster_id, tmp_path, body)
    assert job.errors == [{"row": 2, "column": "x",
                           "message": "\u201cabc\u201d is not a number (use a decimal point, "
                                      "e.g. 1.25)"}]
    _unchanged(rt, db)


def test_a_bom_is_skipped_and_the_file_imports(plant: tuple[Runtime, int, str],
                                               tmp_path: Path) -> None:
    rt, cluster_id, db = plant
    job = import_bytes(rt, cluster_id, tmp_path, codecs.BOM_UTF8 + (CURVE_HEADER + GOOD).encode())
    assert (job.status, job.rows) == ("done", 6)
    assert table_count(rt, db, "curves") == 2


def test_duplicate_serials_in_parts(plant: tuple[Runtime, int, str], tmp_path: Path) -> None:
    rt, cluster_id, db = plant
    row = "P-1,2026-11-20T08:00:00Z,L1,OP10,H,B,early,OK,1,\n"
    job = import_bytes(rt, cluster_id, tmp_path, (PART_HEADER + row + row).encode(),
                       kind="parts")
    assert job.message == ("1 problem found; nothing was imported. Row 2, column serial: "
                           "duplicate serial \u201cP-1\u201d (first in row 1)")
    _unchanged(rt, db)


def test_formula_cells_are_stored_literally_and_neutralised_on_export(
        plant: tuple[Runtime, int, str], tmp_path: Path) -> None:
    rt, cluster_id, db = plant
    rows = "".join(f"{s},2026-11-20T08:00:00Z,L1,OP10,H,B,early,OK,1,\n"
                   for s in ("=1+1", "+SUM(A1)", "-2+3", "@cmd"))
    job = import_bytes(rt, cluster_id, tmp_path, (PART_HEADER + rows).encode(), kind="parts")
    assert job.status == "done"
    stored = sorted(r[0] for r in rt.ch.rows(f"SELECT serial FROM {db}.parts"))
    assert stored == ["+SUM(A1)", "-2+3", "=1+1", "@cmd"]
    exported = to_csv(pa.table({"serial": stored, "value": [-1.5, 2.0, 3.0, 4.0]}))
    assert exported == ("serial,value\n'+SUM(A1),-1.5\n'-2+3,2.0\n'=1+1,3.0\n'@cmd,4.0\n")


def test_upload_over_the_limit_is_refused_before_decoding(runtime: Runtime) -> None:
    contents = "data:text/csv;base64," + "A" * (MAX_UPLOAD_BYTES // 3 * 4 + 8)
    with pytest.raises(ValidationError) as caught:
        save_upload(runtime, cluster_id=1, file_name="big.csv", contents=contents, kind="curves")
    assert caught.value.user_message == ("The file is 20.0 MB; the limit here is 20 MB. Send "
                                         "larger files through the ingest API.")
    assert not list(runtime.settings.instance_path.glob("imports/*/*"))


def test_upload_preview_and_template(plant: tuple[Runtime, int, str]) -> None:
    rt, cluster_id, _db = plant
    body = base64.b64encode((CURVE_HEADER + GOOD).encode()).decode()
    upload = save_upload(rt, cluster_id=cluster_id, file_name="a.csv",
                         contents=f"data:text/csv;base64,{body}", kind="curves")
    assert upload.names[:3] == ["serial", "process", "ts"]
    assert upload.preview[0]["serial"] == "S-000000"
    assert upload.mapping["y"] == "y"
    assert template_csv("parts").startswith("serial,ts,line")


def test_ingest_is_idempotent_on_batch_id(plant: tuple[Runtime, int, str]) -> None:
    rt, cluster_id, db = plant
    rows = [{"serial": "A", "process": "press-fit", "ts": "2026-11-20T08:00:00Z", "idx": i,
             "x": i * 0.1, "y": i * 0.2} for i in range(5)]
    first, created = ingest(rt, cluster_id=cluster_id, actor=ACTOR, kind="curves",
                            batch_id="b-1", table=json_table(rows))
    again, created_again = ingest(rt, cluster_id=cluster_id, actor=ACTOR, kind="curves",
                                  batch_id="b-1", table=json_table(rows))
    assert (first.status, created, created_again, again.id) == ("done", True, False, first.id)
    assert table_count(rt, db, "curve_samples") == 5
