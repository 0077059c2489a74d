"""The role ladder, defined once in services.core.roles and used by every layer."""

from __future__ import annotations

import pytest

from auth import roles as auth_roles
from auth.permissions import CAPABILITIES
from services.access import tokens
from services.clusters import page_access
from services.core.roles import ROLE_DESCRIPTIONS, ROLE_NAMES, Role, rank


def test_names_run_highest_first_and_rank_follows_the_enum() -> None:
    assert ROLE_NAMES == ("admin", "editor", "analyst", "viewer")
    assert [rank(name) for name in ROLE_NAMES] == [4, 3, 2, 1]
    assert all(rank(role.label) == role.value for role in Role)
    assert set(ROLE_DESCRIPTIONS) == set(Role)


@pytest.mark.parametrize("value", ["Admin", "root", "", None, 3, "viewer "])
def test_rank_of_anything_else_is_zero(value: object) -> None:
    assert rank(value) == 0


def test_parse_accepts_names_and_refuses_the_rest() -> None:
    assert Role.parse(" Editor ") is Role.EDITOR
    assert Role.parse(Role.VIEWER) is Role.VIEWER
    with pytest.raises(ValueError, match="unknown role 'root'"):
        Role.parse("root")


def test_one_definition_shared_by_auth_and_services() -> None:
    assert auth_roles.Role is Role
    assert auth_roles.ROLE_DESCRIPTIONS is ROLE_DESCRIPTIONS
    for old_copy in ("ROLE_ORDER", "ROLES"):
        assert not hasattr(tokens, old_copy) and not hasattr(page_access, old_copy)


def test_token_role_is_the_lower_of_its_own_and_its_owners() -> None:
    assert tokens.effective_role("admin", "analyst") == "analyst"
    assert tokens.effective_role("viewer", "admin") == "viewer"
    assert tokens.effective_role("admin", None) is None
    assert tokens.effective_role("root", "admin") is None


def test_the_viewers_words_name_the_one_thing_a_viewer_may_change() -> None:
    # The roles page's matrix lets viewers create and revoke their own API tokens; the
    # "in short" words must not say they change nothing (the walk of session 13).
    viewer_changes = [c for c in CAPABILITIES if c.area == "API tokens"
                      and c.minimum == Role.VIEWER]
    assert viewer_changes
    assert "own API tokens" in ROLE_DESCRIPTIONS[Role.VIEWER]
