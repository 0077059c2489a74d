"""Specification limits per cluster and feature: a cluster's own rows, over the demo plant's
limits on a demo cluster (:data:`services.demo.quality.SPEC_LIMITS`); set and reset by editors,
validated and audited. Nothing is cached: every read asks the metadata database, so all
processes see a change at once. :func:`feature_list` is every feature the cluster's catalog
knows, with its limits where it has some (the dashboard's SPC and alert-rule choices)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from data.metadata import alerts as cluster_rows
from data.metadata import specs as repo
from data.metadata.models import utcnow
from data.metadata.models_specs import MAX_NAME, MAX_UNIT, FeatureSpec
from lyceum.errors import NotFound, ValidationError
from services.clusters import catalog as catalogs
from services.clusters.query_session import for_cluster
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.demo import quality as demo_quality

#: (unit, LSL, USL); either limit may be ``None`` (one-sided specification).
Limits = tuple[str, float | None, float | None]
#: Separator of process and feature in a dropdown value.
KEY_SEPARATOR = "::"
#: Limits beyond this magnitude are refused (no measured feature is that large).
MAX_ABS = 1e12


@dataclass(frozen=True)
class SpecLimit:
    """The limits in force for one feature of a cluster, and where they come from."""

    process: str
    feature: str
    unit: str
    lsl: float | None
    usl: float | None
    is_default: bool
    has_default: bool
    updated_by: str = ""
    updated_at: str = ""

    @property
    def key(self) -> str:
        """The dashboard's dropdown value of this feature."""
        return feature_key(self.process, self.feature)

    @property
    def label(self) -> str:
        """A readable name: "Peak y (riveting)"."""
        return catalogs.feature_label(self.process, self.feature)


def feature_key(process: str, feature: str) -> str:
    """The dropdown value of (process, feature): ``process::feature``."""
    return f"{process}{KEY_SEPARATOR}{feature}"


def parse_feature_key(key: Any) -> tuple[str, str]:
    """(process, feature) of a dropdown value; ``ValidationError`` for anything else."""
    if isinstance(key, str) and KEY_SEPARATOR in key and len(key) <= 2 * MAX_NAME + 2:
        process, feature = key.split(KEY_SEPARATOR, 1)
        if process and feature:
            return process, feature
    raise ValidationError("Choose one of the listed features.")


def defaults_of(runtime: Runtime, cluster_id: int) -> dict[tuple[str, str], Limits]:
    """The limits a cluster has without rows of its own: the demo plant's on a demo
    cluster, none anywhere else."""
    with runtime.db.session() as session:
        demo = any(c.id == cluster_id for c in cluster_rows.demo_clusters(session))
    return dict(demo_quality.SPEC_LIMITS) if demo else {}


def list_limits(runtime: Runtime, cluster_id: int) -> list[SpecLimit]:
    """Every feature with limits in the cluster: the defaults, overridden by its rows."""
    defaults = defaults_of(runtime, cluster_id)
    found: dict[tuple[str, str], SpecLimit] = {
        pair: SpecLimit(pair[0], pair[1], unit, lsl, usl, True, True)
        for pair, (unit, lsl, usl) in defaults.items()}
    with runtime.db.session() as session:
        for spec, email in repo.rows(session, cluster_id):
            pair = (spec.process, spec.feature)
            found[pair] = SpecLimit(spec.process, spec.feature, spec.unit, spec.lsl, spec.usl,
                                    False, pair in defaults, email or "",
                                    spec.updated_at.isoformat())
    return list(found.values())


def feature_list(runtime: Runtime, cluster_id: int) -> list[SpecLimit]:
    """Every feature of the cluster's catalog (with its unit) and every feature with limits:
    features with limits first, then by process and name. A feature without limits has
    ``lsl = usl = None``."""
    found = {(s.process, s.feature): s for s in list_limits(runtime, cluster_id)}
    for info in catalogs.catalog(runtime, cluster_id).features:
        found.setdefault((info.process, info.feature),
                         SpecLimit(info.process, info.feature, info.unit, None, None,
                                   False, False))
    return sorted(found.values(), key=lambda s: (s.lsl is None and s.usl is None,
                                                 s.process, s.feature))


def limits_for(runtime: Runtime, cluster_id: int) -> dict[tuple[str, str], Limits]:
    """(process, feature) → (unit, LSL, USL) in force for the cluster."""
    return {(s.process, s.feature): (s.unit, s.lsl, s.usl)
            for s in list_limits(runtime, cluster_id)}


def limit_of(runtime: Runtime, cluster_id: int, *, process: str,
             feature: str) -> SpecLimit | None:
    """The limits in force for one feature (``None`` if it has none)."""
    return next((s for s in list_limits(runtime, cluster_id)
                 if (s.process, s.feature) == (process, feature)), None)


def catalog_with_limits(runtime: Runtime, cluster_id: int
                        ) -> tuple[catalogs.Catalog, list[SpecLimit]]:
    """The cluster's catalog and every feature with its limits (see :func:`feature_list`)."""
    return catalogs.catalog(runtime, cluster_id), feature_list(runtime, cluster_id)


