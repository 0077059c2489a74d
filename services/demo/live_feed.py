"""The demo feed: a background thread that keeps the demo plant live.

Every few seconds it makes one new part on a running line, routes it through the stations its
product visits (press-fit → screw-driving → curing oven, stopping at the first NOK), and
inserts the curves, their samples and features, and the part — real inserts into the demo
cluster's ClickHouse tables, with the generators of :mod:`services.demo.curves`. Lines stop
now and then and start again (``production_events``). Part and curve ids continue from the
largest ids in the cluster. Switched per cluster by an admin (``live_feed_settings``; on by
default for demo clusters); chDB allows one process per data path, so it runs in the app.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa

from data.analytics import kpis as q
from data.metadata import alerts as repo
from data.metadata.models_alerts import LiveFeedSetting
from services.clusters.query_session import for_cluster
from services.core import audit
from services.core.audit import Actor
from services.core.periodic import OnePerProcess, Periodic
from services.core.runtime import Runtime
from services.demo.curves import (
    PROCESS_SPECS,
    PROCESSES,
    RESULTS,
    concat_tables,
    generate_curves,
    timestamps,
)
from services.demo.plant import LINES, PRODUCTS, SHIFTS, STATIONS, STOP_REASONS

log = logging.getLogger(__name__)
_MIX = np.array([0.2, 0.3, 0.5])
_ROUTE = (3, 2, 1)
STOP_CHANCE = 0.01


@dataclass
class _ClusterFeed:
    """Per-cluster state of the feed: next ids and each line's current state."""

    next_part: int
    next_curve: int
    stopped_until: dict[int, float] = field(default_factory=dict)
    started: bool = False
    inserted_parts: int = 0


def feed_enabled(runtime: Runtime, cluster_id: int) -> bool:
    """Whether the demo feed inserts into this cluster (on unless an admin switched it off)."""
    with runtime.db.session() as session:
        found = repo.feed_setting(session, cluster_id)
        return True if found is None else bool(found.enabled)


def is_demo_cluster(runtime: Runtime, cluster_id: int) -> bool:
    """True for a running demo cluster (the only kind the feed inserts into)."""
    with runtime.db.session() as session:
        return cluster_id in {c.id for c in repo.demo_clusters(session)}


def set_feed_enabled(runtime: Runtime, cluster_id: int, enabled: bool, *, actor: Actor) -> None:
    """Switch the demo feed of a cluster on or off (persisted, audited)."""
    with runtime.db.session() as session:
        found = repo.feed_setting(session, cluster_id)
        if found is None:
            found = LiveFeedSetting(cluster_id=cluster_id)
            session.add(found)
        found.enabled, found.updated_by = bool(enabled), actor.user_id
        found.updated_at = datetime.now(UTC)
        audit.record(session, "live_feed.switch", actor=actor, target_type="cluster",
                     target_id=cluster_id, cluster_id=cluster_id, detail={"enabled": enabled})


def _events(line: int, state: str, reason: str, at_ms: int) -> pa.Table:
    n = len(STATIONS)
    return pa.table({"ts": timestamps(np.full(n, at_ms)), "line": [LINES[line]] * n,
                     "station": list(STATIONS), "state": [state] * n, "reason": [reason] * n,
                     "duration_s": pa.array(np.zeros(n, np.uint32))})


def _curve_rows(process: int, arrays: Any, *, curve_id: int, part_id: int, serial: str,
                t_ms: int, line: str, product: str, batch: str) -> dict[str, pa.Table]:
    spec = PROCESS_SPECS[PROCESSES[process]]
    out = arrays.summary()
    ident = {"curve_id": pa.array([curve_id], pa.uint64()),
             "part_id": pa.array([part_id], pa.uint64()), "ts": timestamps(np.array([t_ms])),
             "process": [spec.name], "line": [line], "station": [spec.station],
             "product": [product]}
    curve = pa.table({**ident, "serial": [serial], "batch": [batch],
                      "result": [RESULTS[int(out["result"][0])]],
                      "defect_mode": [spec.modes[int(out["mode"][0])]],
                      "x_name": [spec.x_name], "x_unit": [spec.x_unit],
                      "y_name": [spec.y_name], "y_unit": [spec.y_unit],
                      **{k: pa.array(out[k]) for k in ("n_points", "x_min", "x_max", "y_min",
                                                         "y_max")}})
    names = [(n, u) for n, u in spec.features if not np.isnan(out[n][0])]
    features = (pa.table(ident).take(pa.array([0] * len(names), pa.int64()))
                .append_column("feature", pa.array([n for n, _ in names]))
                .append_column("value", pa.array([float(out[n][0]) for n, _ in names]))
                .append_column("unit", pa.array([u for _, u in names])))
    samples = arrays.samples_table(process=spec.name, curve_id=np.array([curve_id]),
                                   t_ms=np.array([t_ms]))
    return {"curves": curve, "curve_features": features, "curve_samples": samples}


