"""Dashboard panels of one cluster: KPIs with trend and delta, defect modes, station states,
the station × hour heatmap, and SPC charts of curve features (limits from a baseline)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np

from data import kpis as q
from data.kpis import Session
from lyceum.errors import ValidationError
from services.quality import spc

#: Window key -> (label, length in seconds, trend bucket in seconds).
WINDOWS: dict[str, tuple[str, int, int]] = {
    "1h": ("Last hour", 3600, 300), "shift": ("Last shift (8 h)", 8 * 3600, 1800),
    "24h": ("Last 24 h", 86400, 3600), "7d": ("Last 7 days", 7 * 86400, 6 * 3600)}
BASELINES: dict[str, int] = {"7d": 7 * 86400, "30d": 30 * 86400}
MAX_POINTS = 2000


@dataclass(frozen=True)
class View:
    """What one dashboard shows: a cluster, a window, and optionally a line and a station."""

    cluster_id: int
    window: str = "24h"
    line: str = ""
    station: str = ""

    def __post_init__(self) -> None:
        if self.window not in WINDOWS:
            raise ValidationError("Choose a window: last hour, shift, 24 h or 7 days.")
        for value in (self.line, self.station):
            if len(value) > 60:
                raise ValidationError("That line or station name is too long.")


def bounds(view: View, now: datetime) -> tuple[int, int, int]:
    """(previous window start, window start, end) in Unix milliseconds."""
    end = int(now.timestamp() * 1000)
    length = WINDOWS[view.window][1] * 1000
    return end - 2 * length, end - length, end


@dataclass(frozen=True)
class Kpi:
    """One KPI: its value in the window, in the previous window, and its trend."""

    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    trend: list[float | None]
    higher_is_better: bool = True

    @property
    def delta(self) -> float | None:
        """Change from the previous window (``None`` if either is unknown)."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class KpiPanel:
    """The KPI row: values, previous values, trend bucket times, and the part count."""

    kpis: list[Kpi]
    trend_times: list[str]
    parts: int
    window_start: int
    window_end: int


def _ratio(num: float, den: float) -> float | None:
    return None if den <= 0 else float(100.0 * num / den)


def kpi_panel(s: Session, view: View, *, now: datetime) -> KpiPanel:
    """Yield, first-pass yield, NOK rate and throughput, each with trend and delta."""
    lo, start, hi = bounds(view, now)
    _, length, bucket = WINDOWS[view.window]
    rows = q.yield_buckets(s, lo=lo, start=start, hi=hi, bucket_s=bucket, line=view.line,
                           station=view.station)
    n_buckets = length // bucket
    cur = np.zeros((n_buckets, 4))
    prev = np.zeros(4)
    fp_known = not view.station
    for b, n, ok, fp, nok in rows:
        vec = np.array([n, ok, fp or 0, nok], dtype=float)
        if b < 0:
            prev += vec
        elif b < n_buckets:
            cur[b] += vec
    tot = cur.sum(axis=0)
    hours = length / 3600

    def trend(col: int, den: int | None) -> list[float | None]:
        if den is None:
            return [float(v) / (bucket / 3600) for v in cur[:, col]]
        return [_ratio(a, b) for a, b in zip(cur[:, col], cur[:, den], strict=True)]

    kpis = [
        Kpi("yield", "Yield", "%", _ratio(tot[1], tot[0]), _ratio(prev[1], prev[0]),
            trend(1, 0)),
        Kpi("fpy", "First-pass yield", "%",
            _ratio(tot[2], tot[0]) if fp_known else None,
            _ratio(prev[2], prev[0]) if fp_known else None,
            trend(2, 0) if fp_known else [None] * n_buckets),
        Kpi("nok", "Defect rate", "%", _ratio(tot[3], tot[0]), _ratio(prev[3], prev[0]),
            trend(3, 0), higher_is_better=False),
        Kpi("throughput", "Throughput", "parts/h", float(tot[0] / hours), float(prev[0] / hours),
            trend(0, None)),
    ]
    times = [_iso(start + i * bucket * 1000) for i in range(n_buckets)]
    return KpiPanel(kpis, times, int(tot[0]), start, hi)


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat()


