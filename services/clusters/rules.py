"""The rules of the cluster wizard: type presets, validation per step, query limits, drafts.

Pure logic, no I/O. Each ``validate_*`` function returns ``{field: message}`` for the wizard to
show next to each field (an empty dict: the step is valid). :func:`validate_spec` runs every
rule again on the server before deploy, because whatever the browser sends may be tampered with;
:func:`spec_from_dict` therefore never raises and leaves bad values for validation to report.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from itertools import pairwise
from typing import Any, TypeGuard

from data.analytics.ch_schema import TierRetention
from data.analytics.clickhouse import validate_identifier
from lyceum.errors import ValidationError
from lyceum.settings import HostCeilings
from services.clusters.request import ClusterSpec, MemberGrant, TierSizes, database_name_for
from services.core.roles import ROLE_NAMES

NAME_MIN, NAME_MAX = 3, 63
DESCRIPTION_MAX = 500
MIN_HOT_GB = 10
MEMORY_PER_VCPU_GB = (2, 16)
MAX_DELETE_AFTER_DAYS = 3650
#: What :func:`coerce_int` returns for a value that is not an integer (validation flags it).
INVALID_INT = -1
#: Queries may return at most this many rows: a guard against runaway queries, not paging.
MAX_RESULT_ROWS = 10_000_000
#: ``max_memory_usage`` stays between these, whatever the spec says.
QUERY_MEMORY_BYTES = (1024**3, 128 * 1024**3)

TIER_FIELDS = ("hot_gb", "warm_gb", "cold_gb", "archive_gb")
RETENTION_FIELDS = ("warm_after_days", "cold_after_days", "archive_after_days",
                    "delete_after_days")
_ORDER_MESSAGES = {
    "cold_after_days": "Move data to cold later than to warm (after more than {days} days).",
    "archive_after_days": "Move data to archive later than to cold (after more than {days} days).",
    "delete_after_days": "Delete data later than it is archived (after more than {days} days).",
}
_INT_TEXT = re.compile(r"\s*[+-]?\d{1,30}\s*")


@dataclass(frozen=True)
class Bounds:
    """An inclusive range of whole numbers."""

    low: int
    high: int

    def __contains__(self, value: object) -> bool:
        return _is_int(value) and self.low <= value <= self.high

    def __str__(self) -> str:
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class TypePreset:
    """A cluster type: the bounds the wizard enforces and the defaults it fills in."""

    code: str
    label: str
    description: str
    recommended: bool
    nodes: Bounds
    vcpu_per_node: Bounds
    memory_gb_per_node: Bounds
    default_nodes: int
    default_vcpu_per_node: int
    default_memory_gb_per_node: int
    storage: TierSizes
    retention: TierRetention
    max_storage_gb: int
    max_execution_time_s: int

    @property
    def summary(self) -> str:
        """One line for the type picker, e.g. ``"3–5 nodes · 8–16 vCPU · 64–128 GB"``."""
        return (f"{self.nodes} nodes · {self.vcpu_per_node} vCPU · "
                f"{self.memory_gb_per_node} GB per node")


CLUSTER_TYPES: dict[str, TypePreset] = {preset.code: preset for preset in (
    TypePreset(
        code="development", label="Development", recommended=False,
        description="Try out imports and dashboards on a small cluster.",
        nodes=Bounds(1, 2), vcpu_per_node=Bounds(4, 8), memory_gb_per_node=Bounds(16, 32),
        default_nodes=1, default_vcpu_per_node=4, default_memory_gb_per_node=16,
        storage=TierSizes(hot_gb=50, warm_gb=100, cold_gb=200, archive_gb=300),
        retention=TierRetention(warm_after_days=3, cold_after_days=14, archive_after_days=60,
                                delete_after_days=180),
        max_storage_gb=2_000, max_execution_time_s=30,
    ),
    TypePreset(
        code="manufacturing", label="Manufacturing analytics", recommended=True,
        description="Process curves, SPC and live quality for a few lines or one plant.",
        nodes=Bounds(3, 5), vcpu_per_node=Bounds(8, 16), memory_gb_per_node=Bounds(64, 128),
        default_nodes=3, default_vcpu_per_node=8, default_memory_gb_per_node=64,
        storage=TierSizes(hot_gb=500, warm_gb=1_000, cold_gb=2_000, archive_gb=4_000),
        retention=TierRetention(warm_after_days=7, cold_after_days=30, archive_after_days=180,
                                delete_after_days=730),
        max_storage_gb=20_000, max_execution_time_s=60,
    ),
    TypePreset(
        code="production", label="Production", recommended=False,
        description="Plant-wide or multi-site analytics with years of history.",
        nodes=Bounds(5, 10), vcpu_per_node=Bounds(16, 32), memory_gb_per_node=Bounds(128, 256),
        default_nodes=6, default_vcpu_per_node=16, default_memory_gb_per_node=128,
        storage=TierSizes(hot_gb=2_000, warm_gb=4_000, cold_gb=10_000, archive_gb=20_000),
        retention=TierRetention(warm_after_days=14, cold_after_days=90, archive_after_days=365,
                                delete_after_days=2_555),
        max_storage_gb=100_000, max_execution_time_s=120,
    ),
)}


def apply_preset(spec: ClusterSpec, cluster_type: str) -> ClusterSpec:
    """``spec`` with the type's default resources, tier sizes and retention.

    Name, description, region, members and the sample-data choice are kept. An unknown type
    raises :class:`ValidationError` on the ``cluster_type`` field.
    """
    preset = _preset(cluster_type)
    if preset is None:
        raise ValidationError("Choose a cluster type.",
                              fields={"cluster_type": "Choose a cluster type."})
    return replace(
        spec, cluster_type=preset.code, nodes=preset.default_nodes,
        vcpu_per_node=preset.default_vcpu_per_node,
        memory_gb_per_node=preset.default_memory_gb_per_node,
        storage=preset.storage, retention=preset.retention,
    )


# --- validation, one function per wizard step -------------------------------------------------

def validate_basics(
    spec: ClusterSpec, *, existing_names: Iterable[str], existing_databases: Iterable[str],
    region_codes: Iterable[str],
) -> dict[str, str]:
    """Step 1: name (and the database it maps to), description, type and region."""
    errors: dict[str, str] = {}
    name_error = _name_error(spec.name, existing_names=existing_names,
                             existing_databases=existing_databases)
    if name_error:
        errors["name"] = name_error
    description = spec.description
    if not isinstance(description, str) or len(description) > DESCRIPTION_MAX:
        errors["description"] = f"Use at most {DESCRIPTION_MAX} characters."
    elif not re.sub(r"[\r\n\t]", " ", description).isprintable():
        errors["description"] = "Remove control characters from the description."
    if _preset(spec.cluster_type) is None:
        errors["cluster_type"] = "Choose a cluster type."
    if not (isinstance(spec.region_code, str) and spec.region_code in set(region_codes)):
        errors["region_code"] = "Choose a region."
    return errors


def validate_resources(spec: ClusterSpec) -> dict[str, str]:
    """Step 2: nodes, vCPU and memory within the type's bounds, and the storage tiers."""
    preset = _preset(spec.cluster_type)
    errors = _storage_errors(spec.storage, preset=preset)
    if preset is None:
        errors["cluster_type"] = "Choose a cluster type."
        return errors
    kind = f"a {preset.label} cluster"
    if spec.nodes not in preset.nodes:
        errors["nodes"] = f"Choose {_between(preset.nodes)} nodes for {kind}."
    if spec.vcpu_per_node not in preset.vcpu_per_node:
        errors["vcpu_per_node"] = (
            f"Choose {_between(preset.vcpu_per_node)} vCPUs per node for {kind}.")
    memory, vcpus = spec.memory_gb_per_node, spec.vcpu_per_node
    if memory not in preset.memory_gb_per_node:
        errors["memory_gb_per_node"] = (
            f"Choose {_between(preset.memory_gb_per_node)} GB of memory per node for {kind}.")
    elif _is_int(vcpus) and vcpus >= 1:
        low, high = MEMORY_PER_VCPU_GB
        if not low <= memory / vcpus <= high:
            errors["memory_gb_per_node"] = (
                f"Use {low} to {high} GB of memory per vCPU (now {memory / vcpus:g} GB).")
    return errors


