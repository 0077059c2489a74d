"""The explorer's analysis over a filter, for the API: build and save a golden curve, rank
outliers (paged, in a stable order), judge curves with evaluation objects and compare the
verdicts with the recorded results (what-if)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from data.analytics import curve_export
from data.analytics import curves as curve_data
from lyceum.errors import NotFound, ValidationError
from services.core.runtime import Runtime
from services.explorer import curve_queries as explorer
from services.explorer import evaluation, golden
from services.explorer import outliers as outlier_ranking
from services.explorer.golden import Golden
from services.explorer.state import (
    MAX_OBJECTS,
    EvalObject,
    ExplorerState,
    parse_object,
    validate_state,
)
from services.explorer.view import save_golden

#: The keys a filter may have (anything else is refused, never ignored).
FILTER_KEYS = ("process", "lines", "stations", "products", "batches", "results", "start",
               "end")
_LISTS = ("lines", "stations", "products", "batches", "results")
VERDICT_VIEWS = ("all", "nok", "flips")


def parse_filter(data: Any) -> ExplorerState:
    """The explorer state a JSON filter names: known keys only, every value checked."""
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise ValidationError("filter: expected a JSON object.", fields={"filter": "invalid"})
    unknown = sorted(str(k) for k in set(data) - set(FILTER_KEYS))
    if unknown:
        raise ValidationError(f"Unknown filter key: {unknown[0][:40]}.",
                              fields={"filter": "unknown key"})
    for key in _LISTS:
        if key in data and not isinstance(data[key], list):
            raise ValidationError(f"{key}: expected a list of values.", fields={key: "invalid"})
    process = data.get("process")
    if process is not None and not isinstance(process, str):
        raise ValidationError("process: expected a name.", fields={"process": "invalid"})
    lists: dict[str, Any] = {k: tuple(data.get(k) or ()) for k in _LISTS}
    return validate_state(ExplorerState(process=process, **lists, start=data.get("start"),
                                        end=data.get("end")))


def parse_objects(data: Any) -> tuple[EvalObject, ...]:
    """Evaluation objects from a JSON list (each checked; names unique)."""
    if not isinstance(data, list) or not 1 <= len(data) <= MAX_OBJECTS:
        raise ValidationError(f"objects: a list of 1 to {MAX_OBJECTS} evaluation objects.",
                              fields={"objects": "invalid"})
    if not all(isinstance(o, Mapping) for o in data):
        raise ValidationError("objects: each object is a JSON object.",
                              fields={"objects": "invalid"})
    known = set(EvalObject.__dataclass_fields__)
    for raw in data:
        extra = sorted(str(k) for k in set(raw) - known)
        if extra:
            raise ValidationError(f"objects: unknown field {extra[0][:40]}.",
                                  fields={"objects": "unknown field"})
    objects = tuple(parse_object(o) for o in data)
    if len({o.name for o in objects}) != len(objects):
        raise ValidationError("objects: every evaluation object needs its own name.",
                              fields={"objects": "duplicate name"})
    return objects


def golden_json(found: Golden) -> dict[str, Any]:
    """A golden curve's metadata and arrays (NaN bins as ``null``)."""
    def values(arr: np.ndarray) -> list[float | None]:
        return [None if not np.isfinite(v) else round(float(v), 6) for v in arr]
    return {"id": found.id, "name": found.name, "version": found.version,
            "method": found.method, "band": found.band, "n_curves": found.n_curves,
            "x": values(found.x), "center": values(found.center),
            "lower": values(found.lower), "upper": values(found.upper)}


def build_golden(runtime: Runtime, cluster_id: int, state: ExplorerState, *, name: Any,
                 method: Any, band: Any, source: Any, actor: Any) -> dict[str, Any]:
    """Build a golden curve and envelope from the filtered curves and save a new version."""
    if source not in ("ok", "all"):
        raise ValidationError("source: ok (the filtered curves judged OK) or all.",
                              fields={"source": "invalid"})
    if isinstance(band, bool) or not isinstance(band, int | float):
        raise ValidationError("band: a number.", fields={"band": "invalid"})
    if not isinstance(name, str) or not isinstance(method, str):
        raise ValidationError("name and method are text.", fields={"name": "invalid"})
    saved = save_golden(runtime, cluster_id, state, name=name, method=method,
                        band=float(band), source=source, actor=actor)
    return golden_json(saved)


@dataclass(frozen=True)
class _Scored:
    session: Any
    query: Any
    profiles: explorer.Profiles
    golden: Golden | None


def _scored(runtime: Runtime, cluster_id: int, state: ExplorerState, *,
            golden_id: int | None, needs_golden: bool) -> _Scored:
    session, query, _opts = explorer.resolve(runtime, cluster_id, state)
    profiles = explorer.profiles(session, query)
    if not len(profiles.curve_ids):
        raise NotFound("No curves match these filters.")
    gold = None
    if golden_id is not None:
        gold = golden.get(runtime, cluster_id, golden_id)  # another cluster's: not found
    elif needs_golden:
        ok_ids = [] if state.results and "OK" not in state.results else \
            curve_data.curve_ids(session, replace(query, results=("OK",)))
        gold = golden.build(profiles, curve_ids=ok_ids or None)
    return _Scored(session=session, query=query, profiles=profiles, golden=gold)


