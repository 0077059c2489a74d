"""Benchmark: the explorer's whole view and zoom at a plant's volume, from stored density
partials (issue 17 items 1-2).

Run with ``.venv/bin/python bench/million.py [--quick] [curves ...]`` (default: 100000
1000000; ``--quick``: see :func:`build_by_copy`; ``--ranking``: only the outlier ranking
after a draw, :func:`measure_ranking`, kept as kind ``ranking``). For
each count it starts the engine service over a temporary instance (the app's way, over
HTTP), generates that many curves of 1,500 points straight into a cluster database with
``INSERT … SELECT FROM numbers()`` (30 days × 2 lines × 4 stations × 2 products × 3
results = 1,440 stored groups; one curve in 1,000 has a one-sample spike), builds the
partials (the backfill), and prints medians of ``RUNS`` runs of:

- whole-view first draw and a zoom to 1/10 of the x range from the partials (server time:
  ``curve_queries.density``, 800 × 470, ClickHouse sum + resampling), and a filtered view;
- the same from today's ClickHouse fallback (sample bins), ``FALLBACK_RUNS`` runs, up to
  ``FALLBACK_MAX`` curves (it scans every sample: 24.5 s a whole view at 100,000 curves, so
  minutes at 1,000,000; ``--fallback`` runs it once above that size);
- today's in-memory kernel on the same curves (generated in numpy, counts up to
  ``KERNEL_MAX``: beyond it they would not fit this machine's memory);
- datashader's line aggregation of the same curves (``Canvas.line(axis=1)``, up to
  ``KERNEL_MAX``) in the bench's own virtual environment ``.venv-bench`` at the repository
  root (``LYCEUM_BENCH_VENV`` overrides; created with ``pip install datashader pandas``
  when missing; never the app's);
- the web process's memory added by the stored draws, and the partials' compressed size
  against the raw samples', per table and pyramid level and per column (:func:`breakdown`).

Each size's results are kept in ``docs/benchmarks-million.json`` (kind ``server``; a run of
one size replaces that size's row only), and the "## Explorer at a million curves" section
of docs/benchmarks.md is rendered from all of them, each row saying which run it came from;
the section's ``### `` parts (notes, ``bench/million_browser.py``'s Chromium times) are
kept.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_runs import keep, rows, runs_file, stamp  # noqa: E402
from benchdoc import put_part, replace_head  # noqa: E402
from engines import engine_service  # noqa: E402

HEADING = "## Explorer at a million curves"
RANKING_PART = "### The outlier ranking after a draw (`bench/million.py --ranking`)"
RUNS, FALLBACK_RUNS = 5, 3
#: Above this many curves the ClickHouse fallback is not timed unless asked (``--fallback``:
#: one run).
FALLBACK_MAX = 200_000
RESULTS = runs_file("million")
POINTS = 1500
KERNEL_MAX = 100_000
BLOCK = 100_000  # curves per INSERT
WIDTH, HEIGHT = 800, 470
PROCESS = "press-fit"
DAYS = 30
#: Settings of the bench's copies of one day's partials (each copy is meant).
COPY = {"insert_deduplicate": 0}
VENV = Path(os.environ.get("LYCEUM_BENCH_VENV", ROOT / ".venv-bench"))
#: The curve shape, in SQL and numpy alike (c: curve number, i: sample index).
X_SQL = "(number % 1500) / 125.0"
Y_SQL = ("20 / (1 + exp(-((number % 1500) / 125.0 - 4 - (intDiv(number, 1500) % 13) / 20) * 2))"
         " + (intDiv(number, 1500) % 97) / 40.0"
         " + if(intDiv(number, 1500) % 1000 = 7 AND number % 1500 = 700, 15, 0)")


def median(values: list[float]) -> float:
    """The median."""
    return float(statistics.median(values))


def numpy_curves(n: int) -> tuple[np.ndarray, np.ndarray]:
    """The same curves as the SQL: x (POINTS,) and y (n, POINTS), float32."""
    i = np.arange(POINTS, dtype=np.float64)
    x = i / 125.0
    c = np.arange(n, dtype=np.float64)[:, None]
    y = 20 / (1 + np.exp(-(x - 4 - (c % 13) / 20) * 2)) + (c % 97) / 40.0
    y[(np.arange(n) % 1000) == 7, 700] += 15
    return x.astype(np.float32), y.astype(np.float32)


def generate(ch: Any, db: str, n: int, *, ids: tuple[int, int] | None = None) -> float:
    """Insert curves (numbers ``ids`` = [first, end) of ``n``, default all) and their
    samples; seconds taken."""
    began = time.perf_counter()
    start, end = ids or (0, n)
    group = ("'L' || toString(c % 2 + 1) AS line, 'OP' || toString((intDiv(c, 2) % 4 + 1) * 10)"
             " AS station, 'P' || toString(intDiv(c, 8) % 2 + 1) AS product")
    ts = (f"toDateTime64('2026-10-01 00:00:00', 3, 'UTC') "
          f"+ toIntervalSecond(intDiv(c * 2592000, {n}))")  # 30 days, in id order
    ch.command(
        f"INSERT INTO {db}.curves (curve_id, part_id, serial, ts, process, line, station, "
        f"product, batch, result, x_name, x_unit, y_name, y_unit, n_points, x_min, x_max, "
        f"y_min, y_max) SELECT c + 1, c + 1, 'SN-' || toString(c), {ts}, {{p:String}}, "
        f"line, station, product, 'B' || toString(intDiv(c, 500)), "
        f"multiIf(c % 50 = 0, 'NOK', c % 50 = 1, 'WARNING', 'OK'), 'stroke', 'mm', 'force', "
        f"'kN', {POINTS}, 0, {(POINTS - 1) / 125.0}, 0, 40 "
        f"FROM (SELECT number AS c, {group} FROM numbers({{a:UInt64}}, {{m:UInt64}}))",
        parameters={"p": PROCESS, "a": start, "m": end - start})
    for first in range(start, end, BLOCK):
        count = min(BLOCK, end - first)
        ch.command(
            f"INSERT INTO {db}.curve_samples SELECT intDiv(number, {POINTS}) + 1 AS cid, "
            f"toDateTime64('2026-10-01 00:00:00', 3, 'UTC') + toIntervalSecond("
            f"intDiv(intDiv(number, {POINTS}) * 2592000, {n})), {{p:String}}, "
            f"number % {POINTS}, {X_SQL}, {Y_SQL} "
            f"FROM numbers({{a:UInt64}}, {{m:UInt64}})",
            parameters={"p": PROCESS, "a": first * POINTS, "m": count * POINTS},
            settings={"max_partitions_per_insert_block": 1000})
    ch.command(f"OPTIMIZE TABLE {db}.curves FINAL")
    return time.perf_counter() - began


def build_by_copy(ch: Any, db: str, n: int) -> dict[str, Any]:
    """The quick build: the first day's curves generated and their partials built by the
    kernel (``partials.catch_up``), then copied to the other days (the curves repeat their
    shapes every day, so each day's cells are the same), and the other curves generated and
    marked built. Read times are those of a full build; its time is not measured."""
    from data.analytics import density_partials as stored
    from services.clusters.query_session import ClusterSession
    from services.core.cache import ProcessCaches
    from services.explorer import partials

    session = ClusterSession(ch=ch, database=db, limits={}, caches=ProcessCaches())
    day = -(-n // DAYS)
    out: dict[str, Any] = {"generate_s": generate(ch, db, n, ids=(0, day))}
    began = time.perf_counter()
    built = partials.catch_up(session, PROCESS)
    out["build_day_s"] = time.perf_counter() - began
    grid = partials.ready_grid(session, PROCESS)
    assert grid is not None
    # The levels stored per month only: the other days' weights (all in the same month).
    ch.command(f"INSERT INTO {db}.density_months SELECT process, grid, level, month, line, "
               f"station, product, result, xb, yb, w * {DAYS - 1} FROM {db}.density_months "
               f"WHERE level >= {grid.day_levels}", settings=COPY)
    for shift in range(1, DAYS):  # a day per statement: within the engine's request timeout
        ch.command(
            f"INSERT INTO {db}.density_partials SELECT process, grid, level, day + {shift}, "
            f"line, station, product, result, xb, yb, w FROM {db}.density_partials "
            f"WHERE day = toDate('2026-10-01')", settings=COPY)
    out["generate_s"] += generate(ch, db, n, ids=(day, n))
    stored.save_grid(session, replace(grid, built_upto=n, curves=n))
    out["cells"] = built.cells * DAYS
    return out


def timed(function: Any, runs: int) -> tuple[float, Any]:
    """Median seconds of ``runs`` calls and the last result."""
    times, found = [], None
    for _ in range(runs):
        began = time.perf_counter()
        found = function()
        times.append(time.perf_counter() - began)
    return median(times), found


def rss_mb() -> float:
    """This process's current resident memory (MB)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def server_times(ch: Any, db: str, n: int, *, quick: bool = False,
                 fallback_runs: int = FALLBACK_RUNS) -> dict[str, Any]:
    """Build the partials (``quick``: already built by :func:`build_by_copy`) and time the
    views: from the month rollup, from the day partials only (the path before it), and
    from today's ClickHouse fallback (``fallback_runs`` runs; 0: not timed, ``None``)."""
    from data.analytics import curves as curve_data
    from data.analytics import density_partials as stored
    from data.analytics.curves import CurveQuery
    from services.clusters.query_session import ClusterSession
    from services.core.cache import ProcessCaches
    from services.explorer import curve_queries as explorer
    from services.explorer import density_kernel, partials

    density_kernel.warm_up()
    session = ClusterSession(ch=ch, database=db, limits={}, caches=ProcessCaches())
    out: dict[str, Any] = {}
    if not quick:
        began = time.perf_counter()
        built = partials.catch_up(session, PROCESS)
        out["build_s"], out["cells"] = time.perf_counter() - began, built.cells
    for table in ("density_months",) if quick else ("density_partials", "density_months"):
        ch.command(f"OPTIMIZE TABLE {db}.{table} FINAL")  # quick: a day is one insert
    query = CurveQuery(process=PROCESS)
    info = curve_data.summary(session, query)
    (x0, x1), yr = info["x"], info["y"]
    zoom = (x0 + 0.45 * (x1 - x0), x0 + 0.55 * (x1 - x0))
    filtered = CurveQuery(process=PROCESS, lines=("L1",), results=("OK", "NOK"))

    def view(q: CurveQuery, xr: Any, stored_: bool) -> Any:
        return explorer.density(session, q, color_by="result", x_range=xr,
                                y_range=yr if xr else None, width=WIDTH, height=HEIGHT,
                                use_memory=False, use_stored=stored_)
    before = rss_mb()
    out["stored_whole"], dens = timed(lambda: view(query, None, True), RUNS)
    out["stored_whole_cells"], out["stored_whole_coarse"] = dens.stored_cells, dens.coarse
    out["stored_zoom"], dens = timed(lambda: view(query, zoom, True), RUNS)
    out["stored_zoom_cells"], out["stored_zoom_coarse"] = dens.stored_cells, dens.coarse
    out["stored_filtered"], _ = timed(lambda: view(filtered, None, True), RUNS)
    out["rss_added_mb"] = rss_mb() - before
    grid = partials.ready_grid(session, PROCESS)
    assert grid is not None
    stored.save_grid(session, replace(grid, months=False))  # the day partials only
    out["days_whole"], _ = timed(lambda: view(query, None, True), RUNS)
    out["days_zoom"], _ = timed(lambda: view(query, zoom, True), RUNS)
    stored.save_grid(session, grid)
    out["rows_days"], out["rows_months"] = (int(ch.scalar(
        f"SELECT count() FROM {db}.{table} WHERE level = 0")) for table in
        ("density_partials", "density_months"))
    out["fallback_runs"] = fallback_runs
    out["fallback_whole"], out["fallback_zoom"] = None, None
    if fallback_runs:
        out["fallback_whole"], _ = timed(lambda: view(query, None, False), fallback_runs)
        out["fallback_zoom"], _ = timed(lambda: view(query, zoom, False), fallback_runs)
    sizes = stored.sizes(session)
    out["partials_bytes"], out["partials_rows"] = sizes.get("density_partials", (0, 0))
    out["months_bytes"], out["months_rows"] = sizes.get("density_months", (0, 0))
    out["members_bytes"], _ = sizes.get("density_members", (0, 0))
    out["samples_bytes"], out["samples_rows"] = sizes.get("curve_samples", (0, 0))
    out["zoom_range"] = zoom
    out["breakdown"] = breakdown(ch, db)
    return out


