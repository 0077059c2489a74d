"""Dashboard panels of one cluster: KPIs with trend and delta, defect modes, station states
and the station × hour heatmap (the SPC panel is :mod:`services.quality.spc_panel`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from data.analytics import kpis as q
from data.analytics.kpis import Session
from lyceum.errors import ValidationError

#: Window key -> (label, length in seconds, trend bucket in seconds).
WINDOWS: dict[str, tuple[str, int, int]] = {
    "1h": ("Last hour", 3600, 300), "shift": ("Last shift (8 h)", 8 * 3600, 1800),
    "24h": ("Last 24 h", 86400, 3600), "7d": ("Last 7 days", 7 * 86400, 6 * 3600)}


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
