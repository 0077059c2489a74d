"""Demo process curves: press-fit, screw-driving and temperature-cycle shapes with defect modes.

Every generator works on a whole chunk of curves at once: per-curve parameters are drawn as
arrays, expanded to the points with one index array, and the features are computed with
segment reductions (``ufunc.reduceat``). Nothing here loops over points or does I/O.
The Arrow column helpers (``timestamps``, ``categories``, …) also serve
:mod:`services.demo.plant`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

PRESS_FIT = "press-fit"
SCREW_DRIVING = "screw-driving"
TEMPERATURE = "temperature-cycle"
#: Processes in the order a part visits their stations (OP10, OP20, OP30).
PROCESSES: tuple[str, ...] = (PRESS_FIT, SCREW_DRIVING, TEMPERATURE)
#: Result labels by code (0 = OK, 1 = WARNING, 2 = NOK); codes order by severity.
RESULTS: tuple[str, ...] = ("OK", "WARNING", "NOK")
#: Mode codes: 0 is a good curve, 1 a borderline one, 2 and up the defects of the process.
MODE_OK, MODE_WARNING = 0, 1

FloatArray = np.ndarray


@dataclass(frozen=True)
class ProcessSpec:
    """A process: its station, axes, points per curve, defect modes and features."""

    name: str
    station: str
    x_name: str
    x_unit: str
    y_name: str
    y_unit: str
    points: tuple[int, int]
    warning_mode: str
    warning_rate: float
    defects: tuple[tuple[str, float], ...]
    features: tuple[tuple[str, str], ...]

    @property
    def modes(self) -> tuple[str, ...]:
        """Mode names by code: ``''`` (OK), the borderline name, then the defects."""
        return ("", self.warning_mode, *(name for name, _ in self.defects))

    @property
    def rates(self) -> tuple[float, ...]:
        """Base probability of each non-OK mode code (1, 2, …) per curve."""
        return (self.warning_rate, *(rate for _, rate in self.defects))


PROCESS_SPECS: dict[str, ProcessSpec] = {
    PRESS_FIT: ProcessSpec(
        PRESS_FIT, "OP10 Press-fit", "stroke", "mm", "force", "kN", (1000, 2000),
        "press force near limit", 0.016,
        (("missing part", 0.005), ("oversize part", 0.008), ("tilted press-in", 0.010)),
        (("peak_force", "kN"), ("final_position", "mm"), ("force_at_knee", "kN"),
         ("knee_position", "mm"))),
    SCREW_DRIVING: ProcessSpec(
        SCREW_DRIVING, "OP20 Screw-driving", "angle", "deg", "torque", "Nm", (600, 1000),
        "torque near limit", 0.02,
        (("cross-thread", 0.012), ("stripped screw", 0.008), ("missing screw", 0.005)),
        (("final_torque", "Nm"), ("peak_torque", "Nm"), ("final_angle", "deg"),
         ("snug_angle", "deg"))),
    TEMPERATURE: ProcessSpec(
        TEMPERATURE, "OP30 Curing oven", "time", "s", "temperature", "°C", (400, 800),
        "temperature near limit", 0.02,
        (("oven overshoot", 0.015), ("short soak", 0.012)),
        (("max_temperature", "°C"), ("soak_time", "s"), ("cycle_time", "s"))),
}
#: OK windows used to judge curves that carry no injected defect (outside: WARNING).
PEAK_FORCE_OK = (16.0, 24.0)
FINAL_TORQUE_OK = (8.0, 9.0)
MAX_TEMPERATURE_OK = 166.0
SOAK_TIME_OK = 1300.0
SOAK_LEVEL = 155.0
SNUG_TORQUE = 1.0


@dataclass(frozen=True)
class CurveArrays:
    """A chunk of curves: flat ``x``/``y`` points, per-curve counts, features and judgement."""

    n_points: np.ndarray
    x: np.ndarray
    y: np.ndarray
    features: dict[str, FloatArray]
    result: np.ndarray
    mode: np.ndarray

    @property
    def starts(self) -> np.ndarray:
        """Index of each curve's first point in ``x``/``y``."""
        return _starts(self.n_points)

    def summary(self) -> dict[str, np.ndarray]:
        """Per-curve columns only (counts, ranges, result, mode, features): no points."""
        starts = self.starts
        return {"n_points": self.n_points.astype(np.uint32),
                "x_min": np.minimum.reduceat(self.x, starts),
                "x_max": np.maximum.reduceat(self.x, starts),
                "y_min": np.minimum.reduceat(self.y, starts),
                "y_max": np.maximum.reduceat(self.y, starts),
                "result": self.result, "mode": self.mode, **self.features}

    def samples_table(self, *, process: str, curve_id: np.ndarray,
                      t_ms: np.ndarray) -> pa.Table:
        """The ``curve_samples`` rows of this chunk; every sample carries its curve's time."""
        total = len(self.x)
        local = np.arange(total) - np.repeat(self.starts, self.n_points)
        return pa.table({
            "curve_id": pa.array(np.repeat(np.asarray(curve_id, np.uint64), self.n_points)),
            "ts": timestamps(np.repeat(t_ms, self.n_points)),
            "process": categories(np.zeros(total), [process]),
            "idx": pa.array(local.astype(np.uint16)),
            "x": pa.array(self.x),
            "y": pa.array(self.y),
        })


