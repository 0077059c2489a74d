"""The wizard's rules: presets, the exact message per field, tampered drafts, query limits."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from data.analytics.ch_schema import TierRetention
from lyceum.errors import ValidationError
from lyceum.settings import HostCeilings
from services.clusters import costs, rules
from services.clusters.request import ClusterSpec, MemberGrant, TierSizes
from services.clusters.rules import (
    CLUSTER_TYPES,
    apply_preset,
    coerce_int,
    query_limits,
    spec_from_dict,
    spec_to_dict,
    validate_basics,
    validate_resources,
    validate_retention,
    validate_spec,
    validate_team,
)
from services.core.roles import ROLE_NAMES as ROLES

REGIONS = {"local", "eu-central", "eu-west", "us-east", "us-west", "ap-southeast"}
USERS = {1, 2, 3}
GIB = 1024**3


def make_spec(cluster_type: str = "manufacturing", **changes: Any) -> ClusterSpec:
    """A valid spec of ``cluster_type`` with its defaults, then ``changes``."""
    spec = ClusterSpec(name="Line 3 press shop", description="Presses 1-4", region_code="eu-west",
                       members=(MemberGrant(user_id=1, role="admin"),))
    return replace(apply_preset(spec, cluster_type), **changes)


def basics(spec: ClusterSpec, *, names: set[str] | None = None,
           databases: set[str] | None = None) -> dict[str, str]:
    return validate_basics(spec, existing_names=names or set(),
                           existing_databases=databases or set(), region_codes=REGIONS)


def all_errors(spec: ClusterSpec) -> dict[str, str]:
    """The fields :func:`validate_spec` reports (empty when it passes)."""
    try:
        validate_spec(spec, existing_names=set(), existing_databases=set(), region_codes=REGIONS,
                      known_user_ids=USERS)
    except ValidationError as exc:
        assert exc.user_message == "Some choices need attention."
        return exc.fields
    return {}


# --- presets ----------------------------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(CLUSTER_TYPES))
def test_preset_defaults_lie_within_their_own_bounds(code: str) -> None:
    preset = CLUSTER_TYPES[code]
    assert preset.code == code
    assert preset.default_nodes in preset.nodes
    assert preset.default_vcpu_per_node in preset.vcpu_per_node
    assert preset.default_memory_gb_per_node in preset.memory_gb_per_node
    assert preset.storage.total_gb <= preset.max_storage_gb
    assert all_errors(make_spec(code)) == {}


def test_presets_match_the_documented_types() -> None:
    shape = {code: (p.label, p.recommended, str(p.nodes), str(p.vcpu_per_node),
                    str(p.memory_gb_per_node), p.max_storage_gb)
             for code, p in CLUSTER_TYPES.items()}
    assert shape == {
        "development": ("Development", False, "1–2", "4–8", "16–32", 2_000),
        "manufacturing": ("Manufacturing analytics", True, "3–5", "8–16", "64–128", 20_000),
        "production": ("Production", False, "5–10", "16–32", "128–256", 100_000),
    }
    assert CLUSTER_TYPES["manufacturing"].summary == "3–5 nodes · 8–16 vCPU · 64–128 GB per node"


def test_apply_preset_fills_resources_and_keeps_the_rest() -> None:
    before = make_spec("manufacturing", load_sample_data=True)
    after = apply_preset(before, "development")
    dev = CLUSTER_TYPES["development"]
    assert (after.cluster_type, after.nodes, after.vcpu_per_node, after.memory_gb_per_node) == (
        "development", 1, 4, 16)
    assert after.storage == dev.storage and after.retention == dev.retention
    kept = ("name", "description", "region_code", "members", "load_sample_data")
    assert [getattr(after, f) for f in kept] == [getattr(before, f) for f in kept]


def test_apply_preset_refuses_an_unknown_type() -> None:
    spec = make_spec()
    with pytest.raises(ValidationError) as caught:
        apply_preset(spec, "enterprise")
    assert caught.value.fields == {"cluster_type": "Choose a cluster type."}


# --- step 1: basics ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Line 3 — Press Shop", "abc", "x" * 63, "123 plant",
                                  "Presswerk Ölstraße", "Paint shop (night)"])
def test_good_names_pass(name: str) -> None:
    assert basics(make_spec(name=name)) == {}


@pytest.mark.parametrize(("name", "message"), [
    ("", "Enter a name."),
    ("   ", "Enter a name."),
    ("ab", "Use at least 3 characters."),
    ("x" * 64, "Use at most 63 characters."),
    (" Line 3", "Remove the spaces at the start and end of the name."),
    ("Line\t3", "Use letters, digits, spaces and punctuation only."),
    ("Line\u200b3", "Use letters, digits, spaces and punctuation only."),
    ("!!!", "Include at least one letter or digit (A–Z, 0–9)."),
    ("日本語", "Include at least one letter or digit (A–Z, 0–9)."),
    ("System", "“system” is a reserved database name; choose another name."),
    ("-- default --", "“default” is a reserved database name; choose another name."),
    ("Information schema",
     "“information_schema” is a reserved database name; choose another name."),
])
def test_bad_names_are_flagged(name: str, message: str) -> None:
    assert basics(make_spec(name=name)) == {"name": message}


def test_name_must_be_unique_ignoring_case() -> None:
    errors = basics(make_spec(name="LINE 3 Press Shop"), names={"line 3 press shop"})
    assert errors == {"name": "A cluster with this name already exists."}


@pytest.mark.parametrize("taken", ["line_3_press_shop", "LINE_3_PRESS_SHOP"])
def test_database_name_must_be_unique(taken: str) -> None:
    errors = basics(make_spec(name="Line-3 / press shop"), databases={taken})
    assert errors == {"name": "Another cluster already uses the database “line_3_press_shop”; "
                              "choose another name."}


def test_description_rules() -> None:
    assert basics(make_spec(description="x" * 500)) == {}
    assert basics(make_spec(description="Two\nlines")) == {}
    assert basics(make_spec(description="x" * 501)) == {
        "description": "Use at most 500 characters."}
    assert basics(make_spec(description="bell\x07")) == {
        "description": "Remove control characters from the description."}


def test_type_and_region_must_be_known() -> None:
    errors = basics(replace(make_spec(), cluster_type="enterprise", region_code="mars"))
    assert errors == {"cluster_type": "Choose a cluster type.", "region_code": "Choose a region."}


# --- step 2: resources and storage ------------------------------------------------------------

@pytest.mark.parametrize("code", sorted(CLUSTER_TYPES))
def test_resources_at_both_ends_of_each_range_pass(code: str) -> None:
    preset = CLUSTER_TYPES[code]
    low = make_spec(code, nodes=preset.nodes.low, vcpu_per_node=preset.vcpu_per_node.low,
                    memory_gb_per_node=preset.memory_gb_per_node.low)
    high = make_spec(code, nodes=preset.nodes.high, vcpu_per_node=preset.vcpu_per_node.high,
                     memory_gb_per_node=preset.memory_gb_per_node.high)
    assert validate_resources(low) == {} and validate_resources(high) == {}


@pytest.mark.parametrize(("code", "field", "value", "message"), [
    ("development", "nodes", 3, "Choose 1 to 2 nodes for a Development cluster."),
    ("development", "nodes", 0, "Choose 1 to 2 nodes for a Development cluster."),
    ("manufacturing", "nodes", 2, "Choose 3 to 5 nodes for a Manufacturing analytics cluster."),
    ("manufacturing", "vcpu_per_node", 17,
     "Choose 8 to 16 vCPUs per node for a Manufacturing analytics cluster."),
    ("production", "memory_gb_per_node", 512,
     "Choose 128 to 256 GB of memory per node for a Production cluster."),
    ("production", "memory_gb_per_node", 127,
     "Choose 128 to 256 GB of memory per node for a Production cluster."),
])
def test_resources_outside_the_type_are_flagged(code: str, field: str, value: int,
                                                message: str) -> None:
    assert validate_resources(make_spec(code, **{field: value})) == {field: message}


def test_memory_per_vcpu_must_be_between_2_and_16_gb() -> None:
    too_much = validate_resources(make_spec("development", vcpu_per_node=1, memory_gb_per_node=32))
    assert too_much == {
        "vcpu_per_node": "Choose 4 to 8 vCPUs per node for a Development cluster.",
        "memory_gb_per_node": "Use 2 to 16 GB of memory per vCPU (now 32 GB).",
    }
    too_little = validate_resources(make_spec("production", vcpu_per_node=100))
    assert too_little["memory_gb_per_node"] == "Use 2 to 16 GB of memory per vCPU (now 1.28 GB)."


@pytest.mark.parametrize(("storage", "errors"), [
    (TierSizes(hot_gb=10, warm_gb=0, cold_gb=0, archive_gb=0), {}),
    (TierSizes(hot_gb=9, warm_gb=0, cold_gb=0, archive_gb=0),
     {"hot_gb": "The hot tier needs at least 10 GB."}),
    (TierSizes(hot_gb=100, warm_gb=-1, cold_gb=0, archive_gb=-5),
     {"warm_gb": "Enter a whole number of GB (0 or more).",
      "archive_gb": "Enter a whole number of GB (0 or more)."}),
    (TierSizes(hot_gb=1000, warm_gb=1000, cold_gb=0, archive_gb=0), {}),
    (TierSizes(hot_gb=1000, warm_gb=1000, cold_gb=0, archive_gb=1),
     {"storage": "A Development cluster holds at most 2,000 GB in all tiers (now 2,001 GB)."}),
])
def test_storage_rules(storage: TierSizes, errors: dict[str, str]) -> None:
    assert validate_resources(make_spec("development", storage=storage)) == errors


def test_resources_of_an_unknown_type() -> None:
    assert validate_resources(replace(make_spec(), cluster_type="xl")) == {
        "cluster_type": "Choose a cluster type."}


# --- step 3: team and retention ---------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_every_role_is_accepted(role: str) -> None:
    members = (MemberGrant(1, "admin"), MemberGrant(2, role))
    assert validate_team(make_spec(members=members), known_user_ids=USERS) == {}


@pytest.mark.parametrize(("members", "message"), [
    ((), "At least one member must be an admin."),
    ((MemberGrant(1, "editor"), MemberGrant(2, "viewer")),
     "At least one member must be an admin."),
    ((MemberGrant(1, "admin"), MemberGrant(2, "owner")),
     "Give each member a role: admin, editor, analyst or viewer."),
    ((MemberGrant(1, "admin"), MemberGrant(1, "viewer")), "Each person can be added only once."),
    ((MemberGrant(1, "admin"), MemberGrant(99, "viewer")), "Some members are not known users."),
])
def test_team_rules(members: tuple[MemberGrant, ...], message: str) -> None:
    errors = validate_team(make_spec(members=members), known_user_ids=USERS)
    assert errors == {"members": message}


@pytest.mark.parametrize("retention", [
    TierRetention(1, 2, 3, 4),
    TierRetention(7, 30, 180, None),
    TierRetention(7, 30, 180, 3650),
])
def test_good_retention_passes(retention: TierRetention) -> None:
    assert validate_retention(make_spec(retention=retention)) == {}


@pytest.mark.parametrize(("retention", "errors"), [
    (TierRetention(0, 30, 180, 730),
     {"warm_after_days": "Enter a whole number of days (1 or more)."}),
    (TierRetention(7, 7, 180, 730),
     {"cold_after_days": "Move data to cold later than to warm (after more than 7 days)."}),
    (TierRetention(7, 30, 20, 730),
     {"archive_after_days": "Move data to archive later than to cold (after more than 30 days)."}),
    (TierRetention(7, 30, 180, 180),
     {"delete_after_days": "Delete data later than it is archived (after more than 180 days)."}),
    (TierRetention(7, 30, 180, 3651),
     {"delete_after_days": "Delete after at most 3,650 days (10 years), or leave empty to keep "
                           "data forever."}),
    (TierRetention(7, 30, 180, 0),
     {"delete_after_days": "Enter a whole number of days (1 or more)."}),
    (TierRetention(40, 30, 20, 10),
     {"cold_after_days": "Move data to cold later than to warm (after more than 40 days).",
      "archive_after_days": "Move data to archive later than to cold (after more than 30 days).",
      "delete_after_days": "Delete data later than it is archived (after more than 20 days)."}),
])
def test_bad_retention_is_flagged(retention: TierRetention, errors: dict[str, str]) -> None:
    assert validate_retention(make_spec(retention=retention)) == errors


# --- the final check --------------------------------------------------------------------------

def test_validate_spec_passes_a_valid_spec() -> None:
    assert all_errors(make_spec("production")) == {}


def test_validate_spec_merges_every_step() -> None:
    spec = make_spec(name="ab", nodes=9, members=(), retention=TierRetention(7, 7, 180, 730))
    assert all_errors(spec) == {
        "name": "Use at least 3 characters.",
        "nodes": "Choose 3 to 5 nodes for a Manufacturing analytics cluster.",
        "members": "At least one member must be an admin.",
        "cold_after_days": "Move data to cold later than to warm (after more than 7 days).",
    }


# --- query limits -----------------------------------------------------------------------------

def test_query_limits_of_the_manufacturing_defaults() -> None:
    assert query_limits(make_spec(), cpu_count=4) == {
        "max_threads": 4, "max_memory_usage": 32 * GIB, "max_execution_time": 60,
        "max_result_rows": 10_000_000,
    }


@pytest.mark.parametrize(("changes", "cpu_count", "expected"), [
    ({}, 64, {"max_threads": 8}),
    ({}, 0, {"max_threads": 1}),
    ({"vcpu_per_node": -1}, 8, {"max_threads": 1}),
    ({"cluster_type": "development", "memory_gb_per_node": 16}, 8,
     {"max_memory_usage": 8 * GIB, "max_execution_time": 30}),
    ({"cluster_type": "production", "memory_gb_per_node": 256}, 8,
     {"max_memory_usage": 128 * GIB, "max_execution_time": 120}),
    ({"memory_gb_per_node": 10**6}, 8, {"max_memory_usage": 128 * GIB}),
    ({"memory_gb_per_node": -1}, 8, {"max_memory_usage": GIB}),
    ({"cluster_type": "garbage"}, 8, {"max_execution_time": 30}),
])
def test_query_limits(changes: dict[str, Any], cpu_count: int, expected: dict[str, int]) -> None:
    limits = query_limits(replace(make_spec(), **changes), cpu_count=cpu_count)
    assert {key: limits[key] for key in expected} == expected


def test_query_limits_never_pass_the_hosts_ceilings() -> None:
    host = HostCeilings(max_execution_time=45, max_memory_usage=4 * GIB, max_threads=2)
    spec = replace(make_spec(), cluster_type="production", memory_gb_per_node=256,
                   vcpu_per_node=32)
    assert query_limits(spec, cpu_count=64, ceilings=host) == {
        "max_threads": 2, "max_memory_usage": 4 * GIB, "max_execution_time": 45,
        "max_result_rows": 10_000_000}
    roomy = HostCeilings(max_execution_time=3600, max_memory_usage=1024 * GIB, max_threads=64)
    assert query_limits(spec, cpu_count=64, ceilings=roomy) == query_limits(spec, cpu_count=64)


# --- plain dicts and tampered drafts ----------------------------------------------------------

@pytest.mark.parametrize("spec", [
    make_spec(), make_spec("production", load_sample_data=True),
    make_spec(retention=TierRetention(7, 30, 180, None)),
    make_spec(members=(MemberGrant(1, "admin"), MemberGrant(3, "viewer"))),
])
def test_dicts_round_trip_through_json(spec: ClusterSpec) -> None:
    assert spec_from_dict(json.loads(json.dumps(spec_to_dict(spec)))) == spec


@pytest.mark.parametrize(("value", "expected"), [
    (3, 3), (-5, -5), ("12", 12), (" 12 ", 12), ("+4", 4), (4.0, 4), (10**30, 10**30),
    (3.5, -1), (float("nan"), -1), (float("inf"), -1), ("3.0", -1), ("three", -1), ("", -1),
    (None, -1), (True, -1), ([3], -1), ({"n": 3}, -1), ("9" * 5000, -1),
])
def test_coerce_int(value: object, expected: int) -> None:
    assert coerce_int(value) == expected


def tampered(path: str, value: object) -> dict[str, Any]:
    """The valid spec's dict with ``path`` (``"storage.hot_gb"``) set to ``value``."""
    data = spec_to_dict(make_spec())
    *parents, key = path.split(".")
    target = data
    for parent in parents:
        target = target[parent]
    target[key] = value
    return data


