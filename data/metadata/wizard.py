"""Queries for the cluster wizard: drafts kept per user, and the reference data it offers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from data.metadata.models import ClusterRegion, DatabaseCluster, User, WizardDraft


def get_draft(session: Session, user_id: int) -> WizardDraft | None:
    """The user's wizard draft, or ``None``."""
    return session.get(WizardDraft, user_id)


def save_draft(session: Session, *, user_id: int, step: int, state: dict[str, Any],
               furthest: int | None = None) -> None:
    """Insert or replace the user's draft (``furthest``: the furthest step reached, at least
    ``step``)."""
    furthest = max(step, furthest or step)
    draft = session.get(WizardDraft, user_id)
    if draft is None:
        session.add(WizardDraft(user_id=user_id, step=step, furthest_step=furthest, state=state))
    else:
        draft.step = step
        draft.furthest_step = furthest
        draft.state = state
    session.flush()


def save_state_at_step(session: Session, *, user_id: int, step: int,
                       state: dict[str, Any]) -> bool:
    """Store the draft's state only while it is still at ``step`` (a Next or Back that moved
    it meanwhile wins); a user without a draft gets one at ``step``. True if stored."""
    found = session.execute(update(WizardDraft).where(
        WizardDraft.user_id == user_id, WizardDraft.step == step).values(state=state))
    if getattr(found, "rowcount", 0):
        return True
    if session.get(WizardDraft, user_id) is not None:
        return False
    session.add(WizardDraft(user_id=user_id, step=step, furthest_step=step, state=state))
    session.flush()
    return True


def delete_draft(session: Session, user_id: int) -> None:
    """Forget the user's draft."""
    session.execute(delete(WizardDraft).where(WizardDraft.user_id == user_id))


def regions(session: Session) -> list[ClusterRegion]:
    """All regions, local first."""
    rows = list(session.scalars(select(ClusterRegion).order_by(ClusterRegion.name)))
    return sorted(rows, key=lambda r: r.code != "local")


def taken_names(session: Session) -> tuple[set[str], set[str]]:
    """Names and database names already used by clusters (any status)."""
    rows = session.execute(select(DatabaseCluster.name, DatabaseCluster.database_name))
    names, databases = set(), set()
    for name, database in rows:
        names.add(name.lower())
        databases.add(database)
    return names, databases


def active_users(session: Session) -> list[User]:
    """Users who can be added to a team, by e-mail."""
    return list(session.scalars(select(User).where(User.is_active.is_(True))
                                .order_by(User.email)))