@dataclass(frozen=True)
class _Layout:
    n: np.ndarray
    starts: np.ndarray
    ci: np.ndarray
    u: FloatArray

    @property
    def last(self) -> np.ndarray:
        return self.starts + self.n - 1


def _starts(n: np.ndarray) -> np.ndarray:
    return np.concatenate(([0], np.cumsum(n)[:-1])).astype(np.int64)


def _layout(n: np.ndarray) -> _Layout:
    starts = _starts(n)
    ci = np.repeat(np.arange(len(n)), n)
    local = np.arange(int(n.sum())) - starts[ci]
    return _Layout(n, starts, ci, local / (n[ci] - 1))


def _seg_first(mask: np.ndarray, lay: _Layout) -> np.ndarray:
    """Global index of each curve's first point where ``mask`` holds (-1 if none)."""
    big = len(mask)
    first = np.minimum.reduceat(np.where(mask, np.arange(big), big), lay.starts)
    return np.where(first == big, -1, first)


def _seg_argmax(values: FloatArray, lay: _Layout) -> np.ndarray:
    peak = np.maximum.reduceat(values, lay.starts)
    return _seg_first(values >= peak[lay.ci], lay)


def timestamps(ms: np.ndarray) -> pa.Array:
    """An Arrow ``timestamp[ms, UTC]`` column (ClickHouse ``DateTime64(3, 'UTC')``)."""
    return pa.array(np.asarray(ms, dtype=np.int64), type=pa.timestamp("ms", tz="UTC"))


def categories(codes: np.ndarray, labels: tuple[str, ...] | list[str]) -> pa.Array:
    """A dictionary-encoded string column (ClickHouse ``LowCardinality(String)``)."""
    return pa.DictionaryArray.from_arrays(np.asarray(codes, dtype=np.int32),
                                          pa.array(list(labels), pa.string()))


def texts(codes: np.ndarray, labels: tuple[str, ...] | list[str]) -> pa.Array:
    """A plain string column: ``labels[codes]`` (for ``String`` and ``Enum8`` columns)."""
    return categories(codes, labels).dictionary_decode()


def concat_tables(tables: list[pa.Table]) -> pa.Table:
    """One table with one chunk per column and one dictionary per categorical column."""
    return pa.concat_tables(tables).unify_dictionaries().combine_chunks()