def breakdown(ch: Any, db: str) -> dict[str, Any]:
    """Where the partials' bytes go: per table and level, rows and compressed bytes (each
    level copied alone into a scratch table of the same layout and merged), and per
    column (``system.parts_columns``, every level)."""
    out: dict[str, Any] = {"levels": [], "columns": []}
    for table in ("density_partials", "density_months"):
        ch.command(f"OPTIMIZE TABLE {db}.{table} FINAL")
        levels = [int(r[0]) for r in ch.rows(
            f"SELECT DISTINCT level FROM {db}.{table} ORDER BY level")]
        for level in levels:
            ch.command(f"DROP TABLE IF EXISTS {db}.bench_scratch")
            ch.command(f"CREATE TABLE {db}.bench_scratch AS {db}.{table}")
            ch.command(f"INSERT INTO {db}.bench_scratch SELECT * FROM {db}.{table} "
                       f"WHERE level = {level}",
                       settings={"max_partitions_per_insert_block": 1000})
            ch.command(f"OPTIMIZE TABLE {db}.bench_scratch FINAL")
            size, rows = ch.rows(
                "SELECT sum(data_compressed_bytes), sum(rows) FROM system.parts WHERE "
                "database = {db:String} AND table = 'bench_scratch' AND active",
                parameters={"db": db})[0]
            out["levels"].append((table, level, int(rows), int(size)))
            ch.command(f"DROP TABLE {db}.bench_scratch")
        out["columns"] += [(table, str(r[0]), int(r[1])) for r in ch.rows(
            "SELECT column, sum(column_data_compressed_bytes) FROM system.parts_columns "
            "WHERE database = {db:String} AND table = {t:String} AND active GROUP BY column "
            "ORDER BY 2 DESC", parameters={"db": db, "t": table})]
    return out


