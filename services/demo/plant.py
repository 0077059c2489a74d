"""Demo plant data: 90 days of parts, curves, features, measurements and line states.

Generation (:func:`iter_demo_tables`) is pure: it yields Arrow tables in load order, curve
samples in chunks so the full demo never sits in memory at once, and the parts table last.
:func:`load_demo` writes them into a ClickHouse database and is safe to run again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np
import pyarrow as pa

from data.analytics.ch_schema import ALL_TABLES, schema_statements
from data.analytics.clickhouse import ClickHouse, validate_identifier
from lyceum.errors import ValidationError
from services.demo.curves import (
    PROCESS_SPECS,
    PROCESSES,
    RESULTS,
    generate_curves,
    judging_curves,
)
from services.demo.curves import categories as _cat
from services.demo.curves import concat_tables as _concat
from services.demo.curves import texts as _text
from services.demo.curves import timestamps as _ts


@dataclass(frozen=True)
class DemoSize:
    """How many curves of each process the demo holds (one part per press-fit curve)."""

    name: str
    press_fit: int
    screw_driving: int
    temperature: int
    chunk_curves: int = 1000


DEMO_SIZES: dict[str, DemoSize] = {"full": DemoSize("full", 10_000, 3_000, 1_000),
                                    "small": DemoSize("small", 300, 100, 40)}
DEMO_DAYS = 90
#: What the demo cluster holds, in its description.
DESCRIPTION = ("Generated plant data: press-fit, screw-driving and curing-oven curves over 90 "
               "days, with injected defects.")
LINES: tuple[str, ...] = ("Line 1", "Line 2", "Line 3")
SHIFTS: tuple[str, ...] = ("Early", "Late", "Night")
#: Products by route length: the pump housing visits all three stations, the bracket one.
PRODUCTS: tuple[str, ...] = ("PH-200 Pump housing", "BC-80 Bearing cap", "SB-15 Sensor bracket")
STATIONS: tuple[str, ...] = tuple(PROCESS_SPECS[p].station for p in PROCESSES)
STOP_REASONS: tuple[tuple[str, ...], ...] = (
    ("Part jam in press nest", "Force sensor fault", "Press tool change", "Feeder empty"),
    ("Screw feeder jam", "Torque controller fault", "Bit change", "Screws empty"),
    ("Oven temperature fault", "Conveyor jam", "Door interlock open"),
)
#: Defect-rate multipliers per process (rows) and line (columns): Line 2's press is worn.
_LINE_FACTOR = np.array([[1.0, 1.6, 0.8], [1.0, 1.0, 1.3], [1.0, 1.1, 0.9]])
_SHIFT_FACTOR = np.array([1.0, 1.0, 1.25])
_BATCH_MIX = np.array([0.2, 0.3, 0.5])
_REWORK_RATE = 0.025
_INSERT_SETTINGS = {"max_partitions_per_insert_block": 0, "max_insert_block_size": 4_000_000,
                    "min_insert_block_size_rows": 0, "min_insert_block_size_bytes": 0}
# Line-state codes: running, weekend, lot change, changeover (+ product), stop (+ origin/reason).
_RUN, _WEEKEND, _LOT, _CHANGEOVER, _STOP = 0, 1, 2, 10, 100
_WEEK_S, _DAY_S = 7 * 86_400, 86_400
_WEEKEND_S = (5 * _DAY_S + 22 * 3600, 6 * _DAY_S + 22 * 3600)  # Sat 22:00 to Sun 22:00 UTC


@dataclass(frozen=True)
class DemoLoadReport:
    """What :func:`load_demo` did: rows per table, samples, and where the time went."""

    database: str
    size: str
    skipped: bool
    rows: dict[str, int]
    samples: int
    seconds: float
    generate_seconds: float = 0.0
    insert_seconds: float = 0.0


def demo_size(name: str) -> DemoSize:
    """The :class:`DemoSize` called ``name`` ("full" or "small")."""
    if name not in DEMO_SIZES:
        raise ValidationError(f"Unknown demo size {name!r}; use one of: "
                              + ", ".join(sorted(DEMO_SIZES)) + ".", fields={"size": "unknown"})
    return DEMO_SIZES[name]


def _check_now(now: datetime) -> None:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValidationError("The demo end time must be timezone-aware (UTC).",
                              fields={"now": "naive datetime"})


def default_now() -> datetime:
    """The current UTC time, truncated to the hour (the default end of the demo period)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@dataclass