@dataclass(frozen=True)
class DefectMode:
    """One defect mode's rate (% of parts) in the window and the previous window."""

    mode: str
    count: int
    rate: float | None
    previous_rate: float | None


def defect_panel(s: Session, view: View, *, now: datetime, kpis: KpiPanel) -> list[DefectMode]:
    """Defect rate by defect mode, against the parts counted by the KPI panel."""
    lo, start, hi = bounds(view, now)
    modes = q.defect_modes(s, lo=lo, start=start, hi=hi, line=view.line, station=view.station)
    parts = kpis.parts
    prev_parts = (kpis.kpis[3].previous or 0) * WINDOWS[view.window][1] / 3600
    return [DefectMode(m, c, _ratio(c, parts), _ratio(p, prev_parts)) for m, c, p in modes]


@dataclass(frozen=True)
class StationState:
    """A station's current state from its latest production event."""

    line: str
    station: str
    state: str
    reason: str
    since: str
    minutes: float


def status_panel(s: Session, view: View, *, now: datetime) -> list[StationState]:
    """Every station's latest state (running, stopped, changeover) and for how long."""
    hi = int(now.timestamp() * 1000)
    out = []
    for line, station, state, reason, since in q.station_states(s, hi=hi, line=view.line):
        stamp = since if since.tzinfo else since.replace(tzinfo=UTC)
        out.append(StationState(str(line), str(station), str(state), str(reason),
                                stamp.isoformat(), max(0.0, (now - stamp).total_seconds() / 60)))
    return out


@dataclass(frozen=True)
class Heatmap:
    """NOK rate (%) per station (rows) and hour (columns); ``None`` where nothing ran."""

    stations: list[str]
    hours: list[str]
    rates: list[list[float | None]]
    counts: list[list[int]]


