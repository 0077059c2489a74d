"""Benchmark: what the explorer, the dashboard, imports and provisioning lose over HTTP.

The app reaches chDB through the engine service's ClickHouse HTTP interface (issue 18);
before, it called chDB in its own process. Same bench, same run: two fresh instances, one
with chDB in this process (``bench/engines.InProcessClickHouse``, the old path) and one with
``python -m lyceum engine`` as a subprocess and the app's own client over HTTP
(``data.analytics.clickhouse.ClickHouse``, the path the app uses now). Each gets the full
demo loaded by
the real set-up, then the same service calls are timed on both; medians and ratios are
printed and written to the "## Engine over HTTP" section of docs/benchmarks.md.

Run with ``.venv/bin/python bench/http_cost.py``.
"""

from __future__ import annotations

import importlib
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdoc import replace_section  # noqa: E402
from engines import InProcessClickHouse, engine_service  # noqa: E402
from provisioning import deploy_once  # noqa: E402

from data.analytics import curves as curve_data  # noqa: E402
from data.analytics.clickhouse import ClickHouse  # noqa: E402
from data.analytics.curves import CurveQuery  # noqa: E402
from data.metadata import memberships  # noqa: E402
from data.metadata.db import Database  # noqa: E402
from lyceum.settings import load_settings  # noqa: E402
from services.access.accounts import create_user  # noqa: E402
from services.clusters.query_session import for_cluster  # noqa: E402
from services.core.audit import Actor  # noqa: E402
from services.core.passwords import Passwords  # noqa: E402
from services.core.runtime import Runtime  # noqa: E402
from services.explorer import curve_queries, population  # noqa: E402
from services.imports.import_job import create_job, run_import  # noqa: E402
from services.quality import dashboard  # noqa: E402
from services.quality.kpis import View  # noqa: E402
from services.startup.first_start import DEMO_DATABASE, prepare  # noqa: E402

HEADING = "## Engine over HTTP"
RUNS = 5
IMPORT_CURVES = 2_000


def timed(fn: Callable[[], object]) -> float:
    """Wall time of one call of ``fn`` in seconds."""
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def interleaved(pair: tuple[Callable[[], object], Callable[[], object]], runs: int
                ) -> tuple[float, float]:
    """Medians of ``runs`` calls of each of ``pair``, alternating (after one unmeasured call
    of each), so that a swing in the machine's load falls on both alike."""
    for fn in pair:
        fn()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for side, fn in enumerate(pair):
            times[side].append(timed(fn))
    return statistics.median(times[0]), statistics.median(times[1])


@contextmanager
def instance(root: Path, ch: ClickHouse) -> Iterator[Runtime]:
    """A runtime over ``root`` with ``ch``: migrated, admin, the full demo loaded."""
    settings = load_settings({"LYCEUM_INSTANCE": str(root), "LYCEUM_DEMO": "full"})
    runtime = Runtime(settings=settings, db=Database(f"sqlite:///{root / 'meta.db'}"), ch=ch,
                      passwords=Passwords(time_cost=1, memory_kib=8192, parallelism=1))
    try:
        yield runtime
    finally:
        runtime.leases.stop()
        runtime.pools.shutdown()
        runtime.db.dispose()