def validate_team(spec: ClusterSpec, *, known_user_ids: Iterable[int]) -> dict[str, str]:
    """Step 3a: known users, each once, with a valid role, and at least one admin."""
    members = spec.members if isinstance(spec.members, tuple | list) else ()
    user_ids = [getattr(member, "user_id", None) for member in members]
    roles = [getattr(member, "role", None) for member in members]
    known = set(known_user_ids)
    if not all(_is_int(user_id) and user_id in known for user_id in user_ids):
        return {"members": "Some members are not known users."}
    if len(set(user_ids)) != len(user_ids):
        return {"members": "Each person can be added only once."}
    if not all(isinstance(role, str) and role in ROLE_NAMES for role in roles):
        return {"members": "Give each member a role: admin, editor, analyst or viewer."}
    if "admin" not in roles:
        return {"members": "At least one member must be an admin."}
    return {}


def validate_retention(spec: ClusterSpec) -> dict[str, str]:
    """Step 3b: whole days, each later than the one before; delete at most 10 years or never."""
    errors: dict[str, str] = {}
    days: dict[str, int] = {}
    for field in RETENTION_FIELDS:
        value = getattr(spec.retention, field, None)
        if field == "delete_after_days" and value is None:
            continue
        if not _is_int(value) or value < 1:
            errors[field] = "Enter a whole number of days (1 or more)."
        elif field == "delete_after_days" and value > MAX_DELETE_AFTER_DAYS:
            errors[field] = (f"Delete after at most {MAX_DELETE_AFTER_DAYS:,} days (10 years), "
                             "or leave empty to keep data forever.")
        else:
            days[field] = value
    for earlier, later in pairwise(RETENTION_FIELDS):
        if earlier in days and later in days and days[later] <= days[earlier]:
            errors[later] = _ORDER_MESSAGES[later].format(days=days[earlier])
    return errors


