"""Traceability by serial: find a part and read everything recorded for it, in time order —
its curves (with the golden curve of each process, when one is saved), features, part
results, gauge readings and the alerts that name its curves."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import numpy as np
from plotly_resampler.aggregation import MinMaxLTTB

from data.analytics import trace as trace_data
from data.metadata import alerts as alert_data
from data.metadata.models_alerts import ALERT_STATES
from lyceum.errors import NotFound, ValidationError
from services.clusters.query_session import for_cluster
from services.core.runtime import Runtime
from services.explorer import golden

#: Suggestions a search returns at most, and the longest text it takes.
MAX_SUGGESTIONS = 25
MAX_SEARCH = 80
#: What one part's page shows at most (a part is a few curves; a reused serial is bounded).
MAX_CURVES = 60
MAX_RESULTS = 200
MAX_READINGS = 500
MAX_ALERTS = 200
#: Alert instances of the cluster looked through for ones naming the part's curves.
ALERTS_SCANNED = 2000
#: Points drawn per curve (min/max-preserving reduction); golden curves keep their grid.
POINTS = 600
_SERIAL = re.compile(r"^[\w .:/#()+\-]{1,80}$")


@dataclass(frozen=True)
class PartCurve:
    """One recorded curve of the part, reduced for drawing, with its features and golden."""

    meta: dict[str, Any]
    x: list[float]
    y: list[float]
    features: list[dict[str, Any]]
    golden: dict[str, Any] | None


@dataclass(frozen=True)
class PartTrace:
    """Everything recorded for one serial; ``events`` merges them all in time order."""

    serial: str
    part_ids: list[int]
    curves: list[PartCurve]
    results: list[dict[str, Any]]
    readings: list[dict[str, Any]]
    alerts: list[dict[str, Any]]
    events: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


def check_serial(value: Any) -> str:
    """A serial or part id as typed (surrounding spaces dropped), or ``ValidationError``."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ValidationError("Type a serial or part id.", fields={"serial": "missing"})
    if len(text) > MAX_SEARCH or not _SERIAL.match(text):
        raise ValidationError(f"A serial is 1 to {MAX_SEARCH} letters, digits, spaces or "
                              ". : / # ( ) + -.", fields={"serial": "invalid"})
    return text


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def search(runtime: Runtime, cluster_id: int, text: Any, *,
           limit: int = 10) -> list[dict[str, Any]]:
    """Serials starting with ``text`` (a whole number also finds that part id), at most
    ``limit`` (1…``MAX_SUGGESTIONS``), alphabetically."""
    prefix = check_serial(text)
    if isinstance(limit, bool) or not isinstance(limit, int) or \
            not 1 <= limit <= MAX_SUGGESTIONS:
        raise ValidationError(f"limit is 1 to {MAX_SUGGESTIONS}.")
    part_id = int(prefix) if prefix.isdigit() and len(prefix) <= 19 else None
    rows = trace_data.search_serials(for_cluster(runtime, cluster_id), prefix=prefix,
                                     part_id=part_id, limit=limit)
    return [{**r, "first": _iso(r["first"]), "last": _iso(r["last"])} for r in rows]


def _reduce(x: np.ndarray, y: np.ndarray) -> tuple[list[float], list[float]]:
    if len(x) > POINTS:
        idx = MinMaxLTTB().arg_downsample(np.arange(len(x)), y, n_out=POINTS)
        x, y = x[idx], y[idx]
    return [round(float(v), 6) for v in x], [round(float(v), 6) for v in y]


def _golden_of(runtime: Runtime, cluster_id: int, process: str) -> dict[str, Any] | None:
    """The newest saved golden curve of ``process`` as plain lists, or ``None``."""
    saved = golden.list_for(runtime, cluster_id, process=process)
    if not saved:
        return None
    found = golden.get(runtime, cluster_id, int(saved[0]["id"]))
    ok = np.isfinite(found.center)

    def values(arr: np.ndarray) -> list[float | None]:
        return [None if not np.isfinite(v) else round(float(v), 6) for v in arr[ok]]
    return {"id": found.id, "name": found.name, "version": found.version,
            "x": values(found.x), "center": values(found.center),
            "lower": values(found.lower), "upper": values(found.upper)}


