"""Benchmark: the engine service (ClickHouse HTTP over chDB) against in-process chDB.

Starts ``python -m lyceum engine`` on a temporary instance (as the tests do) and measures:

* round trips of one small query and of a 100 k-row Arrow read, through the service with
  clickhouse-connect (the app's key) and in-process (chDB through clickhouse-connect, as the
  app does today): medians and their ratio;
* 20 concurrent clients sending ``SELECT 1``-sized work over keep-alive connections, as the
  app (its key) and as a cluster's credential (checked, audited): queries per second, p50
  and p95, and the engine process's CPU time per statement (``/proc/<pid>/stat``);
* 1 M rows × 4 columns in Native and in JSONEachRow through the service;
* what one engine process costs (the per-cluster-process alternative): ready time, RSS and
  private memory (``/proc/<pid>/smaps_rollup``) of a fresh engine with one table, idle.

Prints the numbers and replaces the "## Engine service" section of docs/benchmarks.md.

Usage: python bench/engine.py [seconds per concurrency run=8]
"""

from __future__ import annotations

import base64
import http.client
import os
import platform
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import clickhouse_connect  # noqa: E402
from benchdoc import replace_head  # noqa: E402
from benchstats import percentile  # noqa: E402
from engines import InProcessClickHouse  # noqa: E402

from data.analytics.clickhouse import ClickHouse  # noqa: E402
from data.metadata import memberships  # noqa: E402
from data.metadata.db import Database  # noqa: E402
from data.metadata.models import DatabaseCluster  # noqa: E402
from lyceum.instance_secrets import InstanceSecrets  # noqa: E402
from lyceum.settings import load_settings  # noqa: E402
from tests.servers import EngineProcess  # noqa: E402

HEADING = "## Engine service"
CLIENTS = 20
ROWS_BIG = 1_000_000
WIDE = (f"SELECT number, toString(number) AS s, number * 1.5 AS f, toDateTime(number) AS t "
        f"FROM numbers({ROWS_BIG})")


def median_ms(run: Callable[[], object], times: int) -> float:
    """The median wall time of ``run`` over ``times`` calls, in ms (after one warm-up)."""
    run()
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def round_trips(engine: EngineProcess, local: ClickHouse) -> dict[str, float]:
    """Small query and 100 k-row Arrow read: service vs in-process."""
    client = clickhouse_connect.get_client(host="127.0.0.1", port=engine.port,
                                           username="lyceum_app", password=engine.key)
    sql_small = "SELECT count() FROM numbers(1000)"
    sql_arrow = "SELECT number, toString(number) AS s FROM numbers(100000)"
    return {
        "small_http": median_ms(lambda: client.query(sql_small), 200),
        "small_local": median_ms(lambda: local.rows(sql_small), 200),
        "arrow_http": median_ms(lambda: client.query_arrow(sql_arrow), 20),
        "arrow_local": median_ms(lambda: local.arrow(sql_arrow), 20),
    }


def concurrent(engine: EngineProcess, headers: dict[str, str], seconds: float
               ) -> dict[str, float]:
    """``CLIENTS`` threads, each on its own keep-alive connection, sending SELECT 1."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=30)
        mine: list[float] = []
        while time.perf_counter() < stop:
            started = time.perf_counter()
            conn.request("POST", "/", body=b"SELECT 1", headers=headers)
            answer = conn.getresponse()
            body = answer.read()
            mine.append((time.perf_counter() - started) * 1000)
            if answer.status != 200 or body != b"1\n":
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    cpu_before = engine_cpu_s(engine)
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = engine_cpu_s(engine) - cpu_before
    ordered = sorted(latencies)
    return {"qps": len(latencies) / elapsed, "p50": ordered[len(ordered) // 2],
            "p95": percentile(ordered, 0.95), "errors": errors[0],
            "queries": len(latencies), "cpu_ms": cpu * 1000 / max(len(latencies), 1)}


def engine_cpu_s(engine: EngineProcess) -> float:
    """The engine process's CPU time so far (user + system, every thread), in seconds."""
    assert engine.proc is not None
    fields = Path(f"/proc/{engine.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def formats(engine: EngineProcess) -> dict[str, tuple[float, int]]:
    """1 M rows × 4 columns through the service: (median ms, bytes) per format."""
    out = {}
    auth = {"X-ClickHouse-User": "lyceum_app", "X-ClickHouse-Key": engine.key}
    for fmt in ("Native", "ArrowStream", "JSONEachRow"):
        size = [0]

        def fetch(fmt: str = fmt, size: list[int] = size) -> None:
            conn = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=120)
            conn.request("POST", "/", body=f"{WIDE} FORMAT {fmt}".encode(), headers=auth)
            answer = conn.getresponse()
            total = 0
            while chunk := answer.read(1 << 20):
                total += len(chunk)
            size[0] = total
            conn.close()
        out[fmt] = (median_ms(fetch, 5), size[0])
    return out


def process_cost(folder: Path) -> dict[str, float]:
    """A fresh engine process with one table, idle: ready time, RSS and private memory."""
    engine = EngineProcess(folder / "instance")
    started = time.perf_counter()
    engine.start()
    ready = time.perf_counter() - started
    client = clickhouse_connect.get_client(host="127.0.0.1", port=engine.port,
                                           username="lyceum_app", password=engine.key)
    client.command("CREATE DATABASE probe")
    client.command("CREATE TABLE probe.t (a UInt32) ENGINE = MergeTree ORDER BY a")
    client.close()
    time.sleep(2)
    assert engine.proc is not None
    fields = {}
    for line in Path(f"/proc/{engine.proc.pid}/smaps_rollup").read_text().splitlines():
        name, _, value = line.partition(":")
        if value.strip().endswith("kB"):
            fields[name] = int(value.split()[0]) / 1024
    engine.stop()
    return {"ready_s": ready, "rss_mb": fields["Rss"],
            "private_mb": fields["Private_Clean"] + fields["Private_Dirty"],
            "shared_mb": fields["Shared_Clean"] + fields["Shared_Dirty"]}