def generate_curves(process: str, modes: np.ndarray, rng: np.random.Generator,
                    *, scale: FloatArray | None = None) -> CurveArrays:
    """Generate one chunk of curves of ``process``, one per entry of ``modes`` (mode codes).

    ``scale`` multiplies each curve's nominal process level (for press-fit: the
    interference of the mating parts). Curves carrying a defect code are judged NOK;
    the others WARNING when a feature leaves its OK window, else OK.
    """
    spec = PROCESS_SPECS[process]
    modes = np.asarray(modes, dtype=np.int64)
    k = len(modes)
    n = rng.integers(spec.points[0], spec.points[1] + 1, k)
    lay = _layout(n)
    level = np.ones(k) if scale is None else np.asarray(scale, dtype=np.float64)
    x, y = _SHAPES[process](modes, lay, rng, level)
    features = _FEATURES[process](x, y, lay)
    ok = _JUDGE[process](features)
    result = np.where(modes >= 2, 2, np.where(ok, 0, 1)).astype(np.uint8)
    mode = np.where(modes >= 2, modes, np.where(ok, MODE_OK, MODE_WARNING))
    return CurveArrays(n, x.astype(np.float32), y.astype(np.float32), features, result, mode)


def judging_curves(part: np.ndarray, result: np.ndarray, station: np.ndarray,
                   *, n_parts: int) -> tuple[np.ndarray, np.ndarray]:
    """Per part (``0..n_parts-1``), its worst result code and the index of the curve that
    judged it: the first station giving the worst result, or the last station if all OK."""
    worst = np.zeros(n_parts, np.int64)
    np.maximum.at(worst, part, result)
    score = np.where(result == worst[part], np.where(worst[part] > 0, -station, station), -9)
    order = np.lexsort((score, part))
    return worst, order[np.append(np.flatnonzero(np.diff(part[order])), len(order) - 1)]


def _jitter(lay: _Layout, rng: np.random.Generator, length: FloatArray) -> FloatArray:
    """Sampling jitter of at most a fifth of a step, so the axis stays strictly increasing."""
    step = length / (lay.n - 1)
    return rng.uniform(-0.2, 0.2, len(lay.ci)) * step[lay.ci]


def _press_fit(modes: np.ndarray, lay: _Layout, rng: np.random.Generator,
               level: FloatArray) -> tuple[FloatArray, FloatArray]:
    k, ci = len(modes), lay.ci
    warn, missing, oversize, tilted = (modes == code for code in (1, 2, 3, 4))
    end = rng.normal(12.0, 0.02, k) - tilted * rng.uniform(0.15, 0.3, k)
    contact = rng.normal(3.0, 0.12, k) - oversize * rng.uniform(0.4, 0.8, k)
    lam = rng.normal(0.6, 0.05, k) * np.where(oversize, 0.7, 1.0)
    slope = rng.normal(0.25, 0.03, k) * ~missing
    friction = rng.normal(0.15, 0.03, k)
    block = np.where(missing, rng.uniform(0.2, 0.5, k), rng.normal(3.5, 0.3, k))
    plateau = 14.5 * level * rng.normal(1.0, 0.03, k)
    plateau = np.where(oversize, plateau * rng.uniform(1.4, 1.6, k), plateau * ~missing)
    rise = 1.0 - np.exp(-(end - contact) / lam)
    target = np.where(rng.random(k) < 0.7, rng.uniform(24.3, 25.6, k), rng.uniform(14.4, 15.7, k))
    plateau = np.where(warn, (target - friction - block - slope * (end - contact)) / rise, plateau)
    x = np.maximum(end[ci] * lay.u + _jitter(lay, rng, end), 0.0)
    pressed = np.maximum(x - contact[ci], 0.0)
    y = (friction[ci] + plateau[ci] * (1.0 - np.exp(-pressed / lam[ci])) + slope[ci] * pressed
         + block[ci] * np.exp((x - end[ci]) / 0.08))
    hit = tilted[ci]
    xs, spike_at = x[hit], rng.uniform(contact + 1.5, end - 1.5)[ci][hit]
    irregular = rng.uniform(3.0, 6.0, k)[ci][hit] * np.exp(-(((xs - spike_at) / 0.12) ** 2))
    y[hit] += irregular + 0.6 * np.sin(2 * np.pi * (xs - spike_at) / 0.35) * (xs > spike_at)
    y += rng.standard_normal(len(ci)) * (0.03 + 0.004 * np.abs(y))
    return x, y


