"""Queries on users and their server-side sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from data.metadata.models import User, UserSession


def get_user(session: Session, user_id: int) -> User | None:
    """The user with this id, or ``None``."""
    return session.get(User, user_id)


def emails_of(session: Session, user_ids: set[int]) -> dict[int, str]:
    """The e-mail address of each of ``user_ids`` that exists."""
    if not user_ids:
        return {}
    return dict(session.execute(select(User.id, User.email).where(User.id.in_(user_ids))).
                tuples().all())


def get_user_by_email(session: Session, email: str) -> User | None:
    """The user with this e-mail address (case-insensitive), or ``None``."""
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def count_admins(session: Session) -> int:
    """How many active global admins exist."""
    return session.scalar(
        select(func.count()).select_from(User).where(User.is_admin.is_(True),
                                                     User.is_active.is_(True))
    ) or 0


def add_user(session: Session, *, email: str, display_name: str, password_hash: str | None,
             is_admin: bool = False) -> User:
    """Insert a user and return it (flushed, so it has an id)."""
    user = User(email=email.strip().lower(), display_name=display_name,
                password_hash=password_hash, is_admin=is_admin)
    session.add(user)
    session.flush()
    return user


def list_users(session: Session) -> list[User]:
    """Every user, by e-mail."""
    return list(session.scalars(select(User).order_by(User.email)))


def add_session(session: Session, *, user_id: int, token_hash: str, expires_at: datetime,
                ip: str, user_agent: str) -> UserSession:
    """Record a new sign-in session."""
    row = UserSession(user_id=user_id, token_hash=token_hash, expires_at=expires_at,
                      ip=ip[:64], user_agent=user_agent[:255])
    session.add(row)
    session.flush()
    return row


def get_active_session(session: Session, token_hash: str, *, now: datetime) -> UserSession | None:
    """The session with this token hash if it is neither revoked nor expired."""
    return session.scalar(
        select(UserSession).where(
            UserSession.token_hash == token_hash,
            UserSession.revoked_at.is_(None),
            UserSession.expires_at > now,
        )
    )


def revoke_session(session: Session, token_hash: str, *, now: datetime) -> int:
    """Mark a session revoked; returns how many rows changed."""
    result = session.execute(
        update(UserSession)
        .where(UserSession.token_hash == token_hash, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)



def get_user_by_oidc(session: Session, *, issuer: str, subject: str) -> User | None:
    """The user linked to this single sign-on identity, or ``None``."""
    return session.scalar(select(User).where(User.oidc_issuer == issuer,
                                             User.oidc_subject == subject))


def revoke_user_sessions(session: Session, *, user_id: int, now: datetime,
                         keep_hash: str | None = None) -> int:
    """End every live session of a user except the one hashing to ``keep_hash``."""
    query = update(UserSession).where(UserSession.user_id == user_id,
                                      UserSession.revoked_at.is_(None))
    if keep_hash is not None:
        query = query.where(UserSession.token_hash != keep_hash)
    result = session.execute(query.values(revoked_at=now)
                             .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