def validate_spec(spec: ClusterSpec, *, existing_names: Iterable[str],
                  existing_databases: Iterable[str], region_codes: Iterable[str],
                  known_user_ids: Iterable[int]) -> None:
    """Every rule of every step; raises :class:`ValidationError` with all field messages."""
    errors: dict[str, str] = {}
    for step in (
        validate_basics(spec, existing_names=existing_names,
                        existing_databases=existing_databases, region_codes=region_codes),
        validate_resources(spec),
        validate_team(spec, known_user_ids=known_user_ids),
        validate_retention(spec),
    ):
        for field, message in step.items():
            errors.setdefault(field, message)
    if errors:
        raise ValidationError("Some choices need attention.", fields=errors)


# --- query limits -----------------------------------------------------------------------------

def query_limits(spec: ClusterSpec, *, cpu_count: int,
                 ceilings: HostCeilings | None = None) -> dict[str, int]:
    """ClickHouse settings applied to every query the app runs for this cluster.

    - ``max_threads``: vCPUs per node, but no more than ``cpu_count`` (the host's CPUs), and
      at least 1.
    - ``max_memory_usage``: half a node's memory, in bytes, kept between 1 GiB and 128 GiB
      (half of the largest node any type allows).
    - ``max_execution_time``: seconds a query may run: development 30, manufacturing
      analytics 60, production 120 (30 for an unknown type).
    - ``max_result_rows``: 10 000 000 rows; a guard against runaway queries, not paging.

    None of them above the host's ``ceilings`` when given.
    """
    vcpus = spec.vcpu_per_node if _is_int(spec.vcpu_per_node) else 1
    memory_gb = spec.memory_gb_per_node if _is_int(spec.memory_gb_per_node) else 0
    low, high = QUERY_MEMORY_BYTES
    preset = _preset(spec.cluster_type)
    seconds = preset.max_execution_time_s if preset else min(
        p.max_execution_time_s for p in CLUSTER_TYPES.values())
    limits = {
        "max_threads": max(1, min(vcpus, cpu_count)),
        "max_memory_usage": min(max(memory_gb * 1024**3 // 2, low), high),
        "max_execution_time": seconds,
        "max_result_rows": MAX_RESULT_ROWS,
    }
    for name, cap in (ceilings.as_settings() if ceilings else {}).items():
        limits[name] = min(limits[name], cap)
    return limits


# --- plain dicts (JSON columns, wizard drafts) ------------------------------------------------

def spec_to_dict(spec: ClusterSpec) -> dict[str, Any]:
    """``spec`` as JSON-ready plain values; :func:`spec_from_dict` reads it back."""
    return {
        "name": spec.name,
        "description": spec.description,
        "cluster_type": spec.cluster_type,
        "region_code": spec.region_code,
        "nodes": spec.nodes,
        "vcpu_per_node": spec.vcpu_per_node,
        "memory_gb_per_node": spec.memory_gb_per_node,
        "storage": asdict(spec.storage),
        "retention": asdict(spec.retention),
        "members": [{"user_id": m.user_id, "role": m.role} for m in spec.members],
        "load_sample_data": spec.load_sample_data,
    }


def spec_from_dict(data: object) -> ClusterSpec:
    """A spec from untrusted plain data; never raises.

    Whatever is missing or of the wrong kind becomes a value validation rejects: ``""`` for
    text, :data:`INVALID_INT` for numbers (see :func:`coerce_int`), no members. Extra keys are
    ignored. ``delete_after_days`` may be ``None`` (keep forever) but must be present.
    """
    d = _mapping(data)
    storage, retention = _mapping(d.get("storage")), _mapping(d.get("retention"))
    delete_after = retention.get("delete_after_days", INVALID_INT)
    return ClusterSpec(
        name=coerce_str(d.get("name")).strip(),
        description=coerce_str(d.get("description")),
        cluster_type=coerce_str(d.get("cluster_type")),
        region_code=coerce_str(d.get("region_code")),
        nodes=coerce_int(d.get("nodes")),
        vcpu_per_node=coerce_int(d.get("vcpu_per_node")),
        memory_gb_per_node=coerce_int(d.get("memory_gb_per_node")),
        storage=TierSizes(**{field: coerce_int(storage.get(field)) for field in TIER_FIELDS}),
        retention=TierRetention(
            warm_after_days=coerce_int(retention.get("warm_after_days")),
            cold_after_days=coerce_int(retention.get("cold_after_days")),
            archive_after_days=coerce_int(retention.get("archive_after_days")),
            delete_after_days=None if delete_after is None else coerce_int(delete_after),
        ),
        members=_members(d.get("members")),
        load_sample_data=d.get("load_sample_data") is True,
    )


def spec_with_preset(data: object) -> ClusterSpec:
    """A spec from untrusted plain data whose ``cluster_type`` fills the wizard's preset.

    The type's default nodes, vCPUs, memory, tier sizes and retention (see
    :func:`apply_preset`) fill every field the data leaves out; a field that is present,
    including one tier size or one retention day count, overrides its default. A missing or
    unknown type raises :class:`ValidationError` naming the types; the rest is validated as
    :func:`spec_from_dict`'s result is.
    """
    d = _mapping(data)
    preset = _preset(d.get("cluster_type"))
    if preset is None:
        codes = ", ".join(CLUSTER_TYPES)
        shown = coerce_str(d.get("cluster_type"))[:40]
        message = (f"Unknown cluster type {shown!r}; choose one of: {codes}." if shown
                   else f"Give a cluster_type; one of: {codes}.")
        raise ValidationError(message, fields={"cluster_type": message})
    filled = dict(d)
    for key in ("nodes", "vcpu_per_node", "memory_gb_per_node"):
        filled.setdefault(key, getattr(preset, f"default_{key}"))
    filled["storage"] = {**asdict(preset.storage), **_mapping(d.get("storage"))}
    filled["retention"] = {**asdict(preset.retention), **_mapping(d.get("retention"))}
    return spec_from_dict(filled)


def coerce_int(value: object) -> int:
    """An int from a JSON value: ints, whole floats and digit strings; anything else ``-1``."""
    if isinstance(value, bool):
        return INVALID_INT
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) and value.is_integer() else INVALID_INT
    if isinstance(value, str) and _INT_TEXT.fullmatch(value):
        return int(value)
    return INVALID_INT


def coerce_str(value: object) -> str:
    """``value`` if it is a string, else ``""``."""
    return value if isinstance(value, str) else ""


# --- helpers ----------------------------------------------------------------------------------

def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _preset(cluster_type: object) -> TypePreset | None:
    return CLUSTER_TYPES.get(cluster_type) if isinstance(cluster_type, str) else None


def _between(bounds: Bounds) -> str:
    return f"{bounds.low} to {bounds.high}"


def _name_error(name: object, *, existing_names: Iterable[str],
                existing_databases: Iterable[str]) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return "Enter a name."
    if name != name.strip():
        return "Remove the spaces at the start and end of the name."
    if len(name) < NAME_MIN:
        return f"Use at least {NAME_MIN} characters."
    if len(name) > NAME_MAX:
        return f"Use at most {NAME_MAX} characters."
    if not name.isprintable():
        return "Use letters, digits, spaces and punctuation only."
    database = database_name_for(name)
    if not database:
        return "Include at least one letter or digit (A–Z, 0–9)."
    try:
        validate_identifier(database)
    except ValidationError:
        return f"“{database}” is a reserved database name; choose another name."
    if name.casefold() in {n.casefold() for n in existing_names if isinstance(n, str)}:
        return "A cluster with this name already exists."
    if database in {d.lower() for d in existing_databases if isinstance(d, str)}:
        return f"Another cluster already uses the database “{database}”; choose another name."
    return None


def _storage_errors(storage: object, *, preset: TypePreset | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for field in TIER_FIELDS:
        value = getattr(storage, field, None)
        if not _is_int(value) or value < 0:
            errors[field] = "Enter a whole number of GB (0 or more)."
        elif field == "hot_gb" and value < MIN_HOT_GB:
            errors[field] = f"The hot tier needs at least {MIN_HOT_GB} GB."
        else:
            sizes[field] = value
    total = sum(sizes.values())
    if preset is not None and not errors and total > preset.max_storage_gb:
        errors["storage"] = (f"A {preset.label} cluster holds at most "
                             f"{preset.max_storage_gb:,} GB in all tiers (now {total:,} GB).")
    return errors


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _members(value: object) -> tuple[MemberGrant, ...]:
    if not isinstance(value, list | tuple):
        return ()
    return tuple(MemberGrant(user_id=coerce_int(_mapping(item).get("user_id")),
                             role=coerce_str(_mapping(item).get("role"))) for item in value)