def kernel_times(n: int) -> dict[str, float]:
    """Today's in-memory kernel on the same curves (whole view and the 1/10 zoom)."""
    from services.explorer import density_kernel as kernel

    x, y = numpy_curves(n)
    xs = np.tile(x, n)
    ys = y.reshape(-1)
    starts = np.arange(0, (n + 1) * POINTS, POINTS, dtype=np.int64)
    bounds = np.stack([np.zeros(n), np.full(n, x[-1]), y.min(axis=1), y.max(axis=1)],
                      axis=1).astype(np.float32)
    group = (np.arange(n) % 3).astype(np.int16)
    ordered = np.ones(n, dtype=np.bool_)
    out = {}
    for name, (x0, x1) in (("whole", (-0.24, 12.23)), ("zoom", (5.4, 6.6))):
        view = np.array([x0, WIDTH / (x1 - x0), -0.8, HEIGHT / 42.0])
        out[name], _ = timed(lambda v=view: kernel.rasterise(
            xs, ys, starts, group, ordered, bounds, v, 3, WIDTH, HEIGHT, kernel.threads()),
            RUNS)
    return out


DATASHADER = r"""
import json, sys, time, statistics
import numpy as np, pandas as pd, datashader as ds
n, points = int(sys.argv[1]), int(sys.argv[2])
i = np.arange(points, dtype=np.float64); x = i / 125.0
c = np.arange(n, dtype=np.float64)[:, None]
y = (20 / (1 + np.exp(-(x - 4 - (c % 13) / 20) * 2)) + (c % 97) / 40.0).astype(np.float32)
y[(np.arange(n) % 1000) == 7, 700] += 15
df = pd.DataFrame(y, columns=[f"y{k}" for k in range(points)])
cols = list(df.columns)
out = {}
for name, xr in (("whole", (-0.24, 12.23)), ("zoom", (5.4, 6.6))):
    cvs = ds.Canvas(plot_width=800, plot_height=470, x_range=xr, y_range=(-0.8, 41.2))
    times = []
    for _ in range(int(sys.argv[3])):
        t = time.perf_counter(); cvs.line(df, x=x, y=cols, axis=1, agg=ds.count())
        times.append(time.perf_counter() - t)
    out[name] = statistics.median(times)
print(json.dumps(out))
"""


