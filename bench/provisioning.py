"""Benchmark: deploying an empty cluster, against a bare CREATE DATABASE + schema.

Runs on a temporary chDB data path and a temporary SQLite file, with production argon2 cost.
Prints the medians and the ratio, and rewrites the "## Cluster provisioning" section of
docs/benchmarks.md (other sections are kept).

    .venv/bin/python bench/provisioning.py
"""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from benchdoc import DOC, replace_section

from data.analytics.ch_schema import schema_statements
from data.metadata import memberships
from lyceum.settings import load_settings
from services.access.accounts import create_user
from services.clusters import credentials, rules
from services.clusters.request import ClusterSpec, MemberGrant
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.provisioning import deploy as provisioning
from services.provisioning.steps import STEP_KEYS

RUNS = 5
LIMIT_SECONDS = 5.0
HEADING = "## Cluster provisioning"


def deploy_once(runtime: Runtime, actor: Actor, name: str) -> tuple[float, dict[str, float]]:
    """Seconds for one full deploy (begin to running), and seconds per step."""
    assert actor.user_id is not None
    spec = rules.apply_preset(
        ClusterSpec(name=name, members=(MemberGrant(actor.user_id, "admin"),)), "development")
    began = time.perf_counter()
    cluster_id = provisioning.begin_deploy(runtime, spec, actor=actor)
    provisioning.wait_for_deploy(cluster_id)
    seconds = time.perf_counter() - began
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None and cluster.status == "running", cluster
        steps = {s["key"]: float(s["seconds"]) for s in cluster.progress["steps"]}
    credentials.acknowledge_secret(runtime, cluster_id, actor=actor)
    return seconds, steps


def baseline_once(runtime: Runtime, database: str) -> float:
    """Seconds for the bare DDL: CREATE DATABASE and every schema statement."""
    began = time.perf_counter()
    for statement in schema_statements(database):
        runtime.ch.command(statement)
    seconds = time.perf_counter() - began
    runtime.ch.command(f"DROP DATABASE {database} SYNC")
    return seconds


def measure(root: Path) -> dict[str, object]:
    """Run the baseline and the deploys ``RUNS`` times each on a fresh instance under ``root``."""
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off"})
    runtime = Runtime.open(settings)
    try:
        runtime.db.migrate()
        user = create_user(runtime.db, runtime.passwords, email="bench@example.com",
                           password="correct horse battery")
        actor = Actor(user_id=user.id, label="bench@example.com")
        baseline_once(runtime, "bench_warmup")
        baseline = [baseline_once(runtime, f"bench_base_{i}") for i in range(RUNS)]
        runs = [deploy_once(runtime, actor, f"Bench line {i}") for i in range(RUNS)]
        version = str(runtime.ch.scalar("SELECT version()"))
    finally:
        runtime.close()
    deploy = statistics.median(seconds for seconds, _ in runs)
    base = statistics.median(baseline)
    return {
        "deploy": deploy, "baseline": base, "ratio": deploy / base, "version": version,
        "steps": {key: statistics.median(steps[key] for _, steps in runs) for key in STEP_KEYS},
    }


def section(result: dict[str, object]) -> str:
    """The Markdown section for docs/benchmarks.md."""
    steps = result["steps"]
    assert isinstance(steps, dict)
    rows = "\n".join(f"| `{key}` | {seconds * 1000:.0f} ms |" for key, seconds in steps.items())
    when = datetime.now(UTC).strftime("%Y-%m-%d")
    return (
        f"{HEADING}\n\n"
        f"`bench/provisioning.py`, {when}, {os.cpu_count()} CPUs, {platform.machine()}, "
        f"ClickHouse (chDB) {result['version']}; median of {RUNS} runs, temporary chDB path "
        "and SQLite file, production argon2 cost.\n\n"
        "| What | Median |\n|---|---|\n"
        f"| Deploy of an empty cluster: all steps, begin to running | "
        f"{result['deploy']:.2f} s |\n"
        f"| Baseline: bare `CREATE DATABASE` + `schema_statements` | "
        f"{result['baseline']:.2f} s |\n"
        f"| Ratio | {result['ratio']:.1f}× |\n\n"
        f"Target: under {LIMIT_SECONDS:.0f} s. Where the time goes (median per step):\n\n"
        f"| Step | Median |\n|---|---|\n{rows}\n"
    )


def main() -> None:
    """Measure, print, and record in docs/benchmarks.md."""
    with tempfile.TemporaryDirectory(prefix="lyceum-bench-") as tmp:
        result = measure(Path(tmp))
    print(f"deploy (empty cluster): median {result['deploy']:.3f} s over {RUNS} runs")
    print(f"baseline (bare DDL):    median {result['baseline']:.3f} s")
    print(f"ratio:                  {result['ratio']:.1f}x   (target < {LIMIT_SECONDS} s)")
    replace_section(HEADING, section(result))
    print(f"updated {DOC}")


if __name__ == "__main__":
    main()
