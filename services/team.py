"""Cluster membership: who has which role on which cluster."""

from __future__ import annotations

from data import memberships
from data.db import Database
from lyceum.errors import NotFound, ValidationError
from services import audit
from services.audit import Actor

ROLES = ("admin", "editor", "analyst", "viewer")


def add_member_by_database(db: Database, *, database: str, user_id: int, role: str,
                           actor: Actor = audit.SYSTEM) -> None:
    """Give a user a role on the cluster whose database is ``database``; audited."""
    if role not in ROLES:
        raise ValidationError(f"Roles are {', '.join(ROLES)}.", fields={"role": "unknown"})
    with db.session() as session:
        cluster = memberships.get_cluster_by_database(session, database)
        if cluster is None:
            raise NotFound(f"No cluster uses the database {database!r}.")
        memberships.set_member(session, cluster_id=cluster.id, user_id=user_id, role=role,
                               granted_by=actor.user_id)
        audit.record(session, "member.set", actor=actor, target_type="user", target_id=user_id,
                     cluster_id=cluster.id, detail={"role": role})