def datashader_times(n: int) -> dict[str, float] | None:
    """datashader's line aggregation of the same curves, in the bench's own venv."""
    python = VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "datashader", "pandas"],
                       check=True)
    found = subprocess.run([str(python), "-c", DATASHADER, str(n), str(POINTS), str(RUNS)],
                           capture_output=True, text=True, check=False)
    if found.returncode != 0:
        print(found.stderr[-2000:], file=sys.stderr)  # noqa: T201
        return None
    return dict(json.loads(found.stdout.strip().splitlines()[-1]))


def ranking_times(ch: Any, db: str, n: int, *, runs: int = RUNS) -> dict[str, Any]:
    """The outlier ranking after a draw (issue 17): the bounded read of the profiles
    (``outlier_profiles.ranked_profiles``, fresh caches each run), the golden curve and the
    ranking of what was read, medians of ``runs``; the unbounded read of every profile once
    (what the ranking read before); and how many of the read spike curves (one in 1,000)
    the ranking puts first."""
    from data.analytics.curves import CurveQuery
    from services.clusters.query_session import ClusterSession
    from services.core.cache import ProcessCaches
    from services.explorer import curve_queries as explorer
    from services.explorer import golden, outlier_profiles, outliers, population

    def session() -> ClusterSession:
        caches = ProcessCaches()
        population.set_budget(caches, 0)  # too big to hold, as at 100,000 curves
        return ClusterSession(ch=ch, database=db, limits={}, caches=caches)

    query = CurveQuery(process=PROCESS)
    out: dict[str, Any] = {"read": [], "golden": [], "rank": [], "n_read": [], "bound": ""}
    found: Any = None
    for _ in range(runs):
        began = time.perf_counter()
        read = outlier_profiles.ranked_profiles(session(), query)
        out["read"].append(time.perf_counter() - began)
        began = time.perf_counter()
        gold = golden.build(read.profiles)
        out["golden"].append(time.perf_counter() - began)
        began = time.perf_counter()
        found = outliers.rank(read.profiles, gold)
        out["rank"].append(time.perf_counter() - began)
        out["n_read"].append(read.n_read)
        out["bound"], out["words"] = read.bound, read.words()
    spikes = np.flatnonzero(read.profiles.curve_ids % 1000 == 8)  # c % 1000 == 7, id c + 1
    out["spikes_read"] = int(len(spikes))
    out["spikes_first"] = int(np.isin(found.curve_ids[:len(spikes)],
                                      read.profiles.curve_ids[spikes]).sum())
    for key in ("read", "golden", "rank", "n_read"):
        out[key] = median(out[key])
    began = time.perf_counter()
    full = explorer.profiles(session(), query)
    out["unbounded_read"], out["unbounded_curves"] = time.perf_counter() - began, len(
        full.curve_ids)
    return out


