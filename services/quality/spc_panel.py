"""The dashboard's SPC panel: a variables chart of a curve feature (X̄-R, X̄-S or I-MR, two
panels on a shared subgroup index) or an attribute chart (p, np, u, c) of the parts, with
limits from a chosen baseline, rule violations, excluded subgroups and a capability study.

Everything here returns plain data; the component layer draws it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from data.analytics import kpis as q
from data.analytics.kpis import Session
from lyceum.errors import ValidationError
from services.explorer.state import ExplorerState, explorer_url
from services.quality import spc, spc_attributes, spc_capability
from services.quality.kpis import WINDOWS, View, bounds
from services.quality.spc_baseline import BEFORE, DATES, SUBGROUPS, BaselineChoice, describe

#: Chart kind → (subgroup size, location label, dispersion label).
KINDS: dict[str, tuple[int, str, str]] = {
    "xbar_r": (5, "X̄", "R"), "xbar_s": (10, "X̄", "S"), "imr": (1, "Individual", "MR")}
RULE_SETS: dict[str, tuple[str, ...]] = {"nelson": spc.NELSON, "we": spc.WESTERN_ELECTRIC}
MAX_VALUES = 2000
MAX_VIOLATIONS = 200


def rule_number(rule: str) -> str:
    """The short name drawn at a flagged point: "N3", "WE2"."""
    return rule.replace("nelson", "N").replace("we", "WE")


@dataclass(frozen=True)
class ChartSeries:
    """One panel: a statistic per subgroup and its centre line and limits per subgroup."""

    label: str
    values: list[float | None]
    center: list[float]
    lcl: list[float]
    ucl: list[float]
    stepped: bool = False


@dataclass(frozen=True)
class Violation:
    """A rule broken at a subgroup (1-based) of one panel, with a link to its curves."""

    rule: str
    number: str
    description: str
    chart: str
    subgroup: int
    time: str
    value: float
    explorer: str | None = None


@dataclass(frozen=True)
class SpcPanel:
    """A chart ready to draw (``note`` says why it is empty when it is)."""

    title: str
    kind: str
    unit: str
    subgroup_size: int
    times: list[str] = field(default_factory=list)
    series: list[ChartSeries] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    excluded: list[int] = field(default_factory=list)
    baseline: str = ""
    capability: spc_capability.CapabilityStudy | None = None
    histogram: list[float] = field(default_factory=list)
    points: list[dict[str, Any]] = field(default_factory=list)
    note: str = ""


def _utc(ts: datetime) -> datetime:
    return ts if ts.tzinfo else ts.replace(tzinfo=UTC)


def _chunks(rows: Sequence[tuple[Any, ...]], step: int) -> list[Sequence[tuple[Any, ...]]]:
    return [rows[i:i + step] for i in range(0, len(rows) - step + 1, step)]


def curves_link(cluster_id: int, process: str, group: Sequence[tuple[Any, ...]]) -> str | None:
    """The explorer on the curves of one subgroup, highlighted (as an alert links them)."""
    if not group:
        return None
    state = ExplorerState(process=process, highlight=tuple(int(r[2]) for r in group),
                          start=_utc(group[0][0]) - timedelta(seconds=1),
                          end=_utc(group[-1][0]) + timedelta(seconds=1))
    return explorer_url(cluster_id, state)


def _violations(series: ChartSeries, z: np.ndarray, rules: Sequence[str], *,
                times: list[str], excluded: set[int],
                link: Any = None) -> list[Violation]:
    found = spc.run_rules_z(z, rules=rules)
    out = []
    for rule, hits in found.flags.items():
        for i in hits:
            value = series.values[i]
            if i in excluded or value is None:
                continue
            out.append(Violation(rule, rule_number(rule), spc.RULE_LABELS[rule], series.label,
                                 i + 1, times[i], float(value), link(i) if link else None))
    return sorted(out, key=lambda v: (v.subgroup, v.chart, v.rule))[:MAX_VIOLATIONS]


def _z(values: Sequence[float | None], limits: spc.Limits) -> np.ndarray:
    sigma = limits.sigma
    data = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    return (data - limits.center) / sigma if sigma > 0 else np.zeros(len(data))


def _series(label: str, values: np.ndarray, limits: spc.Limits) -> ChartSeries:
    n = len(values)
    return ChartSeries(label, [None if np.isnan(v) else float(v) for v in values],
                       [limits.center] * n, [limits.lcl] * n, [limits.ucl] * n)


def _baseline_rows(s: Session, view: View, choice: BaselineChoice, *, process: str,
                   feature: str, start: int, step: int,
                   window: list[Sequence[tuple[Any, ...]]]) -> list[Sequence[tuple[Any, ...]]]:
    """The baseline's subgroups (before exclusions)."""
    if choice.kind == SUBGROUPS:
        assert choice.first is not None and choice.last is not None
        if choice.last > len(window):
            raise ValidationError(f"The window has {len(window)} subgroups; choose a baseline "
                                  f"within 1–{len(window)}.", fields={"last": "too large"})
        return window[choice.first - 1:choice.last]
    lo, hi = (choice.period_ms() if choice.kind == DATES
              else (start - BEFORE[choice.kind] * 1000, start))
    rows = q.feature_values(s, process=process, feature=feature, lo=lo, hi=hi,
                            line=view.line, limit=MAX_VALUES * 2)
    return _chunks(rows, step)