class _Timeline:
    """One line's state intervals (seconds from the demo start) and its batches."""

    starts: np.ndarray
    labels: np.ndarray
    batch: np.ndarray
    batch_product: np.ndarray
    batch_names: list[str]


def _batches(rng: np.random.Generator, horizon: float) -> tuple[np.ndarray, ...]:
    """Lot starts (a new lot every ~6 h), their product, and their changeover durations."""
    starts = np.round(np.concatenate(([0.0], np.cumsum(rng.gamma(4.0, 5400.0,
                                                                  int(horizon / 10_000))))))
    starts = starts[starts < horizon]
    count = len(starts)
    switch = rng.random(count) < 0.35
    switch[0] = True
    drawn = rng.choice(len(PRODUCTS), count, p=_BATCH_MIX)
    product = drawn[np.maximum.accumulate(np.where(switch, np.arange(count), 0))]
    changed = np.concatenate(([True], product[1:] != product[:-1]))
    length = np.round(np.where(changed, rng.uniform(1500, 3000, count),
                               rng.uniform(300, 720, count)))
    return starts, product, changed, length


def _stops(rng: np.random.Generator, horizon: float) -> tuple[np.ndarray, np.ndarray]:
    """Alternating running/stopped spells; each stop has an origin station and a reason."""
    count = int(horizon / 2400) + 10
    spells = np.column_stack([rng.exponential(4500.0, count),
                              np.minimum(rng.lognormal(np.log(420.0), 0.8, count), 10_800.0)])
    starts = np.round(np.concatenate(([0.0], np.cumsum(spells.ravel())[:-1])))
    origin = rng.choice(len(STATIONS), count, p=[0.45, 0.35, 0.2])
    n_reasons = np.array([len(r) for r in STOP_REASONS])
    reason = (rng.random(count) * n_reasons[origin]).astype(np.int64)
    labels = np.column_stack([np.full(count, _RUN), _STOP + origin * 10 + reason]).ravel()
    return starts, labels


