"""The cluster's catalog over the API: what its data names (processes with axes and units,
lines, stations, products, features with units and limits, results, defect modes)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import jsonify

from api.core import bp, runtime
from api.openapi import describe
from api.schemas import INT, NUM, STR, array, component, nullable, obj
from auth.roles import Role, require_role
from services.quality import spec_limits

PROCESS = component("CatalogProcess", obj(
    name=STR, x_name=STR, x_unit=STR, y_name=STR, y_unit=STR, curves=INT,
    stations=array(STR), lines=array(STR)))
FEATURE = component("CatalogFeature", obj(
    process=STR, feature=STR, key=STR, label=STR, unit=STR, lsl=nullable(NUM),
    usl=nullable(NUM)))
PLACE = component("CatalogPlace", obj(line=STR, station=STR, product=STR))
CATALOG = component("ClusterCatalog", obj(
    processes=array(PROCESS), lines=array(STR), stations=array(STR), products=array(STR),
    places=array(PLACE), features=array(FEATURE), results=array(STR),
    defect_modes=array(STR), data_version=INT))


@bp.get("/clusters/<int:cluster_id>/catalog")
@describe(summary="What the cluster's data names: processes, places, features, outcomes",
          tag="catalog", role="viewer", response=CATALOG)
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
