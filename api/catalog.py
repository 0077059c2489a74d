"""The cluster's catalog over the API: what its data names (processes with axes and units,
lines, stations, products, features with units and limits, results, defect modes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from api.core import bp, runtime
from api.openapi import describe
from auth.roles import Role, require_role
from services.quality import spec_limits


@bp.get("/clusters/<int:cluster_id>/catalog")
@describe(summary="What the cluster's data names: processes, places, features, outcomes",
          tag="catalog", role="viewer")
def get_catalog(cluster_id: int) -> Any:
    """The cluster's catalog, read from its own data (at most 30 s old, and never older
    than the last import or ingest); each feature with the limits in force, if any."""
    require_role(cluster_id, Role.VIEWER)
    found, features = spec_limits.catalog_with_limits(runtime(), cluster_id)
    return jsonify(
        processes=[asdict(p) for p in found.processes], lines=list(found.lines),
        stations=list(found.stations), products=list(found.products),
        places=[{"line": a, "station": b, "product": c} for a, b, c in found.places],
        features=[{"process": f.process, "feature": f.feature, "key": f.key,
                   "label": f.label, "unit": f.unit, "lsl": f.lsl, "usl": f.usl}
                  for f in features],
        results=list(found.results), defect_modes=list(found.defect_modes),
        data_version=found.version)
