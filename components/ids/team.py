"""Ids of a cluster's team page."""

from __future__ import annotations


class Team:
    """A cluster's team page: members, adding, invitations."""

    cluster = "team-cluster-store"
    version = "team-version-store"
    header = "team-header-div"
    members = "team-members-div"
    invitations = "team-invitations-div"
    manage = "team-manage-div"
    error = "team-error-div"
    alert = "team-alert-div"
    add_email = "team-add-email-input"
    add_role = "team-add-role-select"
    add = "team-add-button"
    invite_email = "team-invite-email-input"
    invite_role = "team-invite-role-select"
    invite = "team-invite-button"
    invite_result = "team-invite-result-div"
    reset_result = "team-reset-result-div"
    ROLE = "team-member-role"
    REMOVE = "team-member-remove"
    RESET = "team-member-reset"
    REVOKE = "team-invitation-revoke"


def team_member_role(user_id: int) -> dict[str, str | int]:
    """The role picker of one member row."""
    return {"type": Team.ROLE, "user": user_id}


def team_member_remove(user_id: int) -> dict[str, str | int]:
    """The remove button of one member row."""
    return {"type": Team.REMOVE, "user": user_id}


def team_member_reset(user_id: int) -> dict[str, str | int]:
    """The reset-link button of one member row (global admins only)."""
    return {"type": Team.RESET, "user": user_id}


def team_invitation_revoke(invitation_id: int) -> dict[str, str | int]:
    """The withdraw button of one open invitation."""
    return {"type": Team.REVOKE, "invitation": invitation_id}
