"""Alert rules per cluster, their evaluation against ClickHouse, and alert instances with state.

Kinds: ``feature_spec`` (a curve feature outside its specification), ``spc_rule`` (a Western
Electric/Nelson rule on a feature's I-MR chart, limits from the baseline before the window),
``yield_below`` (yield under a threshold over a window), ``station_stopped`` (a station
stopped for longer than N minutes). An instance per (rule, subject) goes firing →
acknowledged (an editor, with a comment, audited) → resolved (the condition cleared).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from data.analytics import kpis as q
from data.metadata import alerts as repo
from data.metadata.models_alerts import (
    ALERT_STATES as ALERT_STATES,  # re-exported: the API filters by these states
)
from data.metadata.models_alerts import (
    RULE_KINDS,
    SEVERITIES,
    AlertAcknowledgement,
    AlertInstance,
    AlertRule,
)
from lyceum.errors import NotFound, ValidationError
from services.clusters import catalog as catalogs
from services.clusters.query_session import for_cluster
from services.core import audit
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.demo import quality as demo_quality
from services.explorer.state import ExplorerState, explorer_url
from services.quality import spc
from services.quality.spec_limits import Limits, limits_for, parse_feature_key

MAX_COMMENT = 2000
#: A yield rule judges a window only when it holds at least this many parts.
MIN_PARTS = 10
@dataclass(frozen=True)
class Finding:
    """One subject for which a rule's condition holds now."""

    subject: str
    message: str
    value: float | None = None
    process: str = ""
    curve_ids: list[int] = field(default_factory=list)
    window_start: datetime | None = None
    window_end: datetime | None = None


def validate_rule(kind: str, params: dict[str, Any], severity: str, *,
                  specs: dict[tuple[str, str], Limits] | None = None,
                  known: set[tuple[str, str]] | None = None) -> dict[str, Any]:
    """The rule's parameters checked and normalised: a ``feature_spec`` rule's feature must
    have limits in ``specs``, an ``spc_rule``'s must be in ``specs`` or ``known`` (the
    cluster's catalog); ``ValidationError`` otherwise."""
    if kind not in RULE_KINDS:
        raise ValidationError(f"Rule kind must be one of {', '.join(RULE_KINDS)}.")
    if severity not in SEVERITIES:
        raise ValidationError(f"Severity must be one of {', '.join(SEVERITIES)}.")
    out: dict[str, Any] = {}
    if kind in ("feature_spec", "spc_rule"):
        key = (params.get("process"), params.get("feature"))
        limited = set(specs or {})
        if kind == "feature_spec" and key not in limited:
            raise ValidationError("Choose a feature with specification limits.")
        if key not in limited | set(known or ()):
            raise ValidationError("Choose one of the cluster's features.")
        out.update(process=key[0], feature=key[1])
    if kind == "spc_rule":
        rules = params.get("rules") or ["we1"]
        if not isinstance(rules, list) or set(rules) - set(spc.RULE_LABELS):
            raise ValidationError("Unknown SPC rules.")
        out.update(rules=list(rules), baseline_days=_number(params, "baseline_days", 7, 1, 90))
    if kind == "yield_below":
        out["threshold"] = _number(params, "threshold", 90.0, 0.0, 100.0)
    if kind == "station_stopped":
        out["minutes"] = _number(params, "minutes", 30, 1, 7 * 1440)
    else:
        out["window_minutes"] = _number(params, "window_minutes", 60, 5, 7 * 1440)
    return out


def _number(params: dict[str, Any], name: str, default: float, low: float,
            high: float) -> float:
    value = params.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValidationError(f"{name.replace('_', ' ')} must be a number from {low:g} to "
                              f"{high:g}.", fields={name: "out of range"})
    return float(value)


