"""The cluster wizard: its state lives on the server, per user, and is checked at every step.

Nothing the browser sends is trusted: the current step comes from the stored draft, only the
fields of that step are taken, and Deploy re-validates the whole spec.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import Any

from data.metadata import wizard as wizard_data
from services.clusters import costs, rules
from services.clusters.costs import CostEstimate
from services.clusters.request import ClusterSpec, MemberGrant
from services.clusters.rules import CLUSTER_TYPES, RETENTION_FIELDS, TIER_FIELDS
from services.core.runtime import Runtime

LAST_STEP = 4
STEP_FIELDS: dict[int, tuple[str, ...]] = {
    1: ("name", "description", "cluster_type", "region_code"),
    2: ("nodes", "vcpu_per_node", "memory_gb_per_node", *TIER_FIELDS),
    3: ("members", *RETENTION_FIELDS),
    4: ("load_sample_data",),
}


@dataclass(frozen=True)
class WizardView:
    """Everything the wizard page shows for one user."""

    step: int
    spec: ClusterSpec
    errors: dict[str, str]
    #: The furthest step the draft reached: the stepper links every step up to it.
    furthest: int
    estimate: CostEstimate
    region_name: str
    regions: list[tuple[str, str]]
    users: list[tuple[int, str]]
    bundled: bool

    @property
    def values(self) -> dict[str, Any]:
        """The spec as flat field values, the way the forms show them."""
        return flatten(self.spec)


def flatten(spec: ClusterSpec) -> dict[str, Any]:
    """Flat field name → value (tiers and retention lifted to the top level)."""
    data = rules.spec_to_dict(spec)
    flat = {k: v for k, v in data.items() if k not in ("storage", "retention")}
    flat.update(data["storage"])
    flat.update(data["retention"])
    return flat


def _merge(spec: ClusterSpec, step: int, values: dict[str, Any]) -> ClusterSpec:
    data = rules.spec_to_dict(spec)
    for key in STEP_FIELDS[step]:
        if key not in values:
            continue
        value = values[key]
        if key in TIER_FIELDS:
            data["storage"][key] = value
        elif key in RETENTION_FIELDS:
            data["retention"][key] = None if key == "delete_after_days" and value in (
                None, "") else value
        elif key == "members":
            data["members"] = [{"user_id": uid, "role": role}
                               for uid, role in dict(value or {}).items() if role != "none"]
        else:
            data[key] = value
    merged = rules.spec_from_dict(data)
    if step == 1 and merged.cluster_type != spec.cluster_type \
            and merged.cluster_type in CLUSTER_TYPES:
        merged = rules.apply_preset(merged, merged.cluster_type)
    return merged


def _context(runtime: Runtime) -> dict[str, Any]:
    with runtime.db.session() as session:
        names, databases = wizard_data.taken_names(session)
        regions = wizard_data.regions(session)
        users = wizard_data.active_users(session)
        return {
            "existing_names": names, "existing_databases": databases,
            "regions": [(r.code, r.name) for r in regions],
            "factors": {r.code: r.price_factor for r in regions},
            "users": [(u.id, u.email) for u in users],
        }


def _errors(step: int, spec: ClusterSpec, ctx: dict[str, Any]) -> dict[str, str]:
    if step == 1:
        return rules.validate_basics(
            spec, existing_names=ctx["existing_names"],
            existing_databases=ctx["existing_databases"],
            region_codes={code for code, _ in ctx["regions"]})
    if step == 2:
        return rules.validate_resources(spec)
    if step == 3:
        errors = rules.validate_team(spec, known_user_ids={u for u, _ in ctx["users"]})
        return errors | rules.validate_retention(spec)
    return {}


@dataclass(frozen=True)
class _Draft:
    step: int
    furthest: int
    spec: ClusterSpec


def _load(runtime: Runtime, user_id: int) -> _Draft:
    with runtime.db.session() as session:
        draft = wizard_data.get_draft(session, user_id)
        if draft is not None:
            step = draft.step if 1 <= draft.step <= LAST_STEP else 1
            furthest = min(max(step, draft.furthest_step or 1), LAST_STEP)
            return _Draft(step, furthest, rules.spec_from_dict(draft.state))
    spec = rules.apply_preset(ClusterSpec(), "manufacturing")
    return _Draft(1, 1, replace(spec, members=(MemberGrant(user_id=user_id, role="admin"),)))


def _save(runtime: Runtime, user_id: int, step: int, spec: ClusterSpec, *,
          furthest: int) -> None:
    with runtime.db.session() as session:
        wizard_data.save_draft(session, user_id=user_id, step=step,
                               state=rules.spec_to_dict(spec), furthest=furthest)


def _view(runtime: Runtime, ctx: dict[str, Any], step: int, spec: ClusterSpec,
          errors: dict[str, str], *, furthest: int) -> WizardView:
    factor = ctx["factors"].get(spec.region_code, 1.0)
    names = dict(ctx["regions"])
    return WizardView(step=step, spec=spec, errors=errors, furthest=max(step, furthest),
                      estimate=costs.estimate(spec, region_factor=factor),
                      region_name=names.get(spec.region_code, spec.region_code),
                      regions=ctx["regions"], users=ctx["users"],
                      bundled=runtime.ch.bundled)


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def open_wizard(runtime: Runtime, *, user_id: int) -> WizardView:
    """The user's wizard as last saved (a new draft starts as *Manufacturing analytics*), with
    the messages of the current step's fields that hold a value (an empty field is not
    flagged until Next)."""
    draft = _load(runtime, user_id)
    ctx = _context(runtime)
    values = flatten(draft.spec)
    errors = {field: message for field, message in _errors(draft.step, draft.spec, ctx).items()
              if _filled(values.get(field))}
    return _view(runtime, ctx, draft.step, draft.spec, errors, furthest=draft.furthest)


def save_changes(runtime: Runtime, *, user_id: int, values: dict[str, Any],
                 flagged: Collection[str] = ()) -> WizardView:
    """Keep the current step's values as they are typed (unvalidated, like Back), so a reload
    shows them; the view carries the messages of the ``flagged`` fields (those showing one)
    that are still wrong, so a corrected field's message goes away."""
    draft = _load(runtime, user_id)
    ctx = _context(runtime)
    spec = _merge(draft.spec, draft.step, values)
    with runtime.db.session() as session:  # only if no Next/Back moved the draft meanwhile
        wizard_data.save_state_at_step(session, user_id=user_id, step=draft.step,
                                       state=rules.spec_to_dict(spec))
    errors = {field: message for field, message in _errors(draft.step, spec, ctx).items()
              if field in set(flagged)}
    return _view(runtime, ctx, draft.step, spec, errors, furthest=draft.furthest)


