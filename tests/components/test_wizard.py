"""The cluster wizard's factories: the stepper, each step's fields and messages, the review,
the estimate and the frame, filled from a real draft (spec, estimate, view)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from components.ids.wizard import Wizard, wizard_feedback, wizard_field, wizard_member, wizard_step
from components.wizard import (
    FEEDBACK_HIDDEN,
    FEEDBACK_SHOWN,
    STEP_TITLES,
    database_hint_id,
    make_estimate_panel,
    make_resources,
    make_review,
    make_step_body,
    make_stepper,
    make_team_retention,
    make_wizard_frame,
)
from services.clusters import costs, wizard
from services.clusters.request import ClusterSpec, MemberGrant
from tests.components.tree import by_id, ids, of_type, rows, text

SPEC = ClusterSpec(name="Hall 3 — Press Shop", description="Presses", nodes=2,
                   members=(MemberGrant(user_id=1, role="admin"),
                            MemberGrant(user_id=2, role="analyst")))
USERS = [(1, "ada@example.com"), (2, "bo@example.com"), (3, "cy@example.com")]


def _view(step: int, *, errors: dict[str, str] | None = None,
          bundled: bool = True) -> wizard.WizardView:
    return wizard.WizardView(step=step, spec=SPEC, errors=errors or {}, furthest=step,
                             estimate=costs.estimate(SPEC, region_factor=1.0),
                             region_name="This server", regions=[("local", "This server")],
                             users=USERS, bundled=bundled)


def _body(view: wizard.WizardView) -> object:
    return make_step_body(view, user_id=1, types=wizard.type_choices(),
                          hints=wizard.resource_hints(view.spec),
                          sections=wizard.review_sections(view))


def test_the_stepper_links_every_step_reached_but_the_current_one() -> None:
    stepper = make_stepper(2, furthest=3)
    items = of_type(stepper, "Li")
    assert [i.className for i in items] == [
        "wizard-step wizard-step-done wizard-step-visited",
        "wizard-step wizard-step-current",
        "wizard-step wizard-step-todo wizard-step-visited",
        "wizard-step wizard-step-todo"]
    assert [i.title for i in items] == [None, "current step", None, None]
    assert ids(stepper) == [Wizard.stepper + "-list", wizard_step(1), wizard_step(3)]
    assert by_id(stepper, wizard_step(3)).title == "Go to step 3: Team & retention"
    assert [text(i) for i in items] == ["1Basics", "2Performance & storage",
                                        "3Team & retention", "4Review & deploy"]
    assert ids(make_stepper(1)) == [Wizard.stepper + "-list"]


def test_step_one_shows_the_draft_and_the_database_it_maps_to() -> None:
    body = _body(_view(1, errors={"name": "The name is taken."}))
    assert by_id(body, wizard_field("name")).value == "Hall 3 — Press Shop"
    assert text(by_id(body, database_hint_id())) == "hall_3_press_shop"
    name_error = by_id(body, wizard_feedback("name"))
    assert (text(name_error), name_error.className) == ("The name is taken.", FEEDBACK_SHOWN)
    assert by_id(body, wizard_feedback("region_code")).className == FEEDBACK_HIDDEN
    assert by_id(body, wizard_field("region_code")).options == [
        {"label": "This server", "value": "local"}]
    assert ("On this installation the region is a label: recorded, not applied on the "
            "bundled engine.") in text(body)
    types = by_id(body, wizard_field("cluster_type"))
    assert types.value == "manufacturing"
    assert [o["value"] for o in types.options] == [c for c, _l, _d in wizard.type_choices()]


def test_step_one_on_a_real_deployment_does_not_call_the_region_a_label() -> None:
    body = _body(_view(1, bundled=False))
    assert "Where the cluster's servers run." in text(body)
    assert "recorded, not applied" not in text(body)


def test_step_two_shows_numbers_hints_and_the_bundled_note() -> None:
    hints = {"nodes": "3 for Manufacturing.", "storage": "At most 5,000 GB."}
    body = make_resources({"nodes": 2, "vcpu_per_node": 8, "memory_gb_per_node": -1,
                           "hot_gb": 100}, errors={"storage": "Too much storage."},
                          hints=hints, bundled=True)
    assert by_id(body, wizard_field("nodes")).value == 2
    assert by_id(body, wizard_field("nodes")).min == 1
    assert by_id(body, wizard_field("memory_gb_per_node")).value is None  # negative: empty
    assert by_id(body, wizard_field("warm_gb")).value is None
    assert [text(label) for label in of_type(body, "Label")] == [
        "Nodes", "vCPU per node", "Memory per node", "Hot", "Warm", "Cold", "Archive"]
    assert ("3 for Manufacturing. More than one node is recorded, not applied on the "
            "bundled engine.") in [text(f) for f in of_type(body, "FormText")]
    storage = by_id(body, wizard_feedback("storage"))
    assert (text(storage), storage.className) == ("Too much storage.", FEEDBACK_SHOWN)
    assert text(of_type(body, "FormText")[-1]) == "At most 5,000 GB."
    plain = make_resources({}, errors={}, hints={"nodes": "3 for X."}, bundled=False)
    assert text(of_type(plain, "FormText")[0]) == "3 for X."


def test_step_three_lists_every_user_with_their_role_and_marks_the_creator() -> None:
    body = _body(_view(3))
    assert rows(body) == [["ada@example.com (you)", ""], ["bo@example.com", ""],
                          ["cy@example.com", ""]]
    assert [by_id(body, wizard_member(u)).value for u, _e in USERS] == [
        "admin", "analyst", "none"]
    assert [o["value"] for o in by_id(body, wizard_member(3)).options] == [
        "none", "admin", "editor", "analyst", "viewer"]
    delete = by_id(body, wizard_field("delete_after_days"))
    assert delete.value == SPEC.retention.delete_after_days
    assert "empty: keep forever" in text(body)


def test_a_members_error_shows_under_the_team() -> None:
    body = make_team_retention({}, errors={"members": "The cluster needs an admin."},
                               users=USERS, roles={}, creator_id=2)
    assert text(by_id(body, wizard_feedback("members"))) == "The cluster needs an admin."
    assert rows(body)[1] == ["bo@example.com (you)", ""]


def test_step_four_reviews_every_choice_in_words() -> None:
    body = _body(_view(4))
    pairs = [(text(tr.children[0]), text(tr.children[1])) for tr in of_type(body, "Tr")]
    assert pairs[:5] == [("Name", "Hall 3 — Press Shop"),
                         ("ClickHouse database", "hall_3_press_shop"),
                         ("Type", "Manufacturing analytics"),
                         ("Region", "This server — recorded, not applied on the bundled "
                                    "engine"),
                         ("Description", "Presses")]
    assert [text(h) for h in of_type(body, "H3")] == [
        "Basics", "Performance & storage", "Team & retention"]
    cells = [text(td) for td in of_type(body, "Td")]
    assert cells[:2] == ["Hall 3 — Press Shop", "hall_3_press_shop"]
    assert "2 — recorded, not applied on the bundled engine" in cells
    assert "ada@example.com (admin), bo@example.com (analyst)" in cells
    sample = by_id(body, wizard_field("load_sample_data"))
    assert (sample.value, sample.label) == (
        False, "Load sample plant data after creating the schema")
    assert by_id(make_review([], load_sample=True),
                 wizard_field("load_sample_data")).value is True


def test_the_estimate_adds_up_its_lines_in_dollars() -> None:
    estimate = replace(costs.estimate(SPEC, region_factor=1.0), compute=1234.5,
                       storage={"hot": 10.0, "warm": 2.25}, backups=0.5, total=1247.25)
    card = make_estimate_panel(estimate, region="This server")
    assert text(by_id(card, "wizard-estimate-total")) == "$1,247.25"
    assert rows(card) == [["Compute", "$1,234.50"], ["Storage, hot", "$10.00"],
                          ["Storage, warm", "$2.25"], ["Backups", "$0.50"]]
    assert f"{estimate.label} · This server" in text(card)
    assert text(card).endswith(f"Prices: {estimate.source} (as of {estimate.as_of}).")


@pytest.mark.parametrize("step", [1, 2, 3, 4])
def test_the_frame_holds_every_control_the_callbacks_fill(step: int) -> None:
    frame = make_wizard_frame(step)
    for component_id in (Wizard.stepper, Wizard.alert, Wizard.body, Wizard.reset, Wizard.back,
                         Wizard.next, Wizard.deploy, Wizard.estimate, Wizard.redirect,
                         Wizard.load):
        assert by_id(frame, component_id) is not None
    assert [text(b) for b in of_type(frame, "Button")
            if getattr(b, "id", None) in (Wizard.reset, Wizard.back, Wizard.next,
                                          Wizard.deploy)] == ["Start over", "Back", "Next",
                                                              "Deploy"]
    assert by_id(frame, Wizard.load).data == 0
    assert by_id(frame, Wizard.redirect).refresh is True
    current = [i for i in of_type(frame, "Li") if i.title == "current step"]
    assert [text(i) for i in current] == [f"{step}{STEP_TITLES[step - 1]}"]
