"""The team page's factories: members per role of the viewer, forms, invitations, links."""

from __future__ import annotations

from datetime import datetime

import pytest

from components.ids.team import (
    Team,
    team_invitation_revoke,
    team_member_remove,
    team_member_reset,
    team_member_role,
)
from components.team import (
    ROLE_OPTIONS,
    make_invitations,
    make_invitations_note,
    make_invite_result,
    make_manage_forms,
    make_members_table,
    make_reset_result,
    make_viewer_note,
    role_badge,
)
from data.metadata.models_team import TeamInvitation
from services.access.team import Member
from tests.components.tree import by_id, ids, of_type, rows, text

SINCE = datetime(2026, 3, 1, 9, 5)
MEMBERS = [Member(user_id=1, email="ada@example.com", display_name="Ada Lovelace",
                  role="admin", since=SINCE, is_active=True),
           Member(user_id=2, email="bo@example.com", display_name="bo@example.com",
                  role="viewer", since=SINCE, is_active=True)]


def test_role_badges_are_coloured_by_role() -> None:
    assert [(text(role_badge(r)), role_badge(r).color) for r in (
        "admin", "editor", "analyst", "viewer", "owner")] == [
        ("admin", "danger"), ("editor", "primary"), ("analyst", "info"),
        ("viewer", "secondary"), ("owner", "secondary")]
    assert [o["value"] for o in ROLE_OPTIONS] == ["admin", "editor", "analyst", "viewer"]


def test_a_non_admin_sees_roles_as_badges_and_no_buttons() -> None:
    table = make_members_table(MEMBERS, can_manage=False, me=2)
    assert rows(table) == [
        ["Ada Lovelaceada@example.com", "admin", "2026-03-01 09:05 UTC", ""],
        ["bo@example.comyou", "viewer", "2026-03-01 09:05 UTC", ""]]
    assert of_type(table, "Button") == [] and of_type(table, "Select") == []
    # The day and the time wrap apart on a phone, never inside the day.
    assert [(text(s), s.className) for s in of_type(table, "Span")
            if "text-nowrap" in (s.className or "")][:2] == [
        ("2026-03-01", "text-nowrap"), ("09:05 UTC", "text-nowrap")]


def test_an_admin_gets_a_role_picker_and_remove_per_member() -> None:
    table = make_members_table(MEMBERS, can_manage=True, me=1)
    assert ids(table) == [team_member_role(1), team_member_remove(1), team_member_role(2),
                          team_member_remove(2)]
    assert by_id(table, team_member_role(2)).value == "viewer"
    assert by_id(table, team_member_role(2)).options == ROLE_OPTIONS
    assert text(by_id(table, team_member_remove(1))) == "Remove"


def test_global_admins_get_a_reset_link_for_everyone_but_themselves() -> None:
    table = make_members_table(MEMBERS, can_manage=True, me=1, can_reset=True)
    assert team_member_reset(1) not in ids(table)
    reset = by_id(table, team_member_reset(2))
    assert text(reset) == "Reset link"
    assert reset.title == "Issue a one-time password-reset link"


def test_no_members_says_how_to_add_them() -> None:
    assert text(make_members_table([], can_manage=True, me=1)) == (
        "No members yetAdd people with an existing account, or invite them.")


@pytest.mark.parametrize(("smtp", "note"), [
    (True, "The link is e-mailed to the invitee."),
    (False, "E-mail is not configured on this server: you will get the link to copy and "
            "pass on yourself.")])
def test_the_forms_say_how_the_link_travels(smtp: bool, note: str) -> None:
    forms = make_manage_forms(smtp=smtp)
    assert ids(forms) == [Team.add_email, Team.add_role, Team.add, Team.invite_email,
                          Team.invite_role, Team.invite, "team-mail-note"]
    assert by_id(forms, Team.add_role).value == "viewer"
    assert by_id(forms, Team.invite_role).value == "viewer"
    assert (text(by_id(forms, Team.add)), text(by_id(forms, Team.invite))) == ("Add", "Invite")
    assert text(by_id(forms, "team-mail-note")) == (
        f"Invitation links work once and expire after 7 days. {note}")