def _screw_driving(modes: np.ndarray, lay: _Layout, rng: np.random.Generator,
                   level: FloatArray) -> tuple[FloatArray, FloatArray]:
    k, ci, u = len(modes), lay.ci, lay.u
    warn, cross, stripped, missing = (modes == code for code in (1, 2, 3, 4))
    snug = rng.normal(1800.0, 50.0, k)
    tight = rng.normal(40.0, 3.0, k)
    final = rng.normal(8.5, 0.12, k) * level
    high = rng.random(k) < 0.5
    final = np.where(warn, np.where(high, rng.uniform(9.1, 9.35, k), rng.uniform(7.65, 7.9, k)),
                     final)
    run, snug_torque = rng.normal(0.35, 0.04, k), rng.normal(1.2, 0.1, k)
    strip_frac = rng.uniform(0.5, 0.8, k)
    span = np.where(stripped, tight * strip_frac + rng.uniform(60.0, 120.0, k), tight)
    cross_end = rng.uniform(0.35, 0.75, k) * snug
    cross_start = np.maximum(cross_end - rng.uniform(250.0, 500.0, k), 50.0)
    free_end = rng.normal(3600.0, 30.0, k)
    q = 0.6  # share of the points in the run-down; the tool slows down at the snug point
    x = np.where(u < q, snug[ci] * u / q, snug[ci] + span[ci] * (u - q) / (1 - q))
    x = np.where(cross[ci], cross_end[ci] * u, np.where(missing[ci], free_end[ci] * u, x))
    ripple = 0.06 * np.sin(2 * np.pi * x / 360.0 + rng.uniform(0, 2 * np.pi, k)[ci])
    p = np.clip((x - snug[ci]) / tight[ci], 0.0, None)
    tightening = snug_torque[ci] + (final - snug_torque)[ci] * np.minimum(p, 1.0) ** 1.2
    strip_at = snug + tight * strip_frac
    peak = snug_torque + (final - snug_torque) * strip_frac**1.2
    residual = rng.uniform(0.8, 1.5, k)
    collapse = residual[ci] + (peak - residual)[ci] * np.exp(-(x - strip_at[ci]) / 12.0)
    tightening = np.where(stripped[ci] & (x > strip_at[ci]), collapse, tightening)
    rundown = run[ci] + ripple + (snug_torque - run)[ci] * np.exp(np.minimum(x - snug[ci], 0) / 15)
    y = np.where(x < snug[ci], rundown, tightening)
    galling = np.clip((x - cross_start[ci]) / (cross_end - cross_start)[ci], 0.0, 1.0) ** 1.6
    y = np.where(cross[ci], run[ci] + ripple + (final - run)[ci] * galling, y)
    y = np.where(missing[ci], 0.05 + 0.3 * ripple, y)
    y += rng.standard_normal(len(ci)) * (0.01 + 0.004 * np.abs(y))
    return x, y


