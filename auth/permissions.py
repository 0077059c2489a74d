"""What each role may do, in words: the source of the role matrix page.

The checks themselves are ``require_role`` calls in every callback and API route; this table
describes them (the security tests check the routes against the same minimum roles).
"""

from __future__ import annotations

from dataclasses import dataclass

from auth.roles import Role

GLOBAL = "global admin"


@dataclass(frozen=True)
class Capability:
    """One thing a person can do, and the lowest role that may do it."""

    area: str
    action: str
    minimum: Role | str  # a cluster role, or GLOBAL for installation-wide administrators


CAPABILITIES: tuple[Capability, ...] = (
    Capability("Clusters", "See the cluster, its status, health, usage and events", Role.VIEWER),
    Capability("Clusters", "Change retention and query limits; rotate the credential",
               Role.ADMIN),
    Capability("Clusters", "Switch the demo plant's live feed on or off", Role.ADMIN),
    Capability("Clusters", "Decommission the cluster", Role.ADMIN),
    Capability("Clusters", "Create new clusters (wizard or API)", GLOBAL),
    Capability("Data", "Read dashboards, curves, yield and alerts", Role.VIEWER),
    Capability("Data", "Run read-only SQL in the console and download its results",
               Role.VIEWER),
    Capability("Data", "Explore and export data; save personal views", Role.ANALYST),
    Capability("Data", "Change golden curves, alert rules, spec limits and SPC exclusions; "
                       "acknowledge alerts", Role.EDITOR),
    Capability("Data", "Import CSV files; insert rows in the SQL console", Role.EDITOR),
    Capability("Projects", "Create projects, save views to them, generate PDF reports",
               Role.EDITOR),
    Capability("Team", "See who is on the team and their roles", Role.VIEWER),
    Capability("Team", "Add, change or remove members; invite by link", Role.ADMIN),
    Capability("API tokens", "Create own tokens (role no higher than one's own) and revoke "
                             "them", Role.VIEWER),
    Capability("API tokens", "See and revoke every token of the cluster", Role.ADMIN),
    Capability("Audit", "Read and export the audit log of the cluster", Role.ADMIN),
    Capability("Audit", "Read the whole log and verify the hash chain", GLOBAL),
    Capability("Installation", "See the analytics engine's status", GLOBAL),
)


def allows(role: Role, capability: Capability) -> bool:
    """Whether a member with ``role`` on the cluster has ``capability``."""
    return isinstance(capability.minimum, Role) and role >= capability.minimum