def make_part(rng: np.random.Generator, state: _ClusterFeed, *, line: int,
              now_ms: int) -> dict[str, list[pa.Table]]:
    """The tables of one new part on ``line`` (curves at each station it reaches)."""
    product = int(rng.choice(3, p=_MIX))
    part_id, serial = state.next_part, f"LF-{state.next_part:09d}"
    batch = f"LIVE-{datetime.fromtimestamp(now_ms / 1000, UTC):%y%m%d}-{line + 1}"
    tables: dict[str, list[pa.Table]] = {}
    worst, judged_at, mode_label, t_ms = 0, 0, "", now_ms
    for process in range(_ROUTE[product]):
        spec = PROCESS_SPECS[PROCESSES[process]]
        rates = np.cumsum(spec.rates)
        mode = int(np.searchsorted(rates, rng.random(), side="right"))
        mode = 0 if mode >= len(rates) else mode + 1
        arrays = generate_curves(spec.name, np.array([mode]), rng)
        t_ms = now_ms + process * 2000
        rows = _curve_rows(process, arrays, curve_id=state.next_curve, part_id=part_id,
                           serial=serial, t_ms=t_ms, line=LINES[line],
                           product=PRODUCTS[product], batch=batch)
        state.next_curve += 1
        for name, table in rows.items():
            tables.setdefault(name, []).append(table)
        result = int(arrays.result[0])
        if result > worst or (worst == 0 and result == 0):
            worst, judged_at = result, process
            mode_label = spec.modes[int(arrays.mode[0])] if result else ""
        if result == 2:
            break
    hour = (now_ms // 3_600_000) % 24
    shift = 0 if 6 <= hour < 14 else 1 if 14 <= hour < 22 else 2
    tables["parts"] = [pa.table({
        "part_id": pa.array([part_id], pa.uint64()), "serial": [serial],
        "ts": timestamps(np.array([t_ms])), "line": [LINES[line]],
        "station": [STATIONS[judged_at]], "product": [PRODUCTS[product]], "batch": [batch],
        "shift": [SHIFTS[shift]], "result": [RESULTS[worst]],
        "first_pass": pa.array([0 if worst == 0 and rng.random() < 0.025 else 1], pa.uint8()),
        "defect_mode": [mode_label]})]
    state.next_part += 1
    return tables


ORDER = ("production_events", "curve_samples", "curves", "curve_features", "parts")


def tick(runtime: Runtime, states: dict[int, _ClusterFeed], rng: np.random.Generator,
         *, now: datetime | None = None) -> int:
    """One step of the feed for every demo cluster that has it on; returns parts inserted."""
    now = now or datetime.now(UTC)
    with runtime.db.session() as session:
        clusters = [c.id for c in repo.demo_clusters(session)]
    made = 0
    for cluster_id in clusters:
        if feed_enabled(runtime, cluster_id):
            made += _tick_cluster(runtime, cluster_id, states, rng, now=now)
    return made


def _tick_cluster(runtime: Runtime, cluster_id: int, states: dict[int, _ClusterFeed],
                  rng: np.random.Generator, *, now: datetime) -> int:
    s = for_cluster(runtime, cluster_id, background=True)
    now_ms = int(now.timestamp() * 1000)
    state = states.get(cluster_id)
    if state is None:
        part, curve = q.max_ids(s)
        state = states[cluster_id] = _ClusterFeed(next_part=part + 1, next_curve=curve + 1)
    tables: dict[str, list[pa.Table]] = {"production_events": []}
    for line in range(len(LINES)):
        until = state.stopped_until.get(line)
        if not state.started or (until is not None and until <= now_ms):
            state.stopped_until.pop(line, None)
            tables["production_events"].append(_events(line, "running", "", now_ms))
        elif until is None and rng.random() < STOP_CHANCE:
            state.stopped_until[line] = now_ms + int(rng.uniform(60, 300) * 1000)
            reason = str(rng.choice(STOP_REASONS[0]))
            tables["production_events"].append(_events(line, "stopped", reason, now_ms))
    state.started = True
    running = [line for line in range(len(LINES)) if line not in state.stopped_until]
    if running:
        for name, found in make_part(rng, state, line=int(rng.choice(running)),
                                     now_ms=now_ms).items():
            tables.setdefault(name, []).extend(found)
    for name in ORDER:
        if tables.get(name):
            runtime.ch.insert_arrow(name, concat_tables(tables[name]), database=s.database)
    state.inserted_parts += len(running and [1])
    return 1 if running else 0


class LiveFeed(Periodic):
    """A daemon thread calling :func:`tick` every ``interval_s`` seconds."""

    name = "demo-feed"

    def __init__(self, runtime: Runtime, *, interval_s: float, seed: int | None = None) -> None:
        super().__init__(interval_s=interval_s)
        self.runtime = runtime
        self.states: dict[int, _ClusterFeed] = {}
        self.rng = np.random.default_rng(seed)

    def work(self) -> None:
        """Insert the next parts into every demo cluster whose feed is on."""
        tick(self.runtime, self.states, self.rng)


_feed: OnePerProcess[LiveFeed] = OnePerProcess()
DEFAULT_INTERVAL_S = 5.0


def start_live_feed(runtime: Runtime, *, interval_s: float = DEFAULT_INTERVAL_S) -> LiveFeed:
    """Start this process's demo feed (or return the one already running)."""
    return _feed.start(lambda: LiveFeed(runtime, interval_s=interval_s))


def stop_live_feed(*, timeout: float = 10.0) -> None:
    """Stop this process's demo feed, if one runs."""
    _feed.stop(timeout=timeout)


def feed_running() -> bool:
    """True if this process's demo feed thread runs."""
    return _feed.running