def advance(runtime: Runtime, *, user_id: int, values: dict[str, Any]) -> WizardView:
    """Take the current step's values; move on if they are valid, else stay with messages."""
    draft = _load(runtime, user_id)
    ctx = _context(runtime)
    spec = _merge(draft.spec, draft.step, values)
    errors = _errors(draft.step, spec, ctx)
    next_step = draft.step if errors or draft.step == LAST_STEP else draft.step + 1
    furthest = max(draft.furthest, next_step)
    _save(runtime, user_id, next_step, spec, furthest=furthest)
    return _view(runtime, ctx, next_step, spec, errors, furthest=furthest)


def back(runtime: Runtime, *, user_id: int, values: dict[str, Any]) -> WizardView:
    """Keep the current step's values (unvalidated) and go one step back."""
    draft = _load(runtime, user_id)
    return go_to(runtime, user_id=user_id, values=values, step=max(1, draft.step - 1))


def go_to(runtime: Runtime, *, user_id: int, values: dict[str, Any], step: int) -> WizardView:
    """Jump to ``step`` from the stepper, keeping the current step's values.

    Back to any earlier step always; forward only up to the furthest step reached, and only
    past steps that are valid: the first step with a problem is shown with its messages.
    A step number outside 1…furthest leaves the wizard where it is.
    """
    draft = _load(runtime, user_id)
    ctx = _context(runtime)
    spec = _merge(draft.spec, draft.step, values)
    target, errors = draft.step, {}
    if isinstance(step, int) and not isinstance(step, bool) and 1 <= step <= draft.furthest:
        target = step
        for between in range(draft.step, step):
            errors = _errors(between, spec, ctx)
            if errors:
                target = between
                break
    _save(runtime, user_id, target, spec, furthest=draft.furthest)
    return _view(runtime, ctx, target, spec, errors, furthest=draft.furthest)