def fallback_runs(n: int, *, asked: bool = False) -> int:
    """How often the ClickHouse fallback is timed at ``n`` curves (0: not at all)."""
    return FALLBACK_RUNS if n <= FALLBACK_MAX else (1 if asked else 0)


def measure(n: int, *, quick: bool = False, fallback: bool = False) -> dict[str, Any]:
    """Everything for ``n`` curves, on a fresh engine service (``quick``: partials built by
    :func:`build_by_copy`, no in-memory kernel or datashader; ``fallback``: time the
    ClickHouse fallback above ``FALLBACK_MAX`` too, once)."""
    from data.analytics.ch_schema import schema_statements

    out: dict[str, Any] = {"n": n, "bench": "bench/million.py"}
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-million-") as tmp, \
            engine_service(Path(tmp) / "instance") as (ch, _env):
        db = f"million_{n}"
        for statement in schema_statements(db, tiered=False, with_ttl=False):
            ch.command(statement)
        out |= build_by_copy(ch, db, n) if quick else {"generate_s": generate(ch, db, n)}
        print(f"{n:,} curves generated in {out['generate_s']:.0f} s", flush=True)  # noqa: T201
        out |= server_times(ch, db, n, quick=quick,
                            fallback_runs=fallback_runs(n, asked=fallback))
        print(json.dumps(out, default=str), flush=True)  # noqa: T201
    out["quick"] = quick
    if n <= KERNEL_MAX and not quick:
        out["kernel"] = kernel_times(n)
        out["datashader"] = datashader_times(n)
    return out


def measure_ranking(n: int) -> dict[str, Any]:
    """The outlier ranking at ``n`` curves (:func:`ranking_times`) on a fresh engine
    service over freshly generated curves (no partials: the ranking does not read them)."""
    from data.analytics.ch_schema import schema_statements
    from services.explorer import density_kernel, outlier_kernel

    density_kernel.warm_up()
    outlier_kernel.warm_up()
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-ranking-") as tmp, \
            engine_service(Path(tmp) / "instance") as (ch, _env):
        db = f"million_{n}"
        for statement in schema_statements(db, tiered=False, with_ttl=False):
            ch.command(statement)
        out: dict[str, Any] = {"n": n, "generate_s": generate(ch, db, n)}
        return out | ranking_times(ch, db, n)