def _kept_baseline(s: Session, view: View, baseline: BaselineChoice, *, process: str,
                   feature: str, start: int, step: int, window: list[Sequence[tuple[Any, ...]]],
                   skip: set[int], excluded: frozenset[int],
                   unit: str) -> tuple[list[Sequence[tuple[Any, ...]]], str]:
    """The baseline's subgroups without the excluded ones, and the sentence describing it."""
    base = _baseline_rows(s, view, baseline, process=process, feature=feature, start=start,
                          step=step, window=window)
    offset = (baseline.first or 1) - 1 if baseline.kind == SUBGROUPS else None
    kept = [g for j, g in enumerate(base) if (offset is not None and offset + j not in skip)
            or (offset is None and not any(int(r[2]) in excluded for r in g))]
    text = describe(baseline, count=len(kept), excluded=len(base) - len(kept),
                    first=_utc(kept[0][0][0]) if kept else None,
                    last=_utc(kept[-1][-1][0]) if kept else None, unit=unit)
    return kept, text


def _limits(kind: str, groups: np.ndarray) -> spc.ChartLimits:
    if kind == "imr":
        return spc.imr_limits(groups.ravel())
    return spc.xbar_r_limits(groups) if kind == "xbar_r" else spc.xbar_s_limits(groups)


