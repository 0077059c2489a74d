"""Row makers for metadata query tests: users and clusters with only the fields that matter."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from data.metadata.models import DatabaseCluster, User


def user(session: Session, name: str, **fields: Any) -> User:
    """Insert a user ``<name>@example.com`` and return it with its id."""
    row = User(email=f"{name}@example.com", display_name=name, password_hash=None, **fields)
    session.add(row)
    session.flush()
    return row


def cluster(session: Session, name: str, **fields: Any) -> DatabaseCluster:
    """Insert a cluster named ``name`` (database ``<name>_db``) and return it with its id."""
    fields.setdefault("database_name", f"{name}_db")
    row = DatabaseCluster(name=name, cluster_type="manufacturing", region_code="local",
                          **fields)
    session.add(row)
    session.flush()
    return row