def _cluster_headers(engine: EngineProcess) -> dict[str, str]:
    settings = load_settings(dict(engine.env))
    db = Database(settings.database_url)
    db.migrate()
    secret = secrets.token_urlsafe(24)
    with db.session() as session:
        memberships.add_cluster(session, DatabaseCluster(
            name="bench", database_name="bench", cluster_type="manufacturing",
            region_code="local", status="running", nodes=1, vcpu_per_node=4,
            memory_gb_per_node=16, storage={}, retention={}, query_limits={},
            credential_user="bench_app",
            credential_hash=InstanceSecrets(settings.token_key).hash_credential(secret),
            credential_mode="app_gateway"))
        session.commit()
    db.dispose()
    return {"Authorization": "Basic " + base64.b64encode(f"bench_app:{secret}".encode()
                                                         ).decode()}


def table(result: dict[str, object], seconds: float) -> str:
    """The markdown section."""
    today = datetime.now(UTC).date().isoformat()
    trips = result["trips"]
    app, cred = result["app"], result["credential"]
    fmts, cost = result["formats"], result["cost"]
    assert isinstance(trips, dict) and isinstance(app, dict) and isinstance(cred, dict)
    assert isinstance(fmts, dict) and isinstance(cost, dict)
    rows = "\n".join(f"| {fmt} | {ms:.0f} ms | {size / 1e6:.0f} MB |"
                     for fmt, (ms, size) in fmts.items())
    return (
        f"{HEADING}\n\n`bench/engine.py`, {today}, {platform.machine()}, Python "
        f"{platform.python_version()}, a 2-core machine shared with other work: "
        "`python -m lyceum engine` (waitress, 24 threads) on a temporary instance, "
        "clickhouse-connect 1.12 as the client.\n\n"
        "| Round trip (median) | Through the service | In-process chDB | Ratio |\n"
        "|---|---|---|---|\n"
        f"| `SELECT count() FROM numbers(1000)` | {trips['small_http']:.2f} ms | "
        f"{trips['small_local']:.2f} ms | {trips['small_http'] / trips['small_local']:.1f}× |\n"
        f"| 100 k rows × 2 columns, `query_arrow` | {trips['arrow_http']:.1f} ms | "
        f"{trips['arrow_local']:.1f} ms | {trips['arrow_http'] / trips['arrow_local']:.1f}× |"
        f"\n\n{CLIENTS} concurrent clients, `SELECT 1` on keep-alive connections, "
        f"{seconds:.0f} s each (target: ≥ 200 queries/s, p95 < 50 ms); load average "
        f"{result['load']:.1f} when it started:\n\n"
        "| Caller | Queries/s | p50 | p95 | Engine CPU per statement | Errors |\n"
        "|---|---|---|---|---|---|\n"
        f"| the app (`lyceum_app`, any SQL) | {app['qps']:.0f} | {app['p50']:.1f} ms | "
        f"{app['p95']:.1f} ms | {app['cpu_ms']:.2f} ms | {app['errors']} |\n"
        f"| a cluster's credential (allow-list plan kept 30 s, every query audited; its "
        f"bound of statements at once raised to {CLIENTS} for this run) | {cred['qps']:.0f} "
        f"| {cred['p50']:.1f} ms | {cred['p95']:.1f} ms | {cred['cpu_ms']:.2f} ms "
        f"| {cred['errors']} |\n\n"
        f"1 M rows × 4 columns (UInt64, String, Float64, DateTime) through the service, "
        "read to the end (median of 5):\n\n| Format | Time | Size |\n|---|---|---|\n"
        f"{rows}\n\n"
        "One engine process (what one process per cluster would cost each cluster): a fresh "
        "data path, one MergeTree table created, idle 2 s: ready in "
        f"{cost['ready_s']:.2f} s (process start to `/ping`), RSS {cost['rss_mb']:.0f} MB "
        f"of which {cost['private_mb']:.0f} MB private and {cost['shared_mb']:.0f} MB shared "
        "(`/proc/<pid>/smaps_rollup`). See docs/decisions/0015-engine-service.md.\n")


def main() -> int:
    """Set up, measure, print, write."""
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 8.0
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-engine-") as tmp:
        base = Path(tmp)
        result["cost"] = process_cost(base / "probe")
        engine = EngineProcess(base / "main" / "instance",
                               env={"LYCEUM_ENGINE_CLUSTER_QUERIES": str(CLIENTS)})
        credential = _cluster_headers(engine)
        engine.start()
        setup = clickhouse_connect.get_client(host="127.0.0.1", port=engine.port,
                                              username="lyceum_app", password=engine.key)
        setup.command("CREATE DATABASE bench")
        setup.command("CREATE TABLE bench.t (a UInt32) ENGINE = MergeTree ORDER BY a")
        setup.close()
        local_root = base / "local"
        local = InProcessClickHouse(local_root)
        try:
            result["trips"] = round_trips(engine, local)
            app = {"Authorization": "Basic " + base64.b64encode(
                f"lyceum_app:{engine.key}".encode()).decode()}
            result["load"] = os.getloadavg()[0]
            result["app"] = concurrent(engine, app, seconds)
            result["credential"] = concurrent(engine, credential, seconds)
            result["formats"] = formats(engine)
        finally:
            local.close()
            engine.stop()
    text = table(result, seconds)
    print(text)  # noqa: T201
    # the section's ### parts belong to bench/engine_compare.py and its notes: kept
    replace_head(HEADING, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
