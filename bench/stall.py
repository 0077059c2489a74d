"""Benchmark: can one credential holder stall the app? A viewer's latency, idle and under load.

Starts the real app (``python -m lyceum run``, small demo, temporary instance), gives the
demo cluster's app credential a known secret and adds a viewer (while the app is stopped),
then measures, one request after another, a viewer's ``GET /api/v1/clusters/1/members``, a
viewer's page (``GET /clusters/1``) and ``/healthz``: first idle, then while 8 clients with
the cluster's credential keep sending the long gateway query of issue 14
(``SELECT count() FROM numbers(1e11) WHERE sipHash64(number) = 1``), each sending the next
as soon as one ends or is refused. Runs the load once with the default settings (2 queries per
cluster: 6 of the 8 are refused at once) and once with the cap raised so all 8 run. Prints
p50/p95 beside each other and how many long queries were refused, and writes the
"## Stalling the app" section of docs/benchmarks.md.

Usage: python bench/stall.py [requests=40] [clients=8]
"""

from __future__ import annotations

import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchdoc import replace_section  # noqa: E402

from tests.servers import AppProcess  # noqa: E402

HEADING = "## Stalling the app"
LONG_SQL = "SELECT count() FROM numbers(1e11) WHERE sipHash64(number) = 1"
SECRET = "bench-stall-" + "s" * 40
VIEWER = ("viewer@bench.local", "viewer password for the bench")
#: Longest a query may run on the bench's host (the long queries end and start again).
HOST_MAX_EXECUTION_S = 20
TARGETS = {"viewer": 0.300, "healthz": 0.100}


def prepare_credential(app: AppProcess) -> str:
    """Give the demo cluster's credential a known secret (app stopped); its username."""
    from data.metadata import memberships
    from data.metadata.db import Database
    from services.core.passwords import Passwords

    db = Database(f"sqlite:///{app.instance / 'lyceum.db'}")
    try:
        with db.session() as session:
            cluster = memberships.get_cluster_by_database(session, "demo_plant")
            assert cluster is not None, "no demo cluster"
            cluster.credential_hash = Passwords(time_cost=1, memory_kib=8192).hash(SECRET)
            return str(cluster.credential_user)
    finally:
        db.dispose()


