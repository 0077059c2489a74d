"""Where one ingest batch's time goes: app-side stages and engine statements, per format.

Starts the engine service over a temporary instance (the app's own client talks to it over
HTTP, as the web workers do), makes one cluster, and imports one batch of ``curves`` × 1,500
press-fit samples per format (Arrow IPC stream, Parquet, CSV bodies, built as
``bench/ingest_volume.py`` builds them) through ``services.imports.upload.ingest_body``,
``RUNS`` times each. Every engine statement is timed app-side (wall time of the HTTP call)
and grouped by what it does; the app's own stages are timed by wrapping the functions that
do them (in whichever thread runs them);
CPU seconds of the app and of the engine service are read from /proc. Medians over the runs.
Writes "### Where the time goes" at the end of "## Sustained ingest" (run it after
``bench/ingest_volume.py``, which rewrites that section).

Usage: python bench/ingest_profile.py [curves=400] [runs=3]
"""

from __future__ import annotations

import functools
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from benchdoc import DOC, replace_part  # noqa: E402
from engines import engine_service  # noqa: E402
from ingest_volume import (  # noqa: E402
    HEADING,
    MARK,
    MEDIA,
    POINTS,
    template_bytes,
    template_table,
    tree_cpu_seconds,  # noqa: E402
)

from data.analytics import import_staging  # noqa: E402
from data.analytics.ch_schema import schema_statements  # noqa: E402
from data.analytics.clickhouse import ClickHouse, RecentQueries  # noqa: E402
from data.metadata.db import Database  # noqa: E402
from data.metadata.models import DatabaseCluster  # noqa: E402
from lyceum.settings import load_settings  # noqa: E402
from services.core.audit import Actor  # noqa: E402
from services.core.passwords import Passwords  # noqa: E402
from services.core.runtime import Runtime  # noqa: E402
from services.imports import budget, import_job  # noqa: E402
from services.imports.curve_ids import CurveIds  # noqa: E402
from services.imports.upload import ingest_body  # noqa: E402

PART = "### Where the time goes"
DB = "bench_ingest_profile"
#: Engine statements by what they do (first match wins).
KINDS: tuple[tuple[str, str], ...] = (
    ("insert_arrow.*_curves$", "staging insert, per-curve rows"),
    ("^insert_arrow", "staging insert, samples (Arrow)"),
    ("INSERT INTO \\S+\\.curve_features", "features of every curve (INSERT … SELECT)"),
    ("INSERT INTO \\S+\\.curves ", "curves with their ranges (INSERT … SELECT)"),
    ("GROUP BY curve_id, idx HAVING", "duplicate-sample check"),
    ("IN \\(SELECT serial, process, ts", "curves already in the cluster check"),
    ("argMin\\(", "one-unit-per-process check"),
    ("DROP COLUMN", "drop the staging row column (mutation)"),
    ("ATTACH PARTITION", "move samples in (ATTACH PARTITION)"),
    ("SELECT curve_id, count\\(\\)", "feature chunking"),
    ("^command (CREATE|DROP|ALTER TABLE \\S+ ADD)", "staging tables made and dropped"),
    ("system\\.parts|system\\.tables", "system tables"),
    ("", "catalog and other queries"),
)
#: App-side stages: (module or class, function name, label).
STAGES: tuple[tuple[object, str, str], ...] = (
    (budget, "bounded_batches", "body and file batches decoded within the budget"),
    (pq.ParquetWriter, "write_batch", "staged file written (Parquet)"),
    (import_job, "iter_source_batches", "staged file read back (incl. decoding)"),
    (import_job, "convert_batch", "rows converted and checked (Arrow compute)"),
    (CurveIds, "split", "curve ids assigned"),
    (import_staging, "insert_stage", "staging inserts (incl. the HTTP call)"),
)


class Spans:
    """Seconds spent in each wrapped function (iterators: in each step), by label."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = defaultdict(float)

    def wrap(self, owner: object, name: str, label: str) -> None:
        """Replace ``owner.name`` by a timed version of itself."""
        real = getattr(owner, name)

        def timed_iter(items: Iterator[object]) -> Iterator[object]:
            while True:
                began = time.perf_counter()
                try:
                    item = next(items)
                except StopIteration:
                    return
                finally:
                    self.seconds[label] += time.perf_counter() - began
                yield item

        @functools.wraps(real)
        def timed(*args: object, **kwargs: object) -> object:
            began = time.perf_counter()
            try:
                out = real(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - began
            return timed_iter(out) if isinstance(out, Iterator) else out

        setattr(owner, name, timed)


class Statements(RecentQueries):
    """Also sums each statement's seconds by kind (see :data:`KINDS`)."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: dict[str, float] = defaultdict(float)

    def record(self, sql: str, *, seconds: float, ok: bool, database: str | None = None) -> None:
        """Record as usual and add the time to the statement's kind."""
        super().record(sql, seconds=seconds, ok=ok, database=database)
        text = " ".join(sql.split())
        kind = ("insert_arrow " + text) if re.fullmatch(r"[\w.]+", text) else "command " + text
        for pattern, label in KINDS:
            if re.search(pattern, kind):
                self.seconds[label] += seconds
                return


