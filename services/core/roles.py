"""The per-cluster role ladder, defined once for every layer (services, auth, API, pages).

Checking a role against the signed-in user is ``auth.roles.require_role``; this module only
names the roles and orders them.
"""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    """Per-cluster roles, ordered: each role may do everything the ones below it may."""

    VIEWER = 1
    ANALYST = 2
    EDITOR = 3
    ADMIN = 4

    @property
    def label(self) -> str:
        """The role's name as users see it."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str | Role) -> Role:
        """A role from its name; :class:`ValueError` for anything else."""
        if isinstance(value, Role):
            return value
        try:
            return cls[str(value).strip().upper()]
        except KeyError as exc:
            raise ValueError(f"unknown role {value!r}") from exc


#: The role names, highest first, as forms, messages and the API list them.
ROLE_NAMES: tuple[str, ...] = tuple(role.label for role in sorted(Role, reverse=True))

ROLE_DESCRIPTIONS: dict[Role, str] = {
    Role.ADMIN: "Everything on the cluster: members, tokens, retention, decommission.",
    Role.EDITOR: "Changes content: golden curves, alert rules, projects and assets.",
    Role.ANALYST: "Explores and exports data; saves personal views.",
    Role.VIEWER: "Reads dashboards and curves; changes nothing but their own API tokens.",
}


def rank(name: object) -> int:
    """The rank of the role named ``name`` (viewer 1 … admin 4); 0 for anything else."""
    return Role[name.upper()].value if isinstance(name, str) and name in ROLE_NAMES else 0
