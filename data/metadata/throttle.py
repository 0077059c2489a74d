"""Sign-in throttling counters: atomic reservation of an attempt before a password is checked.

Each attempt is reserved with one conditional ``UPDATE`` per key, all keys in one transaction:
the database serialises concurrent writers on the row, so N parallel attempts can never pass
more than the limit (the count check and the increment are the same statement).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from data.metadata.db import Database
from data.metadata.models_accounts import LoginThrottle

_RETRIES = 5


@dataclass(frozen=True)
class Refusal:
    """The key that was over its limit and when its window ends (epoch seconds)."""

    key: str
    until: float


def _reserve_one(session: Session, *, key: str, limit: int, now: float, base: float,
                 cap: float) -> bool | None:
    """Count one attempt against ``key``: ``True`` (counted), ``None`` (counted in a new row)
    or ``False`` (over the limit)."""
    t = LoginThrottle
    expired = t.window_end <= now
    was_full = and_(expired, t.failures >= limit)
    doubled = case((t.penalty * 2 > cap, cap), else_=t.penalty * 2)
    result = session.execute(
        update(t).where(t.key == key, or_(expired, t.failures < limit)).values(
            failures=case((expired, 1), else_=t.failures + 1),
            penalty=case((was_full, doubled), (expired, base), else_=t.penalty),
            window_end=case((was_full, now + doubled), (expired, now + base),
                            else_=t.window_end),
        ).execution_options(synchronize_session=False))
    if int(getattr(result, "rowcount", 0) or 0) == 1:
        return True
    if session.get(LoginThrottle, key) is not None:
        return False
    session.execute(insert(t).values(key=key, failures=1, window_end=now + base, penalty=base))
    return None


def reserve(db: Database, keys: list[tuple[str, int]], *, now: float, base: float,
            cap: float) -> Refusal | None:
    """Count one attempt against every ``(key, limit)``, or against none of them.

    Returns ``None`` when the attempt may go ahead, else the first key over its limit (and
    nothing was counted). A key's window is ``base`` seconds, doubling up to ``cap`` after a
    window that ended full.
    """
    for _ in range(_RETRIES):
        added = False
        try:
            with db.session() as session:
                for key, limit in keys:
                    counted = _reserve_one(session, key=key, limit=limit, now=now, base=base,
                                           cap=cap)
                    if counted is False:
                        until = session.scalar(select(LoginThrottle.window_end)
                                               .where(LoginThrottle.key == key))
                        session.rollback()
                        return Refusal(key=key, until=float(until or now))
                    added = added or counted is None
        except IntegrityError:  # two first attempts raced to insert the row: count again
            continue
        if added:  # the table grew: drop a few counters whose last window ended long ago
            prune(db, before=now - cap)
        return None
    raise RuntimeError("could not reserve a sign-in attempt")


def prune(db: Database, *, before: float, limit: int = 10) -> int:
    """Delete up to ``limit`` counters whose window ended before ``before``; how many.

    One row per transaction, so pruning never holds one row while waiting for another (no
    deadlock with reservations, which lock an account's row and then its address's).
    """
    with db.session() as session:
        stale = list(session.scalars(select(LoginThrottle.key)
                                     .where(LoginThrottle.window_end < before).limit(limit)))
    deleted = 0
    for key in stale:
        with db.session() as session:
            result = session.execute(delete(LoginThrottle).where(
                LoginThrottle.key == key, LoginThrottle.window_end < before))
            deleted += int(getattr(result, "rowcount", 0) or 0)
    return deleted


def release(db: Database, *, reset: str, refund: str) -> None:
    """After a successful sign-in: clear ``reset``'s counter and give back one of ``refund``."""
    with db.session() as session:
        session.execute(delete(LoginThrottle).where(LoginThrottle.key == reset))
        session.execute(update(LoginThrottle).where(LoginThrottle.key == refund,
                                                    LoginThrottle.failures > 0)
                        .values(failures=LoginThrottle.failures - 1)
                        .execution_options(synchronize_session=False))