def ms(seconds: float | None) -> str:
    """Milliseconds for a table cell ("not timed" for ``None``)."""
    return "not timed" if seconds is None else f"{seconds * 1000:,.0f} ms"


def mb(size: float) -> str:
    """Megabytes for a table cell."""
    return f"{size / 2**20:,.1f} MB"


def row(r: dict[str, Any]) -> str:
    """One size's table row (the run it came from in the last cell)."""
    members = r.get("members_bytes", 0)  # runs before the grids recorded their curves: none
    share = (r["partials_bytes"] + r["months_bytes"] + members) / max(r["samples_bytes"], 1)
    zoom_note = " (coarser: refined)" if r["stored_zoom_coarse"] else ""
    fallback = (f"{ms(r['fallback_whole'])} / {ms(r['fallback_zoom'])}"
                if r.get("fallback_whole") is not None
                else f"not timed (> {FALLBACK_MAX:,} curves)")
    load = r.get("load")
    run = (f"{r['run']}, load {load[0]}–{load[1]}" if load else r.get("run", "?")) + (
        f", {r['bench']}" if r.get("bench", "bench/million.py") != "bench/million.py" else "")
    return (f"| {r['n']:,} | {ms(r['stored_whole'])} / {ms(r['days_whole'])} | "
            f"{ms(r['stored_zoom'])} / {ms(r['days_zoom'])}{zoom_note} | "
            f"{ms(r['stored_filtered'])} | {fallback} | "
            f"{r['rows_months']:,} / {r['rows_days']:,} | "
            f"{mb(r['partials_bytes'])} + {mb(r['months_bytes'])}"
            f"{f' + {mb(members)}' if members else ''} / {mb(r['samples_bytes'])} "
            f"({share:.1%}) | {run} |")