def _line_timeline(rng: np.random.Generator, *, line: int, start_s: int,
                   horizon: float) -> _Timeline:
    """Overlay weekends over lot changeovers over random stops, then merge equal neighbours."""
    b_start, product, changed, co_len = _batches(rng, horizon)
    s_start, s_label = _stops(rng, horizon)
    monday = start_s - ((start_s // _DAY_S + 3) % 7) * _DAY_S - start_s % _DAY_S
    weeks = np.arange(int(horizon // _WEEK_S) + 2)[:, None] * _WEEK_S + np.array(_WEEKEND_S)
    bounds = np.unique(np.concatenate(
        [s_start, b_start, b_start + co_len, (monday + weeks.ravel() - start_s).astype(float)]))
    bounds = bounds[(bounds >= 0) & (bounds < horizon)]
    label = s_label[np.searchsorted(s_start, bounds, "right") - 1]
    batch = np.searchsorted(b_start, bounds, "right") - 1
    in_changeover = bounds - b_start[batch] < co_len[batch]
    label = np.where(in_changeover,
                     np.where(changed[batch], _CHANGEOVER + product[batch], _LOT), label)
    in_week = (bounds + start_s - monday) % _WEEK_S
    label = np.where((in_week >= _WEEKEND_S[0]) & (in_week < _WEEKEND_S[1]), _WEEKEND, label)
    keep = np.concatenate(([True], label[1:] != label[:-1]))
    days = ((start_s + b_start) // _DAY_S).astype(np.int64)
    first_of_day = np.searchsorted(days, days)
    dates = np.datetime_as_string(days.astype("datetime64[D]"))
    names = [f"LOT-{d[2:4]}{d[5:7]}{d[8:10]}-{line + 1}{seq:02d}"
             for d, seq in zip(dates, np.arange(len(days)) - first_of_day + 1, strict=True)]
    return _Timeline(bounds[keep], label[keep], batch[keep], product, names)


def _reason(code: int, station: int) -> tuple[int, str]:
    """(state code, reason) of a line-state code as seen by ``station``."""
    fixed = {_RUN: (0, ""), _WEEKEND: (1, "No shift planned"), _LOT: (2, "Lot change")}
    if code in fixed:
        return fixed[code]
    if code < _STOP:
        return 2, f"Changeover to {PRODUCTS[code - _CHANGEOVER]}"
    origin, reason = divmod(code - _STOP, 10)
    if origin == station:
        return 1, STOP_REASONS[origin][reason]
    return 1, "Blocked (downstream stop)" if station < origin else "Starved (upstream stop)"


def _events_table(timelines: list[_Timeline], *, start_s: int, horizon: float) -> pa.Table:
    """``production_events``: every station of a line follows its line's states."""
    parts: list[pa.Table] = []
    for line, tl in enumerate(timelines):
        ends = np.append(tl.starts[1:], horizon)
        codes, inverse = np.unique(tl.labels, return_inverse=True)
        for station in range(len(STATIONS)):
            states, reasons = zip(*(_reason(int(c), station) for c in codes), strict=True)
            parts.append(pa.table({
                "ts": _ts(((start_s + tl.starts) * 1000).astype(np.int64)),
                "line": _cat(np.full(len(inverse), line), LINES),
                "station": _cat(np.full(len(inverse), station), STATIONS),
                "state": _text(np.asarray(states)[inverse], ("running", "stopped", "changeover")),
                "reason": _text(inverse, list(reasons)),
                "duration_s": pa.array(np.round(ends - tl.starts).astype(np.uint32)),
            }))
    return _concat(parts)


@dataclass
class _Parts:
    """Every part (one per press-fit curve), ordered by the time it entered OP10."""

    t_ms: np.ndarray
    line: np.ndarray
    product: np.ndarray
    batch: np.ndarray
    batch_names: list[str]
    bore: np.ndarray
    pin: np.ndarray


def _place_parts(rng: np.random.Generator, size: DemoSize, timelines: list[_Timeline],
                 *, start_s: int, horizon: float) -> _Parts:
    """Put each product's parts at random moments while a line runs a lot of that product."""
    counts = (size.temperature, size.screw_driving - size.temperature,
              size.press_fit - size.screw_driving)
    offsets = np.cumsum([0] + [len(tl.batch_names) for tl in timelines])
    chunks: list[tuple[np.ndarray, ...]] = []
    for product, count in enumerate(counts):
        lo, ln, bt = [], [], []
        for line, tl in enumerate(timelines):
            mask = (tl.labels == _RUN) & (tl.batch_product[tl.batch] == product)
            lo.append(tl.starts[mask])
            ln.append(np.append(tl.starts[1:], horizon)[mask] - tl.starts[mask])
            bt.append(tl.batch[mask] + offsets[line])
        lengths, cum = np.concatenate(ln), np.cumsum(np.concatenate(ln))
        at = rng.uniform(0.0, cum[-1], count)
        slot = np.searchsorted(cum, at, "right")
        t = np.concatenate(lo)[slot] + at - (cum[slot] - lengths[slot])
        line_of = np.repeat(np.arange(len(timelines)), [len(x) for x in lo])[slot]
        chunks.append((t, line_of, np.full(count, product), np.concatenate(bt)[slot]))
    t, line_ix, product_ix, batch = (np.concatenate(c) for c in zip(*chunks, strict=True))
    order, names = np.argsort(t, kind="stable"), [n for tl in timelines for n in tl.batch_names]
    return _Parts(((start_s + t[order]) * 1000).astype(np.int64), line_ix[order],
                  product_ix[order], batch[order], names,
                  rng.normal(22.0105, 0.003, len(t)), rng.normal(22.0415, 0.002, len(t)))


def _shift(ms: np.ndarray) -> np.ndarray:
    hour = (ms // 3_600_000) % 24
    return np.where((hour >= 6) & (hour < 14), 0, np.where((hour >= 14) & (hour < 22), 1, 2))


@dataclass
class _Curves:
    """The curves of one process: which part, when, the drawn mode, and (later) the outcome."""

    process: int
    part: np.ndarray
    t_ms: np.ndarray
    modes: np.ndarray
    curve_id: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    outcome: list[dict[str, np.ndarray]] = field(default_factory=list)


def _draw_modes(rng: np.random.Generator, process: int, parts: _Parts, index: np.ndarray,
                t_ms: np.ndarray) -> np.ndarray:
    rates = np.array(PROCESS_SPECS[PROCESSES[process]].rates)
    factor = _LINE_FACTOR[process, parts.line[index]] * _SHIFT_FACTOR[_shift(t_ms)]
    passed = (rng.random(len(index))[:, None] >= np.cumsum(rates)[None, :] * factor[:, None])
    k = passed.sum(axis=1)
    return np.where(k == len(rates), 0, k + 1)


def _plan_curves(rng: np.random.Generator, parts: _Parts) -> list[_Curves]:
    """Route parts through OP10 → OP20 → OP30; a part rejected at a station stops there."""
    route = np.array([3, 2, 1])[parts.product]
    alive = np.ones(len(parts.t_ms), dtype=bool)
    t_ms = parts.t_ms.copy()
    planned: list[_Curves] = []
    for process in range(len(PROCESSES)):
        index = np.flatnonzero(alive & (route > process))
        if process:
            t_ms = t_ms + rng.uniform(*((60, 240) if process == 1 else (300, 1500)),
                                      len(t_ms)).astype(np.int64) * 1000
        modes = _draw_modes(rng, process, parts, index, t_ms[index])
        alive[index[modes >= 2]] = False
        order = np.argsort(t_ms[index], kind="stable")
        planned.append(_Curves(process, index[order], t_ms[index][order], modes[order]))
    oversize = planned[0].part[planned[0].modes == 3]
    parts.pin[oversize] = rng.uniform(22.050, 22.058, len(oversize))
    every = np.concatenate([c.t_ms for c in planned])
    rank = np.empty(len(every), np.uint64)
    rank[np.argsort(every, kind="stable")] = np.arange(1, len(every) + 1, dtype=np.uint64)
    offsets = np.cumsum([0] + [len(c.part) for c in planned])
    for i, curves in enumerate(planned):
        curves.curve_id = rank[offsets[i]:offsets[i + 1]]
    return planned


def _sample_chunks(planned: list[_Curves], parts: _Parts, *, seed: int,
                   chunk: int) -> Iterator[tuple[str, pa.Table]]:
    """Curve samples window by window: ``chunk`` press-fits and the other curves of the same
    hours, so an insert touches few day partitions. Keeps only per-curve summaries."""
    level = 1.0 + 0.5 * ((parts.pin - parts.bore) / 0.031 - 1.0)
    edges = np.append(planned[0].t_ms[::chunk], np.iinfo(np.int64).max)
    edges[0] = np.iinfo(np.int64).min
    for window in range(len(edges) - 1):
        tables = []
        for curves in planned:
            lo, hi = np.searchsorted(curves.t_ms, edges[window:window + 2])
            if lo == hi:
                continue
            rng = np.random.default_rng([seed, 1000 + curves.process, window])
            scale = level[curves.part[lo:hi]] if curves.process == 0 else None
            arrays = generate_curves(PROCESSES[curves.process], curves.modes[lo:hi], rng,
                                     scale=scale)
            curves.outcome.append(arrays.summary())
            tables.append(arrays.samples_table(process=PROCESSES[curves.process],
                                               curve_id=curves.curve_id[lo:hi],
                                               t_ms=curves.t_ms[lo:hi]))
        yield "curve_samples", _concat(tables)


def _summary(curves: _Curves) -> dict[str, np.ndarray]:
    return {key: np.concatenate([o[key] for o in curves.outcome]) for key in curves.outcome[0]}


def _curve_columns(curves: _Curves, parts: _Parts) -> dict[str, pa.Array]:
    """The identifying columns shared by ``curves`` and ``curve_features``."""
    n, part = len(curves.part), curves.part
    return {"curve_id": pa.array(curves.curve_id),
            "part_id": pa.array((part + 1).astype(np.uint64)), "ts": _ts(curves.t_ms),
            "process": _cat(np.zeros(n), [PROCESSES[curves.process]]),
            "line": _cat(parts.line[part], LINES),
            "station": _cat(np.full(n, curves.process), STATIONS),
            "product": _cat(parts.product[part], PRODUCTS)}


def _curves_table(curves: _Curves, parts: _Parts, serials: pa.Array) -> pa.Table:
    spec, out = PROCESS_SPECS[PROCESSES[curves.process]], _summary(curves)
    zeros = np.zeros(len(curves.part))
    key = _curve_columns(curves, parts)
    return pa.table({
        "curve_id": key["curve_id"], "part_id": key["part_id"],
        "serial": serials.take(pa.array(curves.part)),
        **{name: key[name] for name in ("ts", "process", "line", "station", "product")},
        "batch": _cat(parts.batch[curves.part], parts.batch_names),
        "result": _text(out["result"], RESULTS), "defect_mode": _cat(out["mode"], spec.modes),
        "x_name": _cat(zeros, [spec.x_name]), "x_unit": _cat(zeros, [spec.x_unit]),
        "y_name": _cat(zeros, [spec.y_name]), "y_unit": _cat(zeros, [spec.y_unit]),
        **{name: pa.array(out[name]) for name in ("n_points", "x_min", "x_max", "y_min", "y_max")},
    })


def _features_table(curves: _Curves, parts: _Parts) -> pa.Table:
    """One row per curve and feature; a feature a curve lacks (NaN) gets no row."""
    spec, out = PROCESS_SPECS[PROCESSES[curves.process]], _summary(curves)
    names, units = zip(*spec.features, strict=True)
    values = np.column_stack([out[name] for name in names]).astype(np.float64)
    row, col = np.nonzero(~np.isnan(values))
    return (pa.table(_curve_columns(curves, parts)).take(pa.array(row))
            .append_column("feature", _cat(col, names))
            .append_column("value", pa.array(values[row, col]))
            .append_column("unit", _cat(col, units)))


#: Gauge characteristics: name, unit, lower and upper specification limit.
_CHARACTERISTICS: tuple[tuple[str, str, float, float], ...] = (
    ("bore_diameter", "mm", 22.000, 22.021), ("pin_diameter", "mm", 22.035, 22.048),
    ("press_depth", "mm", 11.9, 12.1), ("screw_head_height", "mm", 0.15, 0.45),
    ("cure_hardness", "Shore D", 74.0, 84.0))


def _measurements_table(rng: np.random.Generator, parts: _Parts,
                        planned: list[_Curves]) -> pa.Table:
    """Gauge readings consistent with the curves: an oversize pin, a shallow tilted press…"""
    press, screw, oven = planned
    n_screw, n_oven = len(screw.part), len(oven.part)
    depth = _summary(press)["final_position"] + rng.normal(0.0, 0.004, len(press.part))
    head = np.where(screw.modes == 2, rng.uniform(0.8, 1.6, n_screw),
                    rng.normal(0.30, 0.03, n_screw))
    hard = np.select([oven.modes == 2, oven.modes == 3],
                     [rng.uniform(82.5, 86.0, n_oven), rng.uniform(70.0, 73.5, n_oven)],
                     rng.normal(78.0, 1.2, n_oven))
    seated = press.modes != 2  # nothing to gauge when the part is missing
    readings = [(press, press.modes >= 0, parts.bore, -5000), (press, seated, parts.pin, -4000),
                (press, seated, depth, 3000), (screw, screw.modes != 4, head, 2000),
                (oven, oven.modes >= 0, hard, 60_000)]
    tables = []
    for char, (curves, mask, values, delay) in enumerate(readings):
        part, (_, unit, lsl, usl) = curves.part[mask], _CHARACTERISTICS[char]
        n = len(part)
        tables.append(pa.table({
            "part_id": pa.array((part + 1).astype(np.uint64)),
            "ts": _ts(curves.t_ms[mask] + delay),
            "line": _cat(parts.line[part], LINES),
            "station": _cat(np.full(n, curves.process), STATIONS),
            "product": _cat(parts.product[part], PRODUCTS),
            "characteristic": _cat(np.full(n, char), [c[0] for c in _CHARACTERISTICS]),
            "value": pa.array(values[mask]), "unit": _cat(np.zeros(n), [unit]),
            "lsl": pa.array(np.full(n, lsl)), "usl": pa.array(np.full(n, usl))}))
    return _concat(tables)


def _judgement(planned: list[_Curves], n_parts: int) -> tuple[np.ndarray, ...]:
    """Per part: (result, station, time, global mode index) of the curve that judged it."""
    offset = np.cumsum([0] + [len(PROCESS_SPECS[p].modes) - 1 for p in PROCESSES])
    outs = [_summary(c) for c in planned]
    part = np.concatenate([c.part for c in planned])
    result = np.concatenate([o["result"] for o in outs]).astype(np.int64)
    station = np.concatenate([np.full(len(c.part), c.process) for c in planned])
    mode = np.concatenate([np.where(o["mode"] > 0, o["mode"] + offset[c.process], 0)
                           for c, o in zip(planned, outs, strict=True)])
    worst, chosen = judging_curves(part, result, station, n_parts=n_parts)
    t_ms = np.concatenate([c.t_ms for c in planned])
    return worst, station[chosen], t_ms[chosen], mode[chosen]


def _parts_table(rng: np.random.Generator, parts: _Parts, planned: list[_Curves],
                 serials: pa.Array) -> pa.Table:
    n = len(parts.t_ms)
    result, station, t_ms, mode = _judgement(planned, n)
    first_pass = ~((result == 0) & (rng.random(n) < _REWORK_RATE))
    labels = [""] + [m for p in PROCESSES for m in PROCESS_SPECS[p].modes[1:]]
    return pa.table({
        "part_id": pa.array(np.arange(1, n + 1, dtype=np.uint64)),
        "serial": serials, "ts": _ts(t_ms), "line": _cat(parts.line, LINES),
        "station": _cat(station, STATIONS), "product": _cat(parts.product, PRODUCTS),
        "batch": _cat(parts.batch, parts.batch_names), "shift": _cat(_shift(t_ms), SHIFTS),
        "result": _text(result, RESULTS), "first_pass": pa.array(first_pass.astype(np.uint8)),
        "defect_mode": _cat(mode, labels)})


def _serials(parts: _Parts) -> pa.Array:
    """``LC-<yymm>-<sequence>``: the month the part was made and its running number."""
    months = np.datetime_as_string(parts.t_ms.astype("datetime64[ms]"), unit="M")
    return pa.array([f"LC-{m[2:4]}{m[5:7]}-{i:06d}" for i, m in enumerate(months, start=1)])


def iter_demo_tables(size: DemoSize | str, *, now: datetime,
                     seed: int = 7) -> Iterator[tuple[str, pa.Table]]:
    """Yield ``(table, rows)`` for the demo ending at ``now``, in load order.

    Curve samples come in chunks of ``size.chunk_curves`` curves; the parts table comes
    last, so a complete parts table means the whole demo was written. Same ``size``, ``now``
    and ``seed`` give the same data.
    """
    spec = demo_size(size) if isinstance(size, str) else size
    _check_now(now)
    return _generate(spec, now=now, seed=seed)


def _generate(spec: DemoSize, *, now: datetime, seed: int) -> Iterator[tuple[str, pa.Table]]:
    end_s = int(now.timestamp()) - 2 * 3600  # leave room for the last parts' later stations
    start_s = int((now - timedelta(days=DEMO_DAYS)).timestamp()) + 3600
    horizon = float(end_s - start_s)
    rng = np.random.default_rng([seed, 0])
    timelines = [_line_timeline(rng, line=line, start_s=start_s, horizon=horizon)
                 for line in range(len(LINES))]
    yield "production_events", _events_table(timelines, start_s=start_s, horizon=horizon)
    parts = _place_parts(rng, spec, timelines, start_s=start_s, horizon=horizon)
    planned = _plan_curves(rng, parts)
    yield from _sample_chunks(planned, parts, seed=seed, chunk=spec.chunk_curves)
    serials = _serials(parts)
    yield "curves", _concat([_curves_table(c, parts, serials) for c in planned])
    yield "curve_features", _concat([_features_table(c, parts) for c in planned])
    yield "measurements", _measurements_table(np.random.default_rng([seed, 2]), parts, planned)
    yield "parts", _parts_table(np.random.default_rng([seed, 3]), parts, planned, serials)


def ensure_schema(ch: ClickHouse, database: str) -> None:
    """Create ``database`` and its tables if they do not exist."""
    for statement in schema_statements(database, tiered=True):
        ch.command(statement)


def load_demo(ch: ClickHouse, database: str, *, size: str = "full", now: datetime | None = None,
              seed: int = 7) -> DemoLoadReport:
    """Load the demo into ``database`` unless a complete demo of this size is already there.

    Anything else in the tables (a partial load, another size) is truncated first, so the
    call can be repeated after a crash without duplicating rows.
    """
    began = time.perf_counter()
    spec, db, now = demo_size(size), validate_identifier(database), now or default_now()
    _check_now(now)
    ensure_schema(ch, db)
    # Parts go in last, so a full set of generated parts means a complete demo; parts that
    # the live demo feed added since (serials "LF-…") do not count.
    generated = f"SELECT countIf(NOT startsWith(serial, 'LF-')) FROM {db}.parts"
    if int(ch.scalar(generated)) == spec.press_fit:
        counts = {t: int(ch.scalar(f"SELECT count() FROM {db}.{t}")) for t in ALL_TABLES}
        return DemoLoadReport(db, spec.name, True, counts, counts["curve_samples"],
                              time.perf_counter() - began)
    for table in ALL_TABLES:
        ch.command(f"TRUNCATE TABLE IF EXISTS {db}.{table}")
    rows, insert, mark = dict.fromkeys(ALL_TABLES, 0), 0.0, time.perf_counter()
    for name, data in iter_demo_tables(spec, now=now, seed=seed):
        started = time.perf_counter()
        ch.insert_arrow(name, data, database=db, settings=_INSERT_SETTINGS)
        insert += time.perf_counter() - started
        rows[name] += data.num_rows
    generate = time.perf_counter() - mark - insert
    rows["hourly_yield"] = int(ch.scalar(f"SELECT count() FROM {db}.hourly_yield"))
    return DemoLoadReport(db, spec.name, False, rows, rows["curve_samples"],
                          time.perf_counter() - began, generate, insert)