def test_an_email_field_takes_a_row_of_its_own_on_a_phone() -> None:
    """Beside its role picker on a phone the field kept ~130 px ("name@plant.e")."""
    forms = make_manage_forms(smtp=False)
    address_rows = of_type(forms, "Row")
    assert len(address_rows) == 2
    for row, (field, role, button) in zip(address_rows, [(Team.add_email, Team.add_role, Team.add),
                                                 (Team.invite_email, Team.invite_role,
                                                  Team.invite)], strict=True):
        first, second = row.children
        assert (first.xs, first.sm) == (12, True) and ids(first) == [field]
        assert (second.xs, second.sm) == (12, "auto") and ids(second) == [role, button]


def test_viewers_are_told_who_manages_the_team() -> None:
    assert text(make_viewer_note()) == (
        "Only the cluster's admins can add, change or remove members.")


def test_non_admins_are_told_once_who_manages_the_team() -> None:
    assert text(make_invitations_note()) == "Open invitations are listed for the cluster's admins."
    assert text(make_invitations_note()) != text(make_viewer_note())


def test_open_invitations_are_for_admins_only() -> None:
    invitation = TeamInvitation(id=7, cluster_id=1, email="new@example.com", role="editor",
                                token_hash="h", expires_at=datetime(2026, 12, 11, 8, 0))
    assert make_invitations([invitation], can_manage=False) is None
    table = make_invitations([invitation], can_manage=True)
    assert rows(table) == [["new@example.comexpires 2026-12-11", "editor", "Withdraw"]]
    assert ids(table) == [team_invitation_revoke(7)]
    assert text(make_invitations([], can_manage=True)) == "No open invitations."


def test_an_e_mailed_invitation_shows_no_link() -> None:
    sent = make_invite_result(email="new@example.com", link="http://x/invite/inv_abc",
                              emailed=True, mail_error="")
    assert (sent.id, sent.color, text(sent)) == (
        "team-invite-sent", "success", "Invitation e-mailed to new@example.com.")
    assert "inv_abc" not in str(sent.to_plotly_json())


def test_an_invitation_not_mailed_shows_the_link_once_with_why() -> None:
    copy = make_invite_result(email="new@example.com", link="http://x/invite/inv_abc",
                              emailed=False, mail_error="The mail server refused: 550.")
    assert (copy.id, copy.color) == ("team-invite-copy", "warning")
    assert text(by_id(copy, "team-invite-link")) == "http://x/invite/inv_abc"
    assert text(copy) == ("Invitation for new@example.com created. The mail server refused: "
                          "550. Copy this link and send it yourself — it is shown only now:"
                          "http://x/invite/inv_abc")
    assert of_type(copy, "Clipboard")[0].target_id == "team-invite-link"
    plain = make_invite_result(email="n@example.com", link="L", emailed=False, mail_error="")
    assert "E-mail is not configured on this server." in text(plain)


def test_a_reset_link_is_shown_once_mailed_or_not() -> None:
    mailed = make_reset_result(email="bo@example.com", link="http://x/reset/rst_1",
                               emailed=True, mail_error="")
    assert (mailed.id, mailed.color, mailed.dismissable) == ("team-reset-copy", "info", True)
    assert text(mailed) == ("Reset link for bo@example.com created. It was also e-mailed to "
                            "bo@example.com. It works once, for 24 hours, and is shown only "
                            "now:http://x/reset/rst_1")
    unmailed = make_reset_result(email="bo@example.com", link="L", emailed=False,
                                 mail_error="")
    assert text(unmailed).startswith("Reset link for bo@example.com created. E-mail is not "
                                     "configured on this server. It works once")
    assert text(by_id(unmailed, "team-reset-link")) == "L"
