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


def test_typed_values_are_kept_as_typed_and_come_back_after_a_reload(
        runtime: Runtime, user_id: int) -> None:
    before = wizard.open_wizard(runtime, user_id=user_id)
    view = wizard.save_changes(runtime, user_id=user_id, values={
        "name": "Press shop", "region_code": "ap-southeast", "nodes": 99})
    assert view.estimate.total > before.estimate.total
    assert view.errors == {} and view.step == 1  # nobody was shown a message: none appears
    reloaded = wizard.open_wizard(runtime, user_id=user_id)
    assert (reloaded.spec.name, reloaded.spec.region_code) == ("Press shop", "ap-southeast")
    assert reloaded.spec.nodes == before.spec.nodes  # not a field of step 1
    assert reloaded.step == 1 and reloaded.estimate.total == view.estimate.total


def test_a_shown_message_goes_when_its_field_is_corrected_and_stays_while_wrong(
        runtime: Runtime, user_id: int) -> None:
    wizard.advance(runtime, user_id=user_id, values={"name": "Plant C", "region_code": "local",
                                                     "cluster_type": "development"})
    view = wizard.advance(runtime, user_id=user_id, values={"memory_gb_per_node": 500,
                                                           "nodes": 0})
    assert {"memory_gb_per_node", "nodes"} <= set(view.errors) and view.step == 2
    flagged = ["memory_gb_per_node", "nodes"]
    view = wizard.save_changes(runtime, user_id=user_id, values={"memory_gb_per_node": 16,
                                                                "nodes": 0}, flagged=flagged)
    assert "memory_gb_per_node" not in view.errors and "nodes" in view.errors
    view = wizard.save_changes(runtime, user_id=user_id, values={"vcpu_per_node": -1,
                                                                "nodes": 2}, flagged=flagged)
    assert view.errors == {}  # vcpu is wrong, but its message was not showing: not yet


def test_a_reloaded_draft_shows_the_messages_of_its_filled_fields_only(
        runtime: Runtime, user_id: int) -> None:
    wizard.save_changes(runtime, user_id=user_id, values={"name": "x", "description": ""})
    view = wizard.open_wizard(runtime, user_id=user_id)
    assert view.spec.name == "x" and "name" in view.errors
    wizard.save_changes(runtime, user_id=user_id, values={"name": ""})
    assert "name" not in wizard.open_wizard(runtime, user_id=user_id).errors


def test_the_stepper_jumps_back_anywhere_and_forward_to_visited_valid_steps(
        runtime: Runtime, user_id: int) -> None:
    values = {"name": "Plant D", "region_code": "local", "cluster_type": "development"}
    wizard.advance(runtime, user_id=user_id, values=values)
    view = wizard.advance(runtime, user_id=user_id, values={})
    assert (view.step, view.furthest) == (3, 3)
    view = wizard.go_to(runtime, user_id=user_id, values={}, step=1)
    assert (view.step, view.furthest) == (1, 3)
    view = wizard.go_to(runtime, user_id=user_id, values={}, step=4)  # never reached
    assert view.step == 1
    view = wizard.go_to(runtime, user_id=user_id, values={"name": ""}, step=3)
    assert view.step == 1 and "name" in view.errors  # step 1 must be valid to pass it
    view = wizard.go_to(runtime, user_id=user_id, values=values, step=3)
    assert (view.step, view.errors) == (3, {})
    assert wizard.open_wizard(runtime, user_id=user_id).step == 3


@pytest.mark.parametrize("step", [0, -1, 9, True, "2", None, 2.0])
def test_a_forged_step_number_leaves_the_wizard_where_it_is(runtime: Runtime, user_id: int,
                                                            step: object) -> None:
    view = wizard.go_to(runtime, user_id=user_id, values={}, step=step)  # type: ignore[arg-type]
    assert view.step == 1 and view.errors == {}

