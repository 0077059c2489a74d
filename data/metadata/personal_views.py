"""Queries on personal saved views (one user's own, per cluster and page)."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from data.metadata.models_views import PersonalView


def save(session: Session, *, user_id: int, cluster_id: int, page: str, name: str,
         query: str) -> PersonalView:
    """Store the view (a view of the same name on that page is replaced)."""
    found = session.scalars(select(PersonalView).where(
        PersonalView.user_id == user_id, PersonalView.cluster_id == cluster_id,
        PersonalView.page == page, PersonalView.name == name)).first()
    if found is None:
        found = PersonalView(user_id=user_id, cluster_id=cluster_id, page=page, name=name,
                             query=query)
        session.add(found)
    else:
        found.query = query
    session.flush()
    return found


def count(session: Session, *, user_id: int, cluster_id: int) -> int:
    """How many views the user keeps on the cluster."""
    return int(session.scalar(select(func.count(PersonalView.id)).where(
        PersonalView.user_id == user_id, PersonalView.cluster_id == cluster_id)) or 0)


def listed(session: Session, *, user_id: int, cluster_id: int, page: str
           ) -> list[PersonalView]:
    """The user's views of one page of the cluster, by name."""
    return list(session.scalars(select(PersonalView).where(
        PersonalView.user_id == user_id, PersonalView.cluster_id == cluster_id,
        PersonalView.page == page).order_by(PersonalView.name)))


def remove(session: Session, *, view_id: int, user_id: int, cluster_id: int) -> bool:
    """Delete one of the user's views on the cluster (False: none of theirs)."""
    result = session.execute(delete(PersonalView).where(
        PersonalView.id == view_id, PersonalView.user_id == user_id,
        PersonalView.cluster_id == cluster_id))
    return bool(getattr(result, "rowcount", 0))
