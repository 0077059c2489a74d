"""The wizard keeps its state on the server and never trusts what the browser sends."""

from __future__ import annotations

import pytest

from services.access.accounts import create_user
from services.clusters import wizard
from services.core.runtime import Runtime


@pytest.fixture
def user_id(runtime: Runtime) -> int:
    return create_user(runtime.db, runtime.passwords, email="ada@example.com",
                       password="long enough password", is_admin=True).id


def test_new_draft_starts_with_the_recommended_type_and_creator_as_admin(
        runtime: Runtime, user_id: int) -> None:
    view = wizard.open_wizard(runtime, user_id=user_id)
    assert view.step == 1 and view.spec.cluster_type == "manufacturing"
    assert [(m.user_id, m.role) for m in view.spec.members] == [(user_id, "admin")]
    assert view.estimate.total > 0


def test_steps_advance_only_when_valid_and_survive_a_reload(runtime: Runtime,
                                                            user_id: int) -> None:
    view = wizard.advance(runtime, user_id=user_id, values={"name": "x", "region_code": "local",
                                                           "cluster_type": "development"})
    assert view.step == 1 and "name" in view.errors
    view = wizard.advance(runtime, user_id=user_id, values={
        "name": "Line 3 press shop", "region_code": "local", "cluster_type": "development",
        "description": ""})
    assert view.step == 2 and not view.errors
    assert view.spec.nodes == 1  # the development preset was applied
    reloaded = wizard.open_wizard(runtime, user_id=user_id)
    assert reloaded.step == 2 and reloaded.spec.name == "Line 3 press shop"
    assert reloaded.spec.database_name == "line_3_press_shop"


def test_only_the_current_steps_fields_are_taken(runtime: Runtime, user_id: int) -> None:
    view = wizard.advance(runtime, user_id=user_id, values={
        "name": "Plant A", "region_code": "local", "cluster_type": "development",
        "nodes": 999, "members": {user_id: "viewer"}})
    assert view.step == 2 and view.spec.nodes != 999
    assert view.spec.members[0].role == "admin"


def test_tampered_values_get_messages_not_exceptions(runtime: Runtime, user_id: int) -> None:
    wizard.advance(runtime, user_id=user_id, values={"name": "Plant B", "region_code": "local",
                                                     "cluster_type": "development"})
    view = wizard.advance(runtime, user_id=user_id, values={
        "nodes": "1; DROP TABLE users", "vcpu_per_node": -4, "memory_gb_per_node": 10**12,
        "hot_gb": None, "warm_gb": "lots", "cold_gb": 1.5, "archive_gb": []})
    assert view.step == 2
    assert {"nodes", "vcpu_per_node", "memory_gb_per_node", "hot_gb", "warm_gb"} <= set(
        view.errors)


def test_retention_must_increase_and_team_needs_an_admin(runtime: Runtime,
                                                         user_id: int) -> None:
    wizard.advance(runtime, user_id=user_id, values={"name": "Plant C", "region_code": "local",
                                                     "cluster_type": "development"})
    wizard.advance(runtime, user_id=user_id, values={})
    view = wizard.advance(runtime, user_id=user_id, values={
        "members": {user_id: "viewer"}, "warm_after_days": 30, "cold_after_days": 10,
        "archive_after_days": 60, "delete_after_days": None})
    assert view.step == 3 and "members" in view.errors and "cold_after_days" in view.errors
    view = wizard.advance(runtime, user_id=user_id, values={
        "members": {user_id: "admin"}, "warm_after_days": 7, "cold_after_days": 30,
        "archive_after_days": 90, "delete_after_days": ""})
    assert view.step == 4 and view.spec.retention.delete_after_days is None
    sections = dict(wizard.review_sections(view))
    assert "kept forever" in dict(sections["Team & retention"])["Retention"]


def test_back_keeps_values_and_start_over_forgets(runtime: Runtime, user_id: int) -> None:
    wizard.advance(runtime, user_id=user_id, values={"name": "Plant D", "region_code": "local",
                                                     "cluster_type": "development"})
    view = wizard.back(runtime, user_id=user_id, values={"nodes": 2})
    assert view.step == 1 and view.spec.nodes == 2
    view = wizard.start_over(runtime, user_id=user_id)
    assert view.step == 1 and view.spec.name == ""


def test_preview_changes_the_estimate_without_saving(runtime: Runtime, user_id: int) -> None:
    before = wizard.open_wizard(runtime, user_id=user_id)
    preview = wizard.preview(runtime, user_id=user_id, values={"region_code": "ap-southeast"})
    assert preview.estimate.total > before.estimate.total
    assert wizard.open_wizard(runtime, user_id=user_id).spec.region_code == "local"