@pytest.mark.parametrize(("path", "value", "errors"), [
    ("nodes", "4", {}),
    ("nodes", 4.0, {}),
    ("name", "  Line 3  ", {}),
    ("extra", {"anything": [1, 2]}, {}),
    ("members", [{"user_id": "1", "role": "admin"}], {}),
    ("nodes", "three", {"nodes": "Choose 3 to 5 nodes for a Manufacturing analytics cluster."}),
    ("nodes", -3, {"nodes": "Choose 3 to 5 nodes for a Manufacturing analytics cluster."}),
    ("nodes", 10**40, {"nodes": "Choose 3 to 5 nodes for a Manufacturing analytics cluster."}),
    ("nodes", None, {"nodes": "Choose 3 to 5 nodes for a Manufacturing analytics cluster."}),
    ("name", 12345, {"name": "Enter a name."}),
    ("cluster_type", ["manufacturing"], {"cluster_type": "Choose a cluster type."}),
    ("region_code", None, {"region_code": "Choose a region."}),
    ("storage.hot_gb", 2.5, {"hot_gb": "Enter a whole number of GB (0 or more)."}),
    ("storage.cold_gb", 10**30, {"storage": "A Manufacturing analytics cluster holds at most "
                                            f"20,000 GB in all tiers (now {10**30 + 5500:,} GB)."}),
    ("retention.delete_after_days", None, {}),
    ("retention.delete_after_days", "never",
     {"delete_after_days": "Enter a whole number of days (1 or more)."}),
    ("members", "admin", {"members": "At least one member must be an admin."}),
    ("members", [1, 2], {"members": "Some members are not known users."}),
    ("members", [{"user_id": 1, "role": ["admin"]}],
     {"members": "Give each member a role: admin, editor, analyst or viewer."}),
    ("load_sample_data", "yes", {}),
])
def test_tampered_values_become_messages(path: str, value: object,
                                         errors: dict[str, str]) -> None:
    assert all_errors(spec_from_dict(tampered(path, value))) == errors