def sign_in(url: str, email: str, password: str) -> requests.Session:
    """A signed-in HTTP session."""
    session = requests.Session()
    page = session.get(f"{url}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, "no CSRF token on the sign-in page"
    session.post(f"{url}/login", data={"email": email, "password": password,
                                       "csrf_token": token.group(1)},
                 headers={"Origin": url}, timeout=30)
    return session


def measure(session: requests.Session, url: str, runs: int) -> dict[str, list[float]]:
    """Seconds per request of the viewer's API call, page and ``/healthz`` (interleaved)."""
    found: dict[str, list[float]] = {"members": [], "page": [], "healthz": []}
    paths = {"members": "/api/v1/clusters/1/members", "page": "/clusters/1",
             "healthz": "/healthz"}
    for _ in range(runs):
        for name, path in paths.items():
            began = time.perf_counter()
            answer = session.get(f"{url}{path}", timeout=120)
            found[name].append(time.perf_counter() - began)
            assert answer.status_code == 200, (path, answer.status_code, answer.text[:200])
    return found


class LongQueries:
    """``clients`` threads that keep a long gateway query going each until stopped."""

    def __init__(self, url: str, username: str, clients: int) -> None:
        self.url, self.auth = f"{url}/api/v1/clusters/1/sql", (username, SECRET)
        self.stop = threading.Event()
        self.outcomes: Counter[int] = Counter()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.loop, daemon=True) for _ in range(clients)]

    def loop(self) -> None:
        while not self.stop.is_set():
            answer = requests.post(self.url, json={"sql": LONG_SQL}, auth=self.auth,
                                   timeout=HOST_MAX_EXECUTION_S + 60)
            with self.lock:
                self.outcomes[answer.status_code] += 1
            if answer.status_code == 429:
                self.stop.wait(0.2)

    def __enter__(self) -> LongQueries:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(HOST_MAX_EXECUTION_S + 60)


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) in milliseconds."""
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


#: The app's settings under load: the defaults, and the issue's 8 queries all admitted.
CONFIGS: dict[str, dict[str, str]] = {
    "defaults (cap 2 per cluster)": {},
    "8 admitted (cap 8, gateway pool 8, 24 threads)": {
        "LYCEUM_CLUSTER_CONCURRENCY": "8", "LYCEUM_POOL_GATEWAY": "8", "LYCEUM_THREADS": "24"},
}
LABELS = {"members": "viewer `GET /api/v1/clusters/1/members`",
          "page": "viewer page `GET /clusters/1`", "healthz": "`/healthz`"}


def report(idle: dict[str, list[float]], loads: dict[str, dict[str, list[float]]],
           outcomes: dict[str, Counter[int]], *, clients: int, runs: int) -> str:
    """The section for docs/benchmarks.md."""
    rows = []
    for name, label in LABELS.items():
        target = TARGETS["healthz" if name == "healthz" else "viewer"] * 1000
        cells = [f"{pct(load[name], .5):.0f} / {pct(load[name], .95):.0f}"
                 + ("" if pct(load[name], .95) < target else " **(over)**")
                 for load in loads.values()]
        rows.append(f"| {label} | {pct(idle[name], .5):.0f} / {pct(idle[name], .95):.0f} | "
                    + " | ".join(cells) + f" | < {target:.0f} |")
    counts = "; ".join(f"{config}: {c.get(429, 0)} refused with 429, "
                       f"{sum(v for k, v in c.items() if k != 429)} ended by the time limit"
                       for config, c in outcomes.items())
    return "\n".join([
        HEADING, "",
        f"`bench/stall.py`, {datetime.now(UTC):%Y-%m-%d}, {platform.machine()}, "
        f"{_cpus()} CPUs shared with other work (the machine is noisy): the real app "
        "(`python -m lyceum run`, small demo; 16 server threads, gateway pool of 4, 2 queries "
        f"per cluster, host limit {HOST_MAX_EXECUTION_S} s per query, query threads at nice "
        f"10). {runs} rounds of the three requests one after another (p50 / p95 in ms), idle "
        f"and while {clients} clients with the demo cluster's credential keep sending "
        f"`{LONG_SQL}` (issue 14, item 5), each the next as soon as one ends or is refused; "
        "once with the default settings, once with the cap raised so that all 8 run.", "",
        "| request | idle | " + " | ".join(f"under load, {c}" for c in loads)
        + " | target p95 |",
        "|---|---|" + "---|" * len(loads) + "---|", *rows, "",
        f"Long queries: {counts}. Before the pools (main 8d66e99, 8 fixed threads) the same "
        "viewer request took 29–32 s and `/healthz` 3.2 s under the 8 queries.", ""])


def _cpus() -> int:
    import os

    return os.cpu_count() or 1


def main(runs: int = 40, clients: int = 8) -> None:
    """Run the bench and write its section."""
    loads: dict[str, dict[str, list[float]]] = {}
    outcomes: dict[str, Counter[int]] = {}
    with tempfile.TemporaryDirectory(prefix="lyceum-stall-") as tmp:
        base = {"LYCEUM_DEMO": "small", "LYCEUM_HOST_MAX_EXECUTION_S": str(HOST_MAX_EXECUTION_S)}
        app = AppProcess(Path(tmp) / "instance", env=base)
        app.start(timeout=900)
        app.stop()
        username = prepare_credential(app)
        made = app.cli("create-user", "--email", VIEWER[0], "--cluster", "demo_plant",
                       "--role", "viewer", "--password-stdin", stdin=VIEWER[1] + "\n")
        assert made.returncode == 0, made.stderr
        for number, (config, env) in enumerate(CONFIGS.items()):
            app.env.update({**base, **env})
            app.start(timeout=900)
            try:
                viewer = sign_in(app.url, *VIEWER)
                measure(viewer, app.url, 3)  # warm up
                if number == 0:
                    idle = measure(viewer, app.url, runs)
                with LongQueries(app.url, username, clients) as queries:
                    time.sleep(2.0)  # let the clients fill the cluster's cap
                    loads[config] = measure(viewer, app.url, runs)
                outcomes[config] = queries.outcomes
            finally:
                app.stop()
            for key in env:
                app.env.pop(key, None)
    text = report(idle, loads, outcomes, clients=clients, runs=runs)
    print(text)  # noqa: T201
    replace_section(HEADING, text)
    for config, load in loads.items():
        medians = {k: round(statistics.median(v) * 1000) for k, v in load.items()}
        print(f"{config}: medians under load {medians} ms")  # noqa: T201


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
