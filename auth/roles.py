"""Authorization core: one ``require_role`` used by every page, callback and API route.

The roles themselves are defined once in :mod:`services.core.roles` (re-exported here).
"""

from __future__ import annotations

import re
from typing import Any

from flask import g, has_request_context, request
from flask_login import current_user

from auth.session import app_runtime, current_actor
from data.metadata import memberships
from lyceum.errors import Forbidden, NotAuthenticated, NotFound
from services.core import audit
from services.core.roles import ROLE_DESCRIPTIONS, Role

__all__ = ["ROLE_DESCRIPTIONS", "MAX_ID", "Role", "has_role", "parse_cluster_id", "require_role",
           "role_on"]

_ID = re.compile(r"[0-9]{1,12}")
MAX_ID = 2**31 - 1  # ids are 32-bit integers in the metadata database


def parse_cluster_id(value: Any) -> int:
    """A cluster id from client input (URL, callback payload), or :class:`NotFound`."""
    if isinstance(value, bool):
        raise NotFound("That cluster does not exist.")
    if isinstance(value, int) and 0 < value <= MAX_ID:
        return value
    if isinstance(value, str) and _ID.fullmatch(value) and 0 < int(value) <= MAX_ID:
        return int(value)
    raise NotFound("That cluster does not exist.")


def _user() -> Any:
    user = current_user
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotAuthenticated("Sign in to continue.")
    return user


def role_on(cluster_id: int) -> Role | None:
    """The signed-in user's role on a cluster (global admins are admins everywhere)."""
    user = _user()
    scope = getattr(user, "scope", None)
    if scope is not None:  # an API token: one cluster, one role
        return Role.parse(scope[1]) if scope[0] == cluster_id else None
    if user.is_admin:
        return Role.ADMIN
    cache: dict[int, Role | None] = g.setdefault("lyceum_roles", {})
    if cluster_id not in cache:
        with app_runtime().db.session() as session:
            found = memberships.role_on_cluster(session, user_id=user.id, cluster_id=cluster_id)
        cache[cluster_id] = Role.parse(found) if found else None
    return cache[cluster_id]


def require_role(cluster_id: Any, role: Role | str) -> Role:
    """Refuse unless the signed-in user has at least ``role`` on the cluster.

    ``cluster_id=None`` asks about the whole installation: ``Role.ADMIN`` then means the
    global admin flag, any lower role just a signed-in user. Returns the user's role.
    """
    needed = Role.parse(role)
    user = _user()
    if cluster_id is None:
        if needed is Role.ADMIN and not user.is_admin:
            raise _denied(None, needed, "Only administrators can do this.")
        return Role.ADMIN if user.is_admin else needed
    try:
        cid = parse_cluster_id(cluster_id)
    except NotFound:
        _denied(None, needed, "forged cluster id", forged=repr(cluster_id)[:80])
        raise
    have = role_on(cid)
    if have is None:
        raise _denied(cid, needed, "You do not have access to this cluster.")
    if have < needed:
        raise _denied(cid, needed, f"This needs the {needed.label} role on this cluster; "
                                   f"you are {have.label}.")
    return have


def _denied(cluster_id: int | None, needed: Role, message: str, *,
            forged: str | None = None) -> Forbidden:
    """Audit a refused page, callback or API call ("access.denied"), return the error."""
    if not g.get("lyceum_quiet_roles"):
        with app_runtime().db.session() as session:
            audit.record(session, "access.denied", actor=current_actor(), outcome="denied",
                         cluster_id=cluster_id,
                         detail={"needed": needed.label, "path": request.path[:200]
                                 if has_request_context() else "",
                                 **({"forged_id": forged} if forged is not None else {})})
    return Forbidden(message)


def has_role(cluster_id: Any, role: Role | str) -> bool:
    """Like :func:`require_role` but answers yes or no."""
    g.lyceum_quiet_roles = True  # a question, not an attempt: not audited
    try:
        require_role(cluster_id, role)
    except (Forbidden, NotAuthenticated, NotFound):
        return False
    finally:
        g.lyceum_quiet_roles = False
    return True