def _temperature(modes: np.ndarray, lay: _Layout, rng: np.random.Generator,
                 level: FloatArray) -> tuple[FloatArray, FloatArray]:
    k, ci = len(modes), lay.ci
    warn, overshoot, short = (modes == code for code in (1, 2, 3))
    start, setpoint = rng.normal(24.0, 1.5, k), rng.normal(160.0, 0.6, k) * level
    tau, tau_cool = rng.normal(110.0, 8.0, k), rng.normal(260.0, 15.0, k)
    bump = np.where(overshoot, rng.uniform(12.0, 20.0, k), rng.normal(1.5, 0.4, k))
    warn_hot = warn & (rng.random(k) < 0.6)
    bump = np.where(warn_hot, rng.uniform(7.5, 9.5, k), bump)
    soak = rng.normal(1250.0, 25.0, k)
    soak = np.where(short, rng.uniform(450.0, 850.0, k), soak)
    soak = np.where(warn & ~warn_hot, rng.uniform(960.0, 1010.0, k), soak)
    ramp, cool, end_temp = 600.0, rng.normal(600.0, 20.0, k), rng.normal(45.0, 3.0, k)
    duration = ramp + soak + cool
    t = duration[ci] * lay.u + _jitter(lay, rng, duration) * (lay.u > 0) * (lay.u < 1)
    heat = setpoint[ci] + (start - setpoint)[ci] * np.exp(-t / tau[ci])
    heat += bump[ci] * np.exp(-(((t - 5.0 * tau[ci]) / (0.8 * tau[ci])) ** 2))
    cool_start = (ramp + soak)[ci]
    cooling = end_temp[ci] + (setpoint - end_temp)[ci] * np.exp(-(t - cool_start) / tau_cool[ci])
    y = np.where(t < cool_start, heat, cooling) + rng.normal(0.0, 0.25, len(ci))
    return t, y


def _press_fit_features(x: FloatArray, y: FloatArray, lay: _Layout) -> dict[str, FloatArray]:
    peak_at = _seg_argmax(y, lay)
    x0, y0 = x[lay.starts], y[lay.starts]
    run = np.maximum(x[peak_at] - x0, 1e-6)
    chord = y0[lay.ci] + (y[peak_at] - y0)[lay.ci] * (x - x0[lay.ci]) / run[lay.ci]
    distance = np.where(np.arange(len(x)) <= peak_at[lay.ci], y - chord, -np.inf)
    knee = _seg_argmax(distance, lay)
    return {"peak_force": y[peak_at], "final_position": x[lay.last],
            "force_at_knee": y[knee], "knee_position": x[knee]}


def _screw_features(x: FloatArray, y: FloatArray, lay: _Layout) -> dict[str, FloatArray]:
    snug = _seg_first(y >= SNUG_TORQUE, lay)
    return {"final_torque": y[lay.last], "peak_torque": np.maximum.reduceat(y, lay.starts),
            "final_angle": x[lay.last], "snug_angle": np.where(snug >= 0, x[snug], np.nan)}


def _temperature_features(x: FloatArray, y: FloatArray, lay: _Layout) -> dict[str, FloatArray]:
    step = (x[lay.last] - x[lay.starts]) / (lay.n - 1)
    above = np.add.reduceat((y >= SOAK_LEVEL).astype(np.float64), lay.starts)
    return {"max_temperature": np.maximum.reduceat(y, lay.starts), "soak_time": above * step,
            "cycle_time": x[lay.last]}


def _in(values: FloatArray, window: tuple[float, float]) -> np.ndarray:
    return (values >= window[0]) & (values <= window[1])


_Shape = Callable[[np.ndarray, _Layout, np.random.Generator, FloatArray],
                  tuple[FloatArray, FloatArray]]
_SHAPES: dict[str, _Shape] = {
    PRESS_FIT: _press_fit, SCREW_DRIVING: _screw_driving, TEMPERATURE: _temperature}
_FEATURES: dict[str, Callable[[FloatArray, FloatArray, _Layout], dict[str, FloatArray]]] = {
    PRESS_FIT: _press_fit_features, SCREW_DRIVING: _screw_features,
    TEMPERATURE: _temperature_features}
_JUDGE: dict[str, Callable[[dict[str, FloatArray]], np.ndarray]] = {
    PRESS_FIT: lambda f: _in(f["peak_force"], PEAK_FORCE_OK),
    SCREW_DRIVING: lambda f: _in(f["final_torque"], FINAL_TORQUE_OK),
    TEMPERATURE: lambda f: (f["max_temperature"] <= MAX_TEMPERATURE_OK)
    & (f["soak_time"] >= SOAK_TIME_OK),
}