def _demo_id(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        found = memberships.get_cluster_by_database(session, DEMO_DATABASE)
        assert found is not None
        return int(found.id)


def _explorer_load(runtime: Runtime, cluster_id: int) -> None:
    """Hold the demo's first process from scratch (the explorer's first open)."""
    runtime.caches.clear()
    session = for_cluster(runtime, cluster_id)
    name = curve_data.processes(session)[0]
    assert population.get(session, name, wait=True) is not None


def _explorer_engine_view(runtime: Runtime, cluster_id: int) -> None:
    """The whole view drawn by ClickHouse (sample bins, 800×470: while a process loads or
    when it is too big to hold)."""
    session = for_cluster(runtime, cluster_id)
    name = curve_data.processes(session)[0]
    curve_queries.density(session, CurveQuery(process=name), color_by="result", x_range=None,
                          y_range=None, width=800, height=470, use_memory=False)


def _import_file(root: Path) -> Path:
    """A Parquet file of ``IMPORT_CURVES`` press-fit curves of 1,000 points."""
    module: Any = importlib.import_module("import")
    module.CURVES = IMPORT_CURVES
    table: pa.Table = module.points_table()
    path = root / "points.parquet"
    pq.write_table(table, path, row_group_size=1_000_000)
    return path


def _import_once(runtime: Runtime, cluster_id: int, source: Path) -> None:
    path = source.with_name("job.parquet")
    os.link(source, path)
    job = create_job(runtime, cluster_id=cluster_id, actor=Actor(label="bench"),
                     file_name="points.parquet", kind="curves", fmt="parquet", path=path)
    done = run_import(runtime, job.id)
    assert done.status == "done", done.message
    with runtime.db.session() as session:
        database = memberships.get_cluster(session, cluster_id)
        assert database is not None
        name = database.database_name
    for table in ("curves", "curve_samples"):
        runtime.ch.command(f"DELETE FROM {name}.{table} WHERE startsWith(serial, 'B-')"
                           if table == "curves" else
                           f"DELETE FROM {name}.{table} WHERE curve_id IN (SELECT curve_id "
                           f"FROM {name}.curves WHERE startsWith(serial, 'B-'))")


def operations(runtime: Runtime, source: Path) -> dict[str, tuple[Callable[[], object], int]]:
    """What is timed on one runtime (already set up): name -> (call, runs)."""
    cluster_id = _demo_id(runtime)
    user = create_user(runtime.db, runtime.passwords, email="bench@example.com",
                       password="correct horse battery")
    actor = Actor(user_id=user.id, label="bench@example.com")
    deploys = iter(range(100))
    return {
        "Dashboard, full refresh uncached (24h)": (partial(
            dashboard.full_refresh, runtime, View(cluster_id, "24h"), uncached=True), RUNS),
        "Dashboard, full refresh uncached (7d)": (partial(
            dashboard.full_refresh, runtime, View(cluster_id, "7d"), uncached=True), RUNS),
        "Explorer, first open (hold the process's curves)": (
            partial(_explorer_load, runtime, cluster_id), 3),
        "Explorer, whole view drawn by ClickHouse (800×470)": (
            partial(_explorer_engine_view, runtime, cluster_id), RUNS),
        f"Import, {IMPORT_CURVES:,} curves × 1,000 points (Parquet)": (
            partial(_import_once, runtime, cluster_id, source), 3),
        "Provisioning, one empty cluster begin to running": (
            lambda: deploy_once(runtime, actor, f"Bench line {next(deploys)}"), RUNS),
        "One `SELECT 1` round trip": (lambda: runtime.ch.scalar("SELECT 1"), 200),
    }


def run() -> tuple[dict[str, float], dict[str, float]]:
    """(in-process, HTTP) timings in this run: both instances set up, then every operation
    on one and the other in turn."""
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-http-") as tmp:
        root = Path(tmp)
        source = _import_file(root)
        local = InProcessClickHouse(root / "local" / "clickhouse")
        try:
            with engine_service(root / "http", env={"LYCEUM_DEMO": "full"}) as (ch, _env), \
                    instance(root / "local", local) as before_rt, \
                    instance(root / "http", ch) as after_rt:
                name = "Set-up with the full demo load"
                before, after = {name: timed(partial(prepare, before_rt))}, \
                    {name: timed(partial(prepare, after_rt))}
                local_ops, http_ops = operations(before_rt, source), operations(after_rt, source)
                for name, (call, runs) in local_ops.items():
                    before[name], after[name] = interleaved((call, http_ops[name][0]), runs)
                    print(f"{name}: {before[name]:.4f} s / {after[name]:.4f} s", flush=True)
        finally:
            local.close()
    return before, after


def section(before: dict[str, float], after: dict[str, float]) -> str:
    """The markdown section for this run."""
    rows = "\n".join(
        f"| {name} | {_fmt(before[name])} | {_fmt(after[name])} | "
        f"{after[name] / before[name]:.2f}× |" for name in before)
    return (
        f"{HEADING}\n\n"
        "`bench/http_cost.py`: the same service calls on two fresh instances in one run, one "
        "with chDB in the calling process (how the app ran before issue 18) and one through "
        "the engine service's ClickHouse HTTP interface with the app's own client "
        "(clickhouse-connect, keep-alive pool, Native and Arrow formats, no compression on "
        "loopback), which is how every web process reaches it now. Full demo; both instances "
        "are set up first, then each operation runs on one and the other in turn (medians of "
        f"{RUNS} runs, 3 for the explorer's first open and the import, 200 round trips), so a "
        "swing in the machine's load falls on both alike; "
        f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs shared with other work "
        f"({platform.machine()}, Python {platform.python_version()}).\n\n"
        "| Operation | In-process chDB | HTTP (engine service) | HTTP / in-process |\n"
        f"|---|---|---|---|\n{rows}\n"
    )


def _fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def main() -> None:
    """Run, print and record."""
    before, after = run()
    text = section(before, after)
    print(text)
    replace_section(HEADING, text)


if __name__ == "__main__":
    main()
