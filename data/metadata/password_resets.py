"""Queries on one-time password-reset links and on the sessions they end."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

import data.metadata.models_accounts  # noqa: F401  (registers the accounts tables on Base.metadata)
from data.metadata.models_accounts import PasswordReset


def add_reset(session: Session, row: PasswordReset) -> PasswordReset:
    """Insert a reset link and return it with its id."""
    session.add(row)
    session.flush()
    return row


def reset_by_hash(session: Session, token_hash: str) -> PasswordReset | None:
    """The reset link whose token hashes to ``token_hash``, or ``None``."""
    return session.scalar(select(PasswordReset).where(PasswordReset.token_hash == token_hash))


def revoke_open_resets(session: Session, *, user_id: int, now: datetime) -> int:
    """Withdraw every unused reset link of a user; how many there were."""
    result = session.execute(
        update(PasswordReset).where(PasswordReset.user_id == user_id,
                                    PasswordReset.used_at.is_(None),
                                    PasswordReset.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