def section(results: list[dict[str, Any]]) -> str:
    """The section's measured part (before its ``### `` parts) for the kept rows."""
    quick = any(r.get("quick") for r in results)
    lines = [HEADING, "",
             f"`bench/million.py{' --quick' if quick else ''}`: each row is one run on the "
             "shared 2-core machine (other agents and CI at work: noisy; each row names its "
             "run and the load average at its start and end), rendered from "
             f"`docs/{RESULTS.name}`; medians of {RUNS} (fallback {FALLBACK_RUNS}); server "
             f"time of `curve_queries.density` at {WIDTH} × {HEIGHT} over HTTP to the engine "
             f"service; curves of {POINTS:,} points over {DAYS} days in {DAYS * 48:,} stored "
             f"groups ({DAYS} days × 48). The ClickHouse fallback scans every sample of the "
             f"view: above {FALLBACK_MAX:,} curves it is not timed unless asked "
             "(`--fallback`, one run).", ""]
    if quick:
        lines += ["Quick build (`--quick`): the first day's curves are generated and their "
                  "partials built by the kernel (`partials.catch_up`), then copied to the "
                  "other days (the bench's curves repeat their shapes every day, so each "
                  "day's cells are the same as a full build's); the rest of the curves are "
                  "generated and marked built. Read times and the day partials' size are "
                  "those of a full build; the month rollup's rows and size are a lower bound "
                  "(identical days add no cells to a month's union); the full backfill's "
                  "time is not measured in this mode.", ""]
    lines += ["| curves | whole view: months / days only | zoom 1/10: months / days only | "
              "filtered (months) | whole / zoom, ClickHouse fallback | "
              "level-0 rows summed: months / days | "
              "partials on disk (days + months [+ curve ids]) / samples | run |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [row(r) for r in results]
    full = [r for r in results if r.get("kernel")]
    if full:
        lines += ["", "In-memory kernel and datashader on the same curves (whole / zoom), and "
                  "the backfill: " + " · ".join(
                      f"{r['n']:,}: kernel {ms(r['kernel']['whole'])} / "
                      f"{ms(r['kernel']['zoom'])}, datashader "
                      + (f"{ms(r['datashader']['whole'])} / {ms(r['datashader']['zoom'])}"
                         if r.get("datashader") else "not measured")
                      + f", backfill {r['build_s']:,.0f} s" for r in full)]
    for r in results:
        lines += ["", f"Where the partials' bytes go at {r['n']:,} curves (each level "
                  "copied alone and merged): " + " · ".join(
                      f"{table.removeprefix('density_')} level {level}: {rows_:,} rows, "
                      f"{mb(size)}" for table, level, rows_, size in r["breakdown"]["levels"])
                  + "; per column (all levels): " + " · ".join(
                      f"{table.removeprefix('density_')}.{column} {mb(size)}"
                      for table, column, size in r["breakdown"]["columns"] if size >= 2**16)
                  + " (columns under 64 KB left out)."]
    timed_ = [r for r in results if r.get("fallback_whole") is not None]
    lines += ["", "Ratios (fallback ÷ stored, whole view): " + (" · ".join(
        f"{r['n']:,}: {r['fallback_whole'] / r['stored_whole']:.0f}×" for r in timed_)
        or "none timed") + "; (days only ÷ months): " + " · ".join(
        f"{r['n']:,}: {r['days_whole'] / r['stored_whole']:.1f}×" for r in results),
        "", "Web process memory added by the stored draws: " + " · ".join(
            f"{r['n']:,}: {r['rss_added_mb']:.0f} MB" for r in results)
        + " (the partials live in ClickHouse; nothing per curve is held).", "",
        "Stored cells across the view (columns × rows; the screen is "
        f"{WIDTH} × {HEIGHT}): whole " + " · ".join(
            f"{r['n']:,}: {r['stored_whole_cells']}" for r in results)
        + "; zoom " + " · ".join(f"{r['n']:,}: {r['stored_zoom_cells']}" for r in results)
        + ". A zoom coarser than the screen is said under the chart and refined from the "
        "samples by itself.", ""]
    return "\n".join(lines)


def ranking_part(results: list[dict[str, Any]]) -> str:
    """The ``RANKING_PART`` of the section for the kept ``ranking`` rows."""
    from services.explorer import outlier_profiles as bounds

    lines = [RANKING_PART, "",
             "What the explorer's outlier ranking reads and ranks after a draw of a process "
             "too big to hold (`outlier_profiles.ranked_profiles`, fresh caches each run; "
             f"medians of {RUNS}), on the same generated curves, over HTTP to the engine "
             f"service: bounds {bounds.MAX_CURVES:,} curves and {bounds.READ_S:g} s of "
             f"reading, in blocks of {bounds.BLOCK} consecutive curves spread evenly over "
             "the filtered ones. Beside it, the read of every curve's profile (what the "
             "ranking read before, one run). *Spikes first*: of the curves with a one-sample "
             "spike (one in 1,000) among those read, how many the ranking puts first.", "",
             "| curves | profiles read | read | golden curve | rank | spikes first | "
             "every profile read | what the page said (last run) | run |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        load = r.get("load") or ["?", "?"]
        lines.append(
            f"| {r['n']:,} | {int(r['n_read']):,} ({r['bound'] or 'all'}) | {ms(r['read'])} | "
            f"{ms(r['golden'])} | {ms(r['rank'])} | {r['spikes_first']} of "
            f"{r['spikes_read']} | {r['unbounded_read']:,.1f} s | “Ranked {r['words']}” | "
            f"{r['run']}, load {load[0]}–{load[1]} |")
    return "\n".join(lines) + "\n"


def write_section() -> str:
    """Render the section from every kept row, keep its ``### `` parts, write it; the
    measured part."""
    text = section(rows(RESULTS, "server"))
    replace_head(HEADING, text)
    return text


def main() -> None:
    """Run the counts given (default 100,000 and 1,000,000), keep each size's results and
    write the section from all kept ones."""
    flags = {"--quick", "--fallback", "--ranking"}
    quick, fallback = "--quick" in sys.argv[1:], "--fallback" in sys.argv[1:]
    counts = [int(a) for a in sys.argv[1:] if a not in flags] or [100_000, 1_000_000]
    if "--ranking" in sys.argv[1:]:
        for n in counts:
            start = os.getloadavg()[0]
            found = stamp(measure_ranking(n), load_at_start=start)
            keep(RESULTS, "ranking", found)
            print(json.dumps(found, default=str))  # noqa: T201
        put_part(HEADING, RANKING_PART, ranking_part(rows(RESULTS, "ranking")))
        return
    for n in counts:
        start = os.getloadavg()[0]
        keep(RESULTS, "server", stamp(measure(n, quick=quick, fallback=fallback),
                                      load_at_start=start))
    print(write_section())  # noqa: T201


if __name__ == "__main__":
    main()