def heatmap_panel(s: Session, view: View, *, now: datetime) -> Heatmap:
    """Stations × hours by defect rate over the window (at least the last 24 h)."""
    hi = int(now.timestamp() * 1000)
    length = max(WINDOWS[view.window][1], 86400)
    lo = (hi - length * 1000) // 3_600_000 * 3_600_000
    rows = q.station_hours(s, lo=lo, hi=hi, line=view.line)
    stations = sorted({str(r[0]) for r in rows})
    hours = [_iso(lo + i * 3_600_000) for i in range(int((hi - lo) // 3_600_000) + 1)]
    rates: list[list[float | None]] = [[None] * len(hours) for _ in stations]
    counts = [[0] * len(hours) for _ in stations]
    for station, hour, n, nok in rows:
        h = hour if hour.tzinfo else hour.replace(tzinfo=UTC)
        col = int((h.timestamp() * 1000 - lo) // 3_600_000)
        if 0 <= col < len(hours):
            row = stations.index(str(station))
            rates[row][col], counts[row][col] = _ratio(nok, n), int(n)
    return Heatmap(stations, hours, rates, counts)


@dataclass(frozen=True)
class SpcChart:
    """A control chart ready to draw: points, limits from the baseline, flags, capability."""

    title: str
    kind: str
    unit: str
    times: list[str]
    values: list[float]
    center: float | None
    lcl: list[float]
    ucl: list[float]
    flagged: list[int]
    flags: dict[str, list[int]] = field(default_factory=dict)
    curve_ids: list[list[int]] = field(default_factory=list)
    cp: float | None = None
    cpk: float | None = None
    note: str = ""
    lsl: float | None = None
    usl: float | None = None


def feature_chart(s: Session, view: View, *, now: datetime, process: str, feature: str,
                  kind: str = "xbar_r", baseline: str = "7d",
                  spec: tuple[str, float | None, float | None] | None = None) -> SpcChart:
    """An X̄-R / X̄-S / I-MR chart of a feature: limits from the baseline before the window;
    Cp/Cpk against ``spec`` (unit, LSL, USL) when it has a limit (none without ``spec``)."""
    if baseline not in BASELINES:
        raise ValidationError("Choose one of the listed baselines.")
    unit, lsl, usl = spec or ("", None, None)
    _, start, hi = bounds(view, now)
    size = {"xbar_r": 5, "xbar_s": 10, "imr": 1}.get(kind)
    if size is None:
        raise ValidationError("Choose X̄-R, X̄-S or I-MR.")
    base = q.feature_values(s, process=process, feature=feature, lo=start - BASELINES[baseline]
                            * 1000, hi=start, line=view.line, limit=MAX_POINTS * 2)
    rows = q.feature_values(s, process=process, feature=feature, lo=start, hi=hi,
                            line=view.line, limit=MAX_POINTS)
    title = f"{feature.replace('_', ' ')} ({process})"
    empty = SpcChart(title, kind, unit, [], [], None, [], [], [], lsl=lsl, usl=usl)
    if len(base) < max(3, 2 * size) or len(rows) < max(1, size):
        return SpcChart(**{**empty.__dict__, "note": "Not enough data in the window or the "
                                                      "baseline for this chart."})
    limits = spc.chart_limits(kind, [r[1] for r in base], size=max(size, 2))
    values, _ = spc.plotted(kind, [r[1] for r in rows], size=max(size, 2))
    step = max(size, 1)
    groups = [[int(r[2]) for r in rows[i:i + step]] for i in range(0, len(values) * step, step)]
    times = [rows[i * step][0].isoformat() for i in range(len(values))]
    rules = spc.run_rules(values, limits.location)
    cp = cpk = None
    if lsl is not None or usl is not None:
        cap = spc.capability(float(np.mean([r[1] for r in base])), limits.sigma_within,
                             lsl=lsl, usl=usl)
        cp, cpk = cap.cp, cap.cpk
    n = len(values)
    return SpcChart(title, kind, unit, times, [float(v) for v in values],
                    limits.location.center, [limits.location.lcl] * n,
                    [limits.location.ucl] * n, rules.flagged(),
                    {k: v for k, v in rules.flags.items() if v}, groups, cp, cpk,
                    lsl=lsl, usl=usl)


def p_chart_panel(s: Session, view: View, *, now: datetime, baseline: str = "7d") -> SpcChart:
    """The p-chart of the NOK fraction per trend bucket, against the baseline's p̄."""
    lo, start, hi = bounds(view, now)
    _, length, bucket = WINDOWS[view.window]
    rows = q.yield_buckets(s, lo=start, start=start, hi=hi, bucket_s=bucket, line=view.line)
    nok, parts = q.nok_fraction(s, lo=start - BASELINES[baseline] * 1000, hi=start,
                                line=view.line)
    points = [(b, n, d) for b, n, _, _, d in rows if n > 0 and 0 <= b < length // bucket]
    if parts == 0 or not points:
        return SpcChart("Defect rate (p-chart)", "p", "%", [], [], None, [], [], [],
                        note="Not enough parts in the window or the baseline.")
    chart = spc.p_chart([d for _, _, d in points], [n for _, n, _ in points],
                        baseline_p=nok / parts)
    flagged = [i for i, (p, u) in enumerate(zip(chart.p, chart.ucl, strict=True)) if p > u]
    return SpcChart("Defect rate (p-chart)", "p", "%",
                    [_iso(start + b * bucket * 1000) for b, _, _ in points],
                    [100 * float(p) for p in chart.p], 100 * chart.center,
                    [100 * float(v) for v in chart.lcl], [100 * float(v) for v in chart.ucl],
                    flagged)