def start_over(runtime: Runtime, *, user_id: int) -> WizardView:
    """Forget the draft and begin again at step 1."""
    with runtime.db.session() as session:
        wizard_data.delete_draft(session, user_id)
    return open_wizard(runtime, user_id=user_id)


def final_spec(runtime: Runtime, *, user_id: int, values: dict[str, Any]) -> ClusterSpec:
    """The spec to deploy: the stored draft plus the review step's options."""
    draft = _load(runtime, user_id)
    return _merge(draft.spec, LAST_STEP, values) if draft.step == LAST_STEP else draft.spec


def finish(runtime: Runtime, *, user_id: int) -> None:
    """Forget the draft after a deploy was accepted."""
    with runtime.db.session() as session:
        wizard_data.delete_draft(session, user_id)


def review_sections(view: WizardView) -> list[tuple[str, list[tuple[str, Any]]]]:
    """The review step's summary, in words, with notes on what is only recorded."""
    spec, users = view.spec, dict(view.users)
    preset = CLUSTER_TYPES.get(spec.cluster_type)
    # a dash, not parentheses: a region's name may end in its own ("This machine (embedded)")
    note = " — recorded, not applied on the bundled engine" if view.bundled else ""
    r = spec.retention
    return [
        ("Basics", [("Name", spec.name), ("ClickHouse database", spec.database_name),
                    ("Type", preset.label if preset else spec.cluster_type),
                    ("Region", view.region_name + note), ("Description", spec.description or "—")]),
        ("Performance & storage", [
            ("Nodes", f"{spec.nodes}" + (note if spec.nodes > 1 else "")),
            ("Per node", f"{spec.vcpu_per_node} vCPU, {spec.memory_gb_per_node} GB memory"),
            ("Tiers", f"hot {spec.storage.hot_gb} GB · warm {spec.storage.warm_gb} GB · "
                      f"cold {spec.storage.cold_gb} GB · archive {spec.storage.archive_gb} GB")]),
        ("Team & retention", [
            ("Members", ", ".join(f"{users.get(m.user_id, m.user_id)} ({m.role})"
                                  for m in spec.members) or "—"),
            ("Retention", f"warm after {r.warm_after_days} d → cold after {r.cold_after_days} d"
                          f" → archive after {r.archive_after_days} d → "
                          + (f"deleted after {r.delete_after_days} d"
                             if r.delete_after_days is not None else "kept forever"))]),
    ]


def type_choices() -> list[tuple[str, str, str]]:
    """(code, label, one-line detail) for each cluster type, the recommended one marked."""
    return [(code, preset.label + (" (recommended)" if preset.recommended else ""),
             preset.summary) for code, preset in CLUSTER_TYPES.items()]


def resource_hints(spec: ClusterSpec) -> dict[str, str]:
    """The bounds of the chosen type, in words, under each resource field."""
    preset = CLUSTER_TYPES.get(spec.cluster_type)
    if preset is None:
        return {}
    low, high = rules.MEMORY_PER_VCPU_GB
    return {
        "nodes": f"{preset.nodes} for {preset.label}.",
        "vcpu_per_node": f"{preset.vcpu_per_node} for {preset.label}.",
        "memory_gb_per_node": f"{preset.memory_gb_per_node} GB; {low}–{high} GB per vCPU.",
        "hot_gb": f"At least {rules.MIN_HOT_GB} GB.",
        "storage": f"All tiers together at most {preset.max_storage_gb:,} GB for "
                   f"{preset.label}.",
    }