def create_rule(runtime: Runtime, cluster_id: int, *, name: str, kind: str,
                params: dict[str, Any], severity: str = "warning", actor: Actor) -> int:
    """Add a rule to a cluster (audited); returns its id."""
    name = (name or "").strip()
    if not 1 <= len(name) <= 120:
        raise ValidationError("Give the rule a name of 1 to 120 characters.")
    known = {(f.process, f.feature) for f in catalogs.catalog(runtime, cluster_id).features
             } if kind == "spc_rule" else set()
    clean = validate_rule(kind, params, severity, specs=limits_for(runtime, cluster_id),
                          known=known)
    with runtime.db.session() as session:
        rule = AlertRule(cluster_id=cluster_id, name=name, kind=kind, params=clean,
                         severity=severity, enabled=True, created_by=actor.user_id)
        repo.add(session, rule)
        audit.record(session, "alert_rule.create", actor=actor, target_type="alert_rule",
                     target_id=rule.id, cluster_id=cluster_id,
                     detail={"name": name, "kind": kind, "params": clean})
        return rule.id


def rule_from_form(*, kind: str, feature: str | None, value: float | None,
                   window_minutes: float | None) -> dict[str, Any]:
    """Rule parameters from the dashboard's small form (validated by :func:`create_rule`)."""
    params: dict[str, Any] = {"window_minutes": window_minutes or 60}
    if kind in ("feature_spec", "spc_rule"):
        process, name = parse_feature_key(feature or "")
        params.update(process=process, feature=name, rules=["we1", "we2"], baseline_days=7)
    elif kind == "yield_below":
        params["threshold"] = value if value is not None else -1
    elif kind == "station_stopped":
        params = {"minutes": value if value is not None else 0}
    return params


def set_rule_enabled(runtime: Runtime, cluster_id: int, rule_id: int, enabled: bool, *,
                     actor: Actor) -> bool:
    """Switch a rule on or off (audited); its open alerts resolve at the next evaluation.
    ``False`` (nothing written) when it already was: a switch drawn again is no change."""
    with runtime.db.session() as session:
        rule = session.get(AlertRule, rule_id)
        if rule is None or rule.cluster_id != cluster_id:
            raise NotFound("This alert rule does not exist.")
        if rule.enabled == bool(enabled):
            return False
        rule.enabled = bool(enabled)
        if not enabled:
            for inst in repo.open_instances(session, rule.id):
                inst.state, inst.resolved_at = "resolved", datetime.now(UTC)
        audit.record(session, "alert_rule.update", actor=actor, target_type="alert_rule",
                     target_id=rule_id, cluster_id=cluster_id, detail={"enabled": enabled})
        return True


def rules_of(runtime: Runtime, cluster_id: int) -> list[AlertRule]:
    """A cluster's alert rules, oldest first."""
    with runtime.db.session() as session:
        return repo.rules(session, cluster_id)


