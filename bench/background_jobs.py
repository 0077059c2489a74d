"""Benchmark: round trip of the dashboard's SPC background callback, threads vs Celery.

Sets up a temporary instance as ``make run`` does with ``LYCEUM_DEMO=small``, starts a real
redis-server, and times the SPC panel's job as the browser drives it (POST to queue it, then
polls every 5 ms until its result arrives) through the Flask test client: with the default
manager (threads of the app process, results in diskcache: the baseline) and with REDIS_URL
(Celery, worker in the app process). The panel's value comes from the shared cache in both,
so the numbers are the job machinery's cost. Prints the medians and replaces the
"## Background jobs" section of docs/benchmarks.md.

Usage: python bench/background_jobs.py [runs=40]
"""

from __future__ import annotations

import platform
import re
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchdoc import replace_section  # noqa: E402

from callbacks.dashboard.spc import SPC_POLL_MS  # noqa: E402
from lyceum.settings import load_settings  # noqa: E402
from services.core import jobs  # noqa: E402
from services.core.runtime import Runtime  # noqa: E402
from services.startup.first_start import prepare  # noqa: E402
from tests.servers import redis_server  # noqa: E402

HEADING = "## Background jobs"
ORIGIN = {"Origin": "http://localhost"}
SPC = "..dashboard-spc-graph.figure"
VALUES = {"dashboard-window-select": "7d", "dashboard-line-select": "all",
          "dashboard-station-select": "all", "dashboard-spc-feature-select": "peak_force",
          "dashboard-spc-kind-select": "xbar_r", "dashboard-spc-baseline-select": "7d",
          "dashboard-spc-baseline-first-input": None, "dashboard-spc-baseline-last-input": None,
          "dashboard-spc-rules-select": "nelson", "dashboard-spc-attribute-select": "p",
          "dashboard-cluster-store": "1", "dashboard-viewer-store": "bench"}


def _client(server: Any, password: str) -> Any:
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf, "no CSRF token on the sign-in page"
    client.post("/login", data={"email": "admin@lyceum.local", "password": password,
                                "csrf_token": csrf.group(1)})
    return client


def _payload(client: Any, n: int) -> dict[str, Any]:
    dep = next(d for d in client.get("/_dash-dependencies").json
               if d["output"].startswith(SPC))
    values = {**VALUES, "dashboard-refresh-interval": n}
    return {"output": dep["output"],
            "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]}
                        for p in dep["output"][2:-2].split("...")],
            "inputs": [{**i, "value": values[i["id"]]} for i in dep["inputs"]],
            "state": [{**s, "value": values[s["id"]]} for s in dep["state"]],
            "changedPropIds": ["dashboard-refresh-interval.n_intervals"]}


def round_trip_ms(client: Any, n: int) -> float:
    """Queue the SPC job and poll until its result arrives; milliseconds."""
    payload = _payload(client, n)
    started = time.perf_counter()
    handle = client.post("/_dash-update-component", json=payload, headers=ORIGIN).json
    while True:
        reply = client.post("/_dash-update-component", json=payload, headers=ORIGIN,
                            query_string={"cacheKey": handle["cacheKey"], "job": handle["job"]})
        if reply.status_code != 200 or "response" in reply.json:
            text = reply.get_data(as_text=True)
            assert reply.status_code == 200 and "Cp" in text, (reply.status_code, text[:600])
            return (time.perf_counter() - started) * 1000
        time.sleep(0.005)


def measure(runtime: Runtime, password: str, runs: int) -> dict[str, float]:
    """Median round trips (ms) with each manager."""
    from app import create_app

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lyceum-redis-") as folder, \
            redis_server(Path(folder)) as url:
        for mode in ("threads", "celery"):
            current = runtime
            if mode == "celery":
                current = replace(runtime, settings=runtime.settings.with_overrides(
                    redis_url=url))
            client = _client(create_app(current.settings, runtime=current), password)
            if mode == "celery":
                jobs.start_embedded_worker(current)
            round_trip_ms(client, 0)  # warm the cache and the worker
            out[mode] = statistics.median(round_trip_ms(client, n) for n in range(1, runs + 1))
        jobs.stop_embedded_worker()
    return out


def table(result: dict[str, float], runs: int) -> str:
    """The markdown section."""
    today = datetime.now(UTC).date().isoformat()
    return (f"{HEADING}\n\n`bench/background_jobs.py`, {today}, {platform.machine()}, Python "
            f"{platform.python_version()}: the live dashboard's SPC panel as a background "
            "callback, queued and polled (every 5 ms) through the Flask test client, "
            f"median of {runs}; its value comes from the shared cache, so this is the job "
            f"machinery's cost. The browser polls every {SPC_POLL_MS} ms, which adds up to "
            "that.\n\n"
            "| Manager | Round trip, median | Ratio to threads |\n|---|---|---|\n"
            f"| threads + diskcache (no REDIS_URL, baseline) | {result['threads']:.1f} ms "
            "| 1.0× |\n"
            f"| Celery + Redis (worker in the app process) | {result['celery']:.1f} ms | "
            f"{result['celery'] / result['threads']:.1f}× |\n")


def main() -> int:
    """Set up, measure, print, write."""
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-jobs-") as tmp:
        settings = load_settings({"LYCEUM_INSTANCE": str(Path(tmp) / "instance"),
                                  "LYCEUM_DEMO": "small", "LYCEUM_ARGON2_TIME_COST": "1",
                                  "LYCEUM_ARGON2_MEMORY_KIB": "8192"})
        runtime = Runtime.open(settings)
        report = prepare(runtime)
        assert report.admin_password
        result = measure(runtime, report.admin_password, runs)
        runtime.close()
    text = table(result, runs)
    print(text)  # noqa: T201
    replace_section(HEADING, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