def _limit(value: Any, name: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{name} must be a number.", fields={name.lower(): "not a number"})
    if not math.isfinite(value) or abs(value) > MAX_ABS:
        raise ValidationError(f"{name} must be a finite number.",
                              fields={name.lower(): "not finite"})
    return float(value)


def _text(value: Any, name: str, longest: int) -> str:
    if not isinstance(value, str) or len(value) > longest or any(
            not c.isprintable() for c in value):
        raise ValidationError(f"The {name} must be text of at most {longest} printable "
                              "characters.", fields={name: "invalid"})
    return value


def validate_limits(lsl: Any, usl: Any, unit: Any) -> Limits:
    """(unit, LSL, USL) checked: finite numbers, at least one, LSL below USL."""
    low, high = _limit(lsl, "LSL"), _limit(usl, "USL")
    clean_unit = _text("" if unit is None else unit, "unit", MAX_UNIT).strip()
    if low is None and high is None:
        raise ValidationError("Give at least one limit (LSL or USL).",
                              fields={"lsl": "required", "usl": "required"})
    if low is not None and high is not None and not low < high:
        raise ValidationError("LSL must be below USL.", fields={"usl": "not above LSL"})
    return clean_unit, low, high


def _check_feature(runtime: Runtime, cluster_id: int, process: Any, feature: Any) -> None:
    process, feature = _text(process, "process", MAX_NAME), _text(feature, "feature", MAX_NAME)
    if (process, feature) in defaults_of(runtime, cluster_id):
        return
    if KEY_SEPARATOR in process or not process or not feature or not repo.feature_exists(
            for_cluster(runtime, cluster_id), process=process, feature=feature):
        raise NotFound("This cluster has no such feature for that process.")


def _feature_unit(runtime: Runtime, cluster_id: int, process: str, feature: str) -> str:
    """The feature's unit as the cluster's data records it ("" when it has none)."""
    return next((f.unit for f in catalogs.catalog(runtime, cluster_id).features
                 if (f.process, f.feature) == (process, feature)), "")[:MAX_UNIT]


def set_limits(runtime: Runtime, cluster_id: int, *, process: str, feature: str, lsl: Any,
               usl: Any, unit: Any, actor: Actor) -> SpecLimit:
    """Set the cluster's limits of one feature (editors; audited as ``spec.update``); a
    ``unit`` of ``None`` keeps the unit in force, or takes the feature's unit from the
    cluster's catalog when the feature had no limits."""
    clean = validate_limits(lsl, usl, unit)
    _check_feature(runtime, cluster_id, process, feature)
    defaults = defaults_of(runtime, cluster_id)
    with runtime.db.session() as session:
        spec = repo.row(session, cluster_id, process=process, feature=feature)
        old: Limits | None = defaults.get((process, feature))
        if spec is None:
            spec = repo.add(session, FeatureSpec(cluster_id=cluster_id, process=process,
                                                 feature=feature))
        else:
            old = (spec.unit, spec.lsl, spec.usl)
        if unit is None:  # not given: keep the unit in force, else the feature's own
            clean = (old[0] if old else _feature_unit(runtime, cluster_id, process, feature),
                     clean[1], clean[2])
        spec.unit, spec.lsl, spec.usl = clean
        spec.updated_by, spec.updated_at = actor.user_id, utcnow()
        audit.record(session, "spec.update", actor=actor, target_type="feature_spec",
                     target_id=f"{process}/{feature}"[:200], cluster_id=cluster_id,
                     detail={"process": process, "feature": feature,
                             "old": _as_dict(old), "new": _as_dict(clean)})
        return SpecLimit(process, feature, *clean, False, (process, feature) in defaults,
                         actor.label, spec.updated_at.isoformat())


def reset_limits(runtime: Runtime, cluster_id: int, *, process: str, feature: str,
                 actor: Actor) -> SpecLimit | None:
    """Back to the default (or to no limits): audited as ``spec.reset``."""
    defaults = defaults_of(runtime, cluster_id)
    with runtime.db.session() as session:
        spec = repo.row(session, cluster_id, process=process, feature=feature)
        if spec is None:
            if (process, feature) in defaults:
                return limit_of(runtime, cluster_id, process=process, feature=feature)
            raise NotFound("This feature has no limits to reset.")
        old = (spec.unit, spec.lsl, spec.usl)
        repo.delete(session, spec)
        audit.record(session, "spec.reset", actor=actor, target_type="feature_spec",
                     target_id=f"{process}/{feature}"[:200], cluster_id=cluster_id,
                     detail={"process": process, "feature": feature, "old": _as_dict(old),
                             "new": _as_dict(defaults.get((process, feature)))})
    return limit_of(runtime, cluster_id, process=process, feature=feature)


def _as_dict(limits: Limits | None) -> dict[str, Any] | None:
    return None if limits is None else {"unit": limits[0], "lsl": limits[1], "usl": limits[2]}
