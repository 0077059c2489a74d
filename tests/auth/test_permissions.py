"""The role matrix page's table: each capability's minimum role, and who it allows."""

from __future__ import annotations

from auth.permissions import CAPABILITIES, GLOBAL, Capability, allows
from auth.roles import Role


def test_a_cluster_capability_allows_its_minimum_and_above_only() -> None:
    team = next(c for c in CAPABILITIES if c.action.startswith("Add, change or remove"))
    assert [allows(role, team) for role in sorted(Role)] == [False, False, False, True]
    explore = next(c for c in CAPABILITIES if c.action.startswith("Explore and export"))
    assert [allows(role, explore) for role in sorted(Role)] == [False, True, True, True]


def test_no_cluster_role_has_a_global_capability() -> None:
    create = Capability("Clusters", "Create new clusters", GLOBAL)
    assert not any(allows(role, create) for role in Role)


def test_every_capability_names_a_role_or_the_global_admin_once() -> None:
    assert all(isinstance(c.minimum, Role) or c.minimum == GLOBAL for c in CAPABILITIES)
    assert len({(c.area, c.action) for c in CAPABILITIES}) == len(CAPABILITIES)