def ensure_default_rules(runtime: Runtime, cluster_id: int) -> None:
    """Give a demo cluster the demo plant's starting rules if it has none."""
    with runtime.db.session() as session:
        if repo.rules(session, cluster_id):
            return
    for name, kind, params, severity in demo_quality.ALERT_RULES:
        create_rule(runtime, cluster_id, name=name, kind=kind, params=params,
                    severity=severity, actor=audit.SYSTEM)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def evaluate_rule(s: Any, rule: AlertRule, *, now: datetime,
                  specs: dict[tuple[str, str], Limits] | None = None) -> list[Finding]:
    """The subjects for which ``rule`` holds at ``now`` (queries the cluster's data); a
    ``feature_spec`` rule judges against ``specs`` (the cluster's limits)."""
    p = rule.params
    if rule.kind == "station_stopped":
        return _stopped(s, p, now)
    start = now - timedelta(minutes=float(p["window_minutes"]))
    lo, hi = _ms(start), _ms(now)
    if rule.kind == "feature_spec":
        limits = (specs or {}).get((p["process"], p["feature"]))
        if limits is None:
            raise ValidationError(f"{p['feature']} of {p['process']} has no spec limits.")
        unit, lsl, usl = limits
        count, ids, worst = q.outside_spec(s, process=p["process"], feature=p["feature"],
                                           lo=lo, hi=hi, lsl=lsl, usl=usl)
        if not count:
            return []
        curves = "1 curve" if count == 1 else f"{count} curves"
        return [Finding(p["feature"], f"{curves} with {p['feature']} outside spec "
                        f"(worst {worst:.3g} {unit})", worst, p["process"], ids, start, now)]
    if rule.kind == "yield_below":
        nok_total = q.yield_buckets(s, lo=lo, start=lo, hi=hi, bucket_s=(hi - lo) // 1000 + 1)
        parts = sum(r[1] for r in nok_total)
        ok = sum(r[2] for r in nok_total)
        value = 100.0 * ok / parts if parts else None
        if value is None or parts < MIN_PARTS or value >= float(p["threshold"]):
            return []
        noks = q.nok_curve_ids(s, lo=lo, hi=hi)
        process = noks[0][1] if noks else ""
        return [Finding("cluster", f"Yield {value:.1f} % over {parts} parts is below "
                        f"{p['threshold']:g} %", value, process,
                        [c for c, pr in noks if pr == process], start, now)]
    return _spc(s, p, lo, hi, start, now)


def _spc(s: Any, p: dict[str, Any], lo: int, hi: int, start: datetime,
         now: datetime) -> list[Finding]:
    base = q.feature_values(s, process=p["process"], feature=p["feature"],
                            lo=lo - int(p["baseline_days"] * 86_400_000), hi=lo, limit=5000)
    rows = q.feature_values(s, process=p["process"], feature=p["feature"], lo=lo, hi=hi,
                            limit=2000)
    if len(base) < 3 or not rows:
        return []
    limits = spc.imr_limits([r[1] for r in base])
    result = spc.run_rules([r[1] for r in rows], limits.location, rules=p["rules"])
    flagged = result.flagged()
    if not flagged:
        return []
    names = ", ".join(spc.RULE_LABELS[r].split(":")[0] for r, v in result.flags.items() if v)
    points = "1 point" if len(flagged) == 1 else f"{len(flagged)} points"
    return [Finding(p["feature"], f"{points} of {p['feature']} break {names}",
                    float(len(flagged)), p["process"],
                    [int(rows[i][2]) for i in flagged][-200:], start, now)]


def _stopped(s: Any, p: dict[str, Any], now: datetime) -> list[Finding]:
    out = []
    for line, station, state, reason, since in q.station_states(s, hi=_ms(now)):
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        minutes = (now - since).total_seconds() / 60
        if state == "stopped" and minutes > float(p["minutes"]):
            out.append(Finding(f"{line} / {station}",
                               f"{line} {station} stopped for {minutes:.0f} min"
                               + (f": {reason}" if reason else ""), minutes,
                               window_start=since, window_end=now))
    return out


def apply_findings(session: Any, rule: AlertRule, findings: list[Finding],
                   *, now: datetime) -> int:
    """Open, refresh or resolve the rule's instances to match ``findings``; returns firing."""
    seen = set()
    for f in findings:
        seen.add(f.subject)
        found = repo.open_instance(session, rule.id, f.subject)
        if found is None:
            found = AlertInstance(rule_id=rule.id, cluster_id=rule.cluster_id,
                                  subject=f.subject, state="firing", severity=rule.severity,
                                  fired_at=now)
            session.add(found)
        found.message, found.value, found.process = f.message, f.value, f.process
        found.curve_ids, found.last_seen_at = list(f.curve_ids), now
        found.window_start, found.window_end = f.window_start, f.window_end
    for inst in repo.open_instances(session, rule.id):
        if inst.subject not in seen:
            inst.state, inst.resolved_at = "resolved", now
    return len(seen)


def evaluate_cluster(runtime: Runtime, cluster_id: int, *, now: datetime, cycle: int) -> int:
    """Evaluate every enabled rule of a cluster once; returns how many rules were run."""
    with runtime.db.session() as session:
        rules = repo.rules(session, cluster_id, enabled_only=True)
    if not rules:
        return 0
    s, specs = (for_cluster(runtime, cluster_id, background=True),
                limits_for(runtime, cluster_id))
    for rule in rules:
        error, findings = "", []
        try:
            findings = evaluate_rule(s, rule, now=now, specs=specs)
        except Exception as exc:  # noqa: BLE001 - one bad rule must not stop the others
            error = f"{type(exc).__name__}: {exc}"[:500]
        with runtime.db.session() as session:
            live = session.get(AlertRule, rule.id)
            if live is None:
                continue
            firing = apply_findings(session, live, findings, now=now) if not error else 0
            record = repo.evaluation(session, rule.id)
            record.evaluated_at, record.cycle, record.error = now, cycle, error
            record.runs, record.firing = (record.runs or 0) + 1, firing
    return len(rules)


@dataclass(frozen=True)
class AlertView:
    """One alert as the dashboard and the API show it."""

    id: int
    rule: str
    kind: str
    subject: str
    state: str
    severity: str
    message: str
    fired_at: str
    last_seen_at: str
    curve_count: int
    explorer: str | None
    acknowledgements: list[dict[str, str]]


def _link(cluster_id: int, inst: AlertInstance) -> str | None:
    if not inst.curve_ids or not inst.process:
        return None
    state = ExplorerState(process=inst.process, highlight=tuple(inst.curve_ids[:200]),
                          start=inst.window_start, end=inst.window_end)
    return explorer_url(cluster_id, state)


def list_alerts(runtime: Runtime, cluster_id: int, *, states: tuple[str, ...] = (
        "firing", "acknowledged"), limit: int = 50, offset: int = 0) -> tuple[
        list[AlertView], int]:
    """A cluster's alerts in ``states``, newest first, with their acknowledgements."""
    with runtime.db.session() as session:
        found, total = repo.instances(session, cluster_id, states=states, limit=limit,
                                      offset=offset)
        names = {r.id: r for r in repo.rules(session, cluster_id)}
        acks: dict[int, list[dict[str, str]]] = {}
        for ack in repo.acknowledgements(session, [i.id for i in found]):
            acks.setdefault(ack.alert_id, []).append(
                {"by": ack.user_label, "comment": ack.comment, "at": ack.created_at.isoformat()})
        views = [AlertView(i.id, names[i.rule_id].name if i.rule_id in names else "",
                           names[i.rule_id].kind if i.rule_id in names else "", i.subject,
                           i.state, i.severity, i.message, i.fired_at.isoformat(),
                           i.last_seen_at.isoformat(), len(i.curve_ids or []),
                           _link(cluster_id, i), acks.get(i.id, [])) for i in found]
    return views, total


def acknowledge(runtime: Runtime, cluster_id: int, alert_id: int, *, comment: str,
                actor: Actor) -> None:
    """Acknowledge a firing alert with a comment (the caller checked the editor role)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError("Write a comment: what was found or done.",
                              fields={"comment": "required"})
    if len(comment) > MAX_COMMENT:
        raise ValidationError(f"The comment is longer than {MAX_COMMENT} characters.",
                              fields={"comment": "too long"})
    with runtime.db.session() as session:
        inst = repo.instance(session, cluster_id, alert_id)
        if inst is None:
            raise NotFound("This alert does not exist.")
        if inst.state != "firing":
            raise ValidationError(f"This alert is already {inst.state}.")
        inst.state = "acknowledged"
        session.add(AlertAcknowledgement(alert_id=inst.id, user_id=actor.user_id,
                                         user_label=actor.label, comment=comment))
        audit.record(session, "alert.acknowledge", actor=actor, target_type="alert",
                     target_id=inst.id, cluster_id=cluster_id, detail={"comment": comment})