def _runtime(root: Path, env: dict[str, str], ch: ClickHouse) -> tuple[Runtime, int]:
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off",
                              **{k: env[k] for k in ("LYCEUM_ENGINE_KEY", "LYCEUM_ENGINE_PORT",
                                                     "LYCEUM_ENGINE_MANAGED")}})
    db = Database(f"sqlite:///{root / 'meta.db'}")
    db.migrate()
    rt = Runtime(settings=settings, db=db, ch=ch, passwords=Passwords())
    for statement in schema_statements(DB):
        rt.ch.command(statement)
    with db.session() as session:
        row = DatabaseCluster(name="Profile", database_name=DB, cluster_type="manufacturing",
                              region_code="local", status="running")
        session.add(row)
        session.flush()
        return rt, row.id


def run(curves: int, runs: int) -> dict[str, dict[str, list[float]]]:
    """For each format: wall, app CPU, engine CPU, stage and statement seconds per run."""
    found: dict[str, dict[str, list[float]]] = {}
    table = template_table(curves, datetime.now(UTC).replace(microsecond=0))
    with tempfile.TemporaryDirectory(prefix="lyceum-ingest-profile-") as tmp:
        root = Path(tmp)
        with engine_service(root / "instance") as (ch, env):
            statements, spans = Statements(), Spans()
            ch.recent = statements
            for owner, name, label in STAGES:
                spans.wrap(owner, name, label)
            rt, cluster_id = _runtime(root, env, ch)
            try:
                for fmt in MEDIA:
                    template = template_bytes(table, fmt)
                    per: dict[str, list[float]] = defaultdict(list)
                    for n in range(runs + 1):  # the first run warms up and is not kept
                        body = template.replace(MARK.encode(), f"{fmt[0]}{n:09d}".encode())
                        statements.seconds.clear()
                        spans.seconds.clear()
                        engine0 = tree_cpu_seconds(os.getpid()) - time.process_time()
                        app0, wall0 = time.process_time(), time.perf_counter()
                        job, _ = ingest_body(rt, cluster_id=cluster_id, actor=Actor(label="b"),
                                             body=body, content_type=MEDIA[fmt],
                                             query={"batch_id": f"{fmt}-{n}",
                                                    "kind": "curves"}, json_data=None)
                        assert job.status == "done", job.message
                        if n == 0:
                            continue
                        per["wall"].append(time.perf_counter() - wall0)
                        per["app_cpu"].append(time.process_time() - app0)
                        per["engine_cpu"].append(tree_cpu_seconds(os.getpid())
                                                 - time.process_time() - engine0)
                        for label, seconds in {**statements.seconds,
                                               **spans.seconds}.items():
                            per[label].append(seconds)
                    found[fmt] = dict(per)
                    print(fmt, {k: round(statistics.median(v), 3) for k, v in per.items()})
            finally:
                rt.close()
    return found


def section(found: dict[str, dict[str, list[float]]], curves: int, runs: int) -> str:
    """The markdown of the part."""
    samples = curves * POINTS
    med = {fmt: {k: statistics.median(v) for k, v in per.items()}
           for fmt, per in found.items()}
    fmts = list(found)
    head = "| | " + " | ".join(fmts) + " |\n|---|" + "---|" * len(fmts)

    def row(label: str, value: str = "s") -> str:
        cells = []
        for fmt in fmts:
            got = med[fmt].get(label, 0.0)
            cells.append(f"{got * 1e6 / samples:.2f} µs" if value == "us"
                         else f"{got:.2f} s")
        return f"| {label} | " + " | ".join(cells) + " |"

    lines = [PART, "",
             f"`bench/ingest_profile.py`: one batch of {samples:,} samples ({curves} curves × "
             f"{POINTS:,}) through `ingest_body` against the engine service over HTTP, per body "
             f"format; medians of {runs} runs after a warm-up, "
             f"{datetime.now(UTC):%Y-%m-%d}, on the same shared 2-CPU machine (wall times "
             "include waiting for a CPU). Engine statements are timed app-side (the HTTP call);"
             " app stages are the time spent in the functions doing them, in any thread (they"
             " overlap: reading and converting run one batch ahead of the staging inserts, "
             "and reading the file back includes decoding it).", "", head,
             row("wall"), row("app_cpu"), row("engine_cpu"),
             "| CPU per sample, app + engine | " + " | ".join(
                 f"{(med[f]['app_cpu'] + med[f]['engine_cpu']) * 1e6 / samples:.2f} µs"
                 for f in fmts) + " |",
             "| **App stages** |" + " |" * len(fmts)]
    lines += [row(label) for _, _, label in STAGES]
    lines.append("| **Engine statements** |" + " |" * len(fmts))
    lines += [row(label) for _, label in KINDS]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run, print and write the part."""
    curves = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    found = run(curves, runs)
    text = section(found, curves, runs)
    print(text)
    replace_part(HEADING, PART, text)
    print(f"written to {DOC}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