#: Without a known type, nodes, vCPU and memory cannot be judged; the type is flagged instead.
ALL_FIELDS = {"name", "cluster_type", "region_code", "hot_gb", "warm_gb", "cold_gb",
              "archive_gb", "members", "warm_after_days", "cold_after_days",
              "archive_after_days", "delete_after_days"}


@pytest.mark.parametrize("data", [{}, None, [], "spec", 42, {"storage": "big", "retention": 7}])
def test_garbage_drafts_flag_every_field(data: object) -> None:
    spec = spec_from_dict(data)
    assert set(all_errors(spec)) == ALL_FIELDS
    assert spec.load_sample_data is False


@pytest.mark.parametrize("key", ["storage", "retention"])
def test_missing_sections_are_flagged(key: str) -> None:
    data = spec_to_dict(make_spec())
    del data[key]
    section = set(spec_to_dict(make_spec())[key])
    assert set(all_errors(spec_from_dict(data))) == section


GARBAGE: list[object] = ["", "x", "-1", -1, 0, 10**40, 1e308, -1e308, float("nan"), None,
                         True, [], [1], {}, {"user_id": 1}, "\x00" * 10_000]


@pytest.mark.parametrize("value", GARBAGE, ids=repr)
def test_no_garbage_anywhere_raises_anything_but_validation_error(value: object) -> None:
    paths = [*spec_to_dict(make_spec()), "storage.hot_gb", "storage.archive_gb",
             "retention.warm_after_days", "retention.delete_after_days", "members"]
    for path in paths:
        spec = spec_from_dict(tampered(path, value))
        all_errors(spec)
        query_limits(spec, cpu_count=4)
        costs.estimate(spec, region_factor=1.0)


def test_spec_with_preset_fills_what_is_left_out_and_keeps_what_is_given() -> None:
    preset = rules.CLUSTER_TYPES["production"]
    spec = rules.spec_with_preset({"name": "x", "cluster_type": "production",
                                   "region_code": "local", "nodes": 7,
                                   "storage": {"cold_gb": 123}})
    assert (spec.nodes, spec.vcpu_per_node) == (7, preset.default_vcpu_per_node)
    assert spec.storage.cold_gb == 123 and spec.storage.hot_gb == preset.storage.hot_gb
    assert spec.retention == preset.retention


@pytest.mark.parametrize("kind", ["", "Production", "mainframe", None, 3])
def test_spec_with_preset_refuses_a_missing_or_unknown_type(kind: object) -> None:
    with pytest.raises(ValidationError) as caught:
        rules.spec_with_preset({"name": "x", "cluster_type": kind})
    assert "development, manufacturing, production" in caught.value.user_message
    assert set(caught.value.fields) == {"cluster_type"}