def _rows(found: _Scored, ids: list[int]) -> dict[int, dict[str, Any]]:
    rows = curve_data.curve_rows(found.session, found.query, limit=max(len(ids), 1),
                                 curve_ids=ids)
    return {int(r["curve_id"]): {"serial": r["serial"], "line": r["line"],
                                 "station": r["station"], "ts": r["ts"].isoformat()
                                 if hasattr(r["ts"], "isoformat") else str(r["ts"]),
                                 "result": r["result"]} for r in rows}


def outliers(runtime: Runtime, cluster_id: int, state: ExplorerState, *,
             golden_id: int | None, limit: int, offset: int) -> dict[str, Any]:
    """A page of the filtered curves ranked as the explorer page ranks them
    (:func:`services.explorer.outliers.rank`: shape-aware scores against the OK curves'
    usual variation), each with its score and the reason in words; ties keep the curve id
    order, so the same request gives the same pages."""
    found = _scored(runtime, cluster_id, state, golden_id=golden_id, needs_golden=True)
    assert found.golden is not None
    ok_ids = [] if state.results and "OK" not in state.results else \
        curve_data.curve_ids(found.session, replace(found.query, results=("OK",)))
    ranking = outlier_ranking.rank(
        found.profiles, found.golden, reference=np.isin(found.profiles.curve_ids, ok_ids),
        explain=offset + limit)
    scores = evaluation.score(found.profiles, found.golden)
    where = {int(c): i for i, c in enumerate(scores.curve_ids.tolist())}
    area = np.round(scores.area_outside.astype(np.float64), 9)
    dev = np.round(scores.max_abs_dev.astype(np.float64), 9)
    ids = [int(c) for c in ranking.curve_ids[offset:offset + limit]]
    meta = _rows(found, ids)
    items = []
    for n, cid in enumerate(ids):
        at, score = where[cid], float(ranking.score[offset + n])
        items.append({"rank": offset + n + 1, "curve_id": cid, **meta.get(cid, {}),
                      "score": round(score, 6) if np.isfinite(score) else None,
                      "reason": ranking.reasons[offset + n]
                      if offset + n < len(ranking.reasons) else "",
                      "area_outside": round(float(area[at]), 6),
                      "max_abs_dev": round(float(dev[at]), 6)})
    return {"items": items, "total": len(ranking.curve_ids),
            "golden": _golden_ref(found.golden)}


def _golden_ref(found: Golden | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"id": found.id, "name": found.name or "(built from the filtered OK curves)",
            "version": found.version, "n_curves": found.n_curves}


def evaluate(runtime: Runtime, cluster_id: int, state: ExplorerState, *,
             objects: tuple[EvalObject, ...], golden_id: int | None, show: str, limit: int,
             offset: int) -> dict[str, Any]:
    """Every filtered curve judged with ``objects`` (OK, or NOK with the first failing
    object) next to its recorded result; the flips are the curves where the two disagree
    (``ok_to_nok``: recorded OK or WARNING, judged NOK; ``nok_to_ok``: the reverse). Items
    are in curve id order, ``show`` picks all, the NOK ones or the flips."""
    if show not in VERDICT_VIEWS:
        raise ValidationError(f"show: one of {', '.join(VERDICT_VIEWS)}.",
                              fields={"show": "invalid"})
    needs = any(o.kind == "envelope" for o in objects)
    found = _scored(runtime, cluster_id, state, golden_id=golden_id, needs_golden=needs)
    failing = evaluation.judge(found.profiles, objects, golden=found.golden)
    ids = found.profiles.curve_ids.astype(np.int64)
    recorded = curve_export.recorded_results(found.session, found.query,
                                             curve_ids=ids.tolist())
    rec = np.array([recorded.get(int(c), "") for c in ids], dtype=object)
    nok = failing != ""
    to_nok = nok & (rec != "NOK")
    to_ok = ~nok & (rec == "NOK")
    chosen = {"all": np.ones(len(ids), dtype=bool), "nok": nok, "flips": to_nok | to_ok}[show]
    order = np.flatnonzero(chosen)[np.argsort(ids[chosen], kind="stable")]
    page = order[offset:offset + limit]
    meta = _rows(found, [int(ids[i]) for i in page])
    items = []
    for i in page.tolist():
        cid = int(ids[i])
        flip = "ok_to_nok" if to_nok[i] else "nok_to_ok" if to_ok[i] else None
        items.append({"curve_id": cid, **meta.get(cid, {}), "recorded": str(rec[i]),
                      "verdict": "NOK" if nok[i] else "OK",
                      "failing_object": str(failing[i]) or None, "flip": flip})
    return {"items": items, "total": len(order), "n_curves": len(ids),
            "n_nok": int(nok.sum()), "n_recorded_nok": int((rec == "NOK").sum()),
            "n_ok_to_nok": int(to_nok.sum()), "n_nok_to_ok": int(to_ok.sum()),
            "objects": [o.name for o in objects], "golden": _golden_ref(found.golden)}