def _plotted(kind: str, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if kind == "imr":
        flat = values.ravel()
        return flat, np.concatenate(([np.nan], np.abs(np.diff(flat))))
    spread = np.ptp(values, axis=1) if kind == "xbar_r" else values.std(axis=1, ddof=1)
    return values.mean(axis=1), spread


def feature_panel(s: Session, view: View, *, now: datetime, process: str, feature: str,
                  kind: str, baseline: BaselineChoice, spec: tuple[str, float | None,
                                                                   float | None],
                  excluded: frozenset[int] = frozenset(), rules: str = "nelson") -> SpcPanel:
    """A variables chart of one feature in the window: subgroups in time order, limits from
    ``baseline`` without the subgroups holding an ``excluded`` curve, violations of the
    ``rules`` set, and the window's capability against ``spec`` (unit, LSL, USL)."""
    if kind not in KINDS or rules not in RULE_SETS:
        raise ValidationError("Choose X̄-R, X̄-S or I-MR, and Nelson or Western Electric rules.")
    size, loc_label, disp_label = KINDS[kind]
    unit, lsl, usl = spec
    step = max(size, 1)
    title = f"{feature.replace('_', ' ')} ({process})"
    empty = SpcPanel(title, kind, unit, size)
    _, start, hi = bounds(view, now)
    rows = q.feature_values(s, process=process, feature=feature, lo=start, hi=hi,
                            line=view.line, limit=MAX_VALUES)
    window = _chunks(rows, step)
    if len(window) < 2:
        return SpcPanel(**{**empty.__dict__, "note": "Not enough values in this window for "
                           "the chart: choose a longer window or another feature."})
    skip = {i for i, g in enumerate(window) if any(int(r[2]) in excluded for r in g)}
    kept, text = _kept_baseline(s, view, baseline, process=process, feature=feature,
                                start=start, step=step, window=window, skip=skip,
                                excluded=excluded, unit="values" if kind == "imr" else
                                "subgroups")
    if len(kept) < (3 if kind == "imr" else 2):
        return SpcPanel(**{**empty.__dict__, "baseline": text, "note": "Not enough data in "
                           "the baseline for limits: choose another baseline."})
    limits = _limits(kind, np.array([[r[1] for r in g] for g in kept], dtype=np.float64))
    values = np.array([[r[1] for r in g] for g in window], dtype=np.float64)
    location, dispersion = _plotted(kind, values)
    times = [_utc(g[0][0]).isoformat() for g in window]
    series = [_series(loc_label, location, limits.location),
              _series(disp_label, dispersion, limits.dispersion)]
    def link(i: int) -> str | None:
        return curves_link(view.cluster_id, process, window[i])
    found = [*_violations(series[0], _z(series[0].values, limits.location), RULE_SETS[rules],
                          times=times, excluded=skip, link=link),
             *_violations(series[1], _z(series[1].values, limits.dispersion),
                          RULE_SETS[rules][:1], times=times, excluded=skip, link=link)]
    found.sort(key=lambda v: (v.subgroup, v.chart, v.rule))
    judged = values[[i for i in range(len(window)) if i not in skip]]
    study = spc_capability.study(kind, judged.reshape(1, -1) if kind == "imr" else judged,
                                 lsl=lsl, usl=usl)
    points = [{"curves": [int(r[2]) for r in g], "time": t} for g, t in zip(window, times,
                                                                          strict=True)]
    return SpcPanel(title, kind, unit, size, times, series, found[:MAX_VIOLATIONS],
                    sorted(skip), text, study, [float(v) for v in judged.ravel()], points)


def attribute_panel(s: Session, view: View, *, now: datetime, kind: str,
                    baseline: BaselineChoice, rules: str = "nelson") -> SpcPanel:
    """A p, np, u or c chart of the window's trend buckets (parts, NOK parts, NOK curves),
    limits from ``baseline``; stepped where the subgroup sizes differ."""
    if kind not in spc_attributes.ATTRIBUTE_KINDS or rules not in RULE_SETS:
        raise ValidationError("Choose a p, np, u or c chart.")
    _, start, hi = bounds(view, now)
    _, length, bucket = WINDOWS[view.window]
    title = spc_attributes.ATTRIBUTE_LABELS[kind]
    empty = SpcPanel(title, kind, "", 0)
    rows = [r for r in q.attribute_buckets(s, lo=start, start=start, hi=hi, bucket_s=bucket,
                                           line=view.line, station=view.station)
            if r[1] > 0 and 0 <= r[0] < length // bucket]
    if len(rows) < 2:
        return SpcPanel(**{**empty.__dict__, "note": "Not enough parts in this window."})
    if baseline.kind == SUBGROUPS:
        assert baseline.first is not None and baseline.last is not None
        if baseline.last > len(rows):
            raise ValidationError(f"The window has {len(rows)} subgroups; choose a baseline "
                                  f"within 1–{len(rows)}.", fields={"last": "too large"})
        base = rows[baseline.first - 1:baseline.last]
        first, last = start + base[0][0] * bucket * 1000, start + base[-1][0] * bucket * 1000
    else:
        lo, top = (baseline.period_ms() if baseline.kind == DATES
                   else (start - BEFORE[baseline.kind] * 1000, start))
        base = [r for r in q.attribute_buckets(s, lo=lo, start=start, hi=top, bucket_s=bucket,
                                               line=view.line, station=view.station)
                if r[1] > 0]
        first = start + base[0][0] * bucket * 1000 if base else 0
        last = start + base[-1][0] * bucket * 1000 if base else 0
    text = describe(baseline, count=len(base), excluded=0,
                    first=datetime.fromtimestamp(first / 1000, UTC) if base else None,
                    last=datetime.fromtimestamp(last / 1000, UTC) if base else None)
    if len(base) < 2:
        return SpcPanel(**{**empty.__dict__, "baseline": text,
                           "note": "Not enough parts in the baseline for limits."})
    counts = spc_attributes.Counts.of(*zip(*[r[1:] for r in rows], strict=True))
    chart = spc_attributes.attribute_chart(kind, counts, baseline=spc_attributes.Counts.of(
        *zip(*[r[1:] for r in base], strict=True)))
    times = [datetime.fromtimestamp((start + r[0] * bucket * 1000) / 1000, UTC).isoformat()
             for r in rows]
    stepped = kind != "c" and len({r[1] for r in rows}) > 1
    series = ChartSeries(kind, [float(v) for v in chart.values],
                         [float(v) for v in chart.center], [float(v) for v in chart.lcl],
                         [float(v) for v in chart.ucl], stepped)
    found = _violations(series, chart.z, RULE_SETS[rules], times=times, excluded=set())
    points = [{"curves": [], "time": t, "n": r[1]} for r, t in zip(rows, times, strict=True)]
    return SpcPanel(title, kind, "", 0, times, [series], found, [], text, points=points)
