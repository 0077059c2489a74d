"""Benchmark: the engine service's small-statement throughput, this tree against a revision.

Exports ``revision`` (``git archive``) to a temporary folder and, alternating between it and
this work tree (``rounds`` times each, so a swing in the machine's load falls on both alike),
starts each one's engine service and runs ``bench/engine.py``'s 20 concurrent clients of
``SELECT 1`` as the app and as a cluster's credential, with the engine process's CPU time per
statement (``/proc/<pid>/stat``: load-insensitive, unlike the rates). Prints every run and
writes the medians under "### Before and after" in the "## Engine service" section of
docs/benchmarks.md.

Usage: python bench/engine_compare.py REVISION [rounds=2] [seconds=6]
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from benchdoc import replace_part  # noqa: E402

HEADING = "## Engine service"
PART = "### Before and after"
#: Runs inside the tree under test (its own ``bench/engine.py`` and engine service).
ONE_RUN = r'''
import base64, json, os, sys, tempfile
from pathlib import Path
tree, seconds = sys.argv[1], float(sys.argv[2])
sys.path.insert(0, tree + "/bench"); sys.path.insert(0, tree)
import clickhouse_connect
import engine as bench
from tests.servers import EngineProcess
with tempfile.TemporaryDirectory() as tmp:
    engine = EngineProcess(Path(tmp) / "instance", env={"LYCEUM_ENGINE_CLUSTER_QUERIES": "20"})
    credential = bench._cluster_headers(engine)
    engine.start()
    try:
        setup = clickhouse_connect.get_client(host="127.0.0.1", port=engine.port,
                                              username="lyceum_app", password=engine.key)
        setup.command("CREATE DATABASE bench")
        setup.close()
        app = {"Authorization": "Basic " + base64.b64encode(
            f"lyceum_app:{engine.key}".encode()).decode()}
        def cpu_s():  # the engine process's CPU time (user + system, every thread)
            fields = Path(f"/proc/{engine.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        def measured(headers):
            before = cpu_s()
            found = bench.concurrent(engine, headers, seconds)
            found["cpu_ms"] = (cpu_s() - before) * 1000 / max(found["queries"], 1)
            return found
        bench.concurrent(engine, app, 1)
        bench.concurrent(engine, credential, 1)
        load = os.getloadavg()[0]
        result = {"load": load, "app": measured(app), "credential": measured(credential)}
    finally:
        engine.stop()
print("RESULT " + json.dumps(result))
'''


def one_run(tree: Path, seconds: float) -> dict[str, Any]:
    """One engine service of ``tree`` under the 20 clients, as app and as credential."""
    done = subprocess.run([sys.executable, "-c", ONE_RUN, str(tree), str(seconds)], cwd=tree,
                          env={**os.environ, "PYTHONPATH": str(tree),
                               "PYTHONDONTWRITEBYTECODE": "1"},
                          capture_output=True, text=True, timeout=600, check=False)
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            found: dict[str, Any] = json.loads(line.removeprefix("RESULT "))
            return found
    raise RuntimeError(f"no result from {tree}:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def section(revision: str, runs: dict[str, list[dict[str, Any]]], seconds: float) -> str:
    """The markdown part: medians per tree and caller."""
    def med(label: str, caller: str, key: str) -> float:
        return statistics.median(run[caller][key] for run in runs[label])

    rows = []
    for caller, name in (("app", "the app"), ("credential", "a cluster's credential")):
        for label in (revision, "this tree"):
            rows.append(f"| {name} | {label} | {med(label, caller, 'qps'):.0f} | "
                        f"{med(label, caller, 'p50'):.1f} ms | {med(label, caller, 'p95'):.1f} ms"
                        f" | {med(label, caller, 'cpu_ms'):.2f} ms"
                        f" | {sum(run[caller]['errors'] for run in runs[label])} |")
    loads = [run["load"] for label in runs for run in runs[label]]
    return (f"{PART}\n\n`bench/engine_compare.py {revision}`: the same 20 clients of `SELECT 1` "
            f"({seconds:.0f} s each) against the engine service of revision `{revision}` and of "
            f"this tree, alternating, {len(runs[revision])} runs each, medians; load average "
            f"{min(loads):.0f}–{max(loads):.0f} on the 2 shared cores during the runs (the "
            "absolute numbers are those of an overloaded machine; compare the rows). CPU per "
            "statement is the engine process's CPU time (every thread, from `/proc/<pid>/stat`) "
            "over the statements it answered, which the neighbours' load changes far less than "
            "the rates.\n\n"
            "| Caller | Engine of | Queries/s | p50 | p95 | CPU per statement | Errors |\n"
            "|---|---|---|---|---|---|---|\n" + "\n".join(rows) + "\n")


def main() -> int:
    """Export, alternate, print, write."""
    revision = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 6.0
    with tempfile.TemporaryDirectory(prefix="lyceum-engine-compare-") as tmp:
        old = Path(tmp) / "tree"
        old.mkdir()
        archive = subprocess.run(["git", "archive", revision], cwd=ROOT, capture_output=True,
                                 check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        runs: dict[str, list[dict[str, Any]]] = {revision: [], "this tree": []}
        for _ in range(rounds):
            for label, tree in ((revision, old), ("this tree", ROOT)):
                result = one_run(tree, seconds)
                runs[label].append(result)
                print(label, json.dumps(result), flush=True)
    text = section(revision, runs, seconds)
    print(text)
    replace_part(HEADING, PART, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