def _alerts(runtime: Runtime, cluster_id: int, session: Any,
            curve_ids: list[int]) -> list[dict[str, Any]]:
    """Alerts (the app's rules and those recorded in the cluster) naming these curves."""
    wanted = set(curve_ids)
    mine = []
    with runtime.db.session() as db:
        found, _total = alert_data.instances(db, cluster_id, states=ALERT_STATES,
                                             limit=ALERTS_SCANNED)
        for a in found:
            named = wanted & {c for c in a.curve_ids or [] if isinstance(c, int)}
            if named:
                mine.append({"source": "rule", "id": a.id, "ts": a.fired_at.isoformat(),
                             "severity": a.severity, "state": a.state, "message": a.message,
                             "subject": a.subject, "curve_ids": sorted(named)})
    recorded = [{"source": "recorded", "id": r["alert_id"], "ts": _iso(r["ts"]),
                 "severity": r["severity"], "state": "recorded", "message": r["message"],
                 "subject": " · ".join(v for v in (r["line"], r["station"], r["feature"]) if v),
                 "curve_ids": []}
                for r in trace_data.curve_alerts(session, curve_ids=curve_ids,
                                                 limit=MAX_ALERTS)]
    return sorted(mine + recorded, key=lambda a: a["ts"])[:MAX_ALERTS]


def trace(runtime: Runtime, cluster_id: int, serial: Any) -> PartTrace:
    """Everything recorded for ``serial`` on this cluster (``NotFound`` when nothing is)."""
    serial = check_serial(serial)
    session = for_cluster(runtime, cluster_id)
    metas = trace_data.part_curves(session, serial=serial, limit=MAX_CURVES + 1)
    results = trace_data.part_results(session, serial=serial, limit=MAX_RESULTS)
    if not metas and not results:
        raise NotFound("No part with that serial on this cluster.")
    truncated = len(metas) > MAX_CURVES
    metas = metas[:MAX_CURVES]
    ids = [int(m["curve_id"]) for m in metas]
    part_ids = sorted({int(m["part_id"]) for m in metas} | {int(r["part_id"]) for r in results})
    feats = trace_data.curve_features(session, curve_ids=ids)
    frame = trace_data.samples(session, curve_ids=ids)
    points = {int(cid): (part["x"].to_numpy(), part["y"].to_numpy())
              for (cid,), part in frame.group_by(["curve_id"], maintain_order=True)}
    goldens = {p: _golden_of(runtime, cluster_id, p) for p in {str(m["process"]) for m in metas}}
    curves = []
    for meta in metas:
        cid = int(meta["curve_id"])
        x, y = _reduce(*points.get(cid, (np.zeros(0), np.zeros(0))))
        curves.append(PartCurve(meta={**meta, "ts": _iso(meta["ts"])}, x=x, y=y,
                                features=[f for f in feats if f["curve_id"] == cid],
                                golden=goldens[str(meta["process"])]))
    readings = [{**r, "ts": _iso(r["ts"])} for r in
                trace_data.measurements(session, part_ids=part_ids, limit=MAX_READINGS)]
    found = PartTrace(serial=serial, part_ids=part_ids, curves=curves,
                      results=[{**r, "ts": _iso(r["ts"])} for r in results],
                      readings=readings, alerts=_alerts(runtime, cluster_id, session, ids),
                      truncated=truncated)
    return replace(found, events=timeline(found))


def timeline(found: PartTrace) -> list[dict[str, Any]]:
    """Curves, results, readings and alerts as one list in time order."""
    events = [{"ts": c.meta["ts"], "kind": "curve", "curve_id": c.meta["curve_id"],
               "what": f"{c.meta['process']} curve at {c.meta['station']}",
               "result": c.meta["result"]} for c in found.curves]
    events += [{"ts": r["ts"], "kind": "result", "what": f"part result at {r['station']}",
                "result": r["result"]} for r in found.results]
    events += [{"ts": r["ts"], "kind": "reading",
                "what": f"{r['characteristic']} = {r['value']:.4g} {r['unit']}".strip(),
                "result": _in_spec(r)} for r in found.readings]
    events += [{"ts": a["ts"], "kind": "alert", "what": a["message"] or a["subject"],
                "result": a["severity"]} for a in found.alerts]
    return sorted(events, key=lambda e: (e["ts"], e["kind"]))


def _in_spec(reading: dict[str, Any]) -> str:
    lsl, usl, value = reading.get("lsl"), reading.get("usl"), reading["value"]
    if (lsl is not None and value < lsl) or (usl is not None and value > usl):
        return "out of spec"
    return "in spec" if lsl is not None or usl is not None else ""


def as_json(found: PartTrace) -> dict[str, Any]:
    """``found`` as JSON-ready values (the API's answer)."""
    return {"serial": found.serial, "part_ids": found.part_ids, "truncated": found.truncated,
            "curves": [{**c.meta, "x": c.x, "y": c.y, "features": c.features,
                        "golden": c.golden} for c in found.curves],
            "results": found.results, "readings": found.readings, "alerts": found.alerts,
            "events": found.events}
