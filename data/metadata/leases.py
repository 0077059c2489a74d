"""Leases in the metadata database: take, renew, release, and list the live ones.

A lease is taken or renewed with one conditional ``UPDATE`` (the row is free, expired, or
already ours), so two processes can never both hold it; a missing row is created with an
``INSERT`` that the primary key lets only one writer win.
"""

from __future__ import annotations

from sqlalchemy import case, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from data.metadata.db import Database
from data.metadata.models_leases import Lease


def take(db: Database, *, name: str, holder: str, now: float, seconds: float) -> bool:
    """Take or renew ``name`` for ``holder`` until ``now + seconds``; ``True`` if held now."""
    with db.session() as session:
        result = session.execute(
            update(Lease)
            .where(Lease.name == name, or_(Lease.holder == holder, Lease.expires_at <= now))
            .values(holder=holder, expires_at=now + seconds,
                    taken_at=_taken_at(holder, now))
            .execution_options(synchronize_session=False))
        if result.rowcount:  # type: ignore[attr-defined]
            return True
    try:
        with db.session() as session:
            session.execute(insert(Lease).values(name=name, holder=holder,
                                                 expires_at=now + seconds, taken_at=now))
    except IntegrityError:  # another process made the row first (and holds it)
        return False
    return True


def _taken_at(holder: str, now: float) -> object:
    """``taken_at`` is kept while the same holder renews, and set anew on a takeover."""
    return case((Lease.holder == holder, Lease.taken_at), else_=now)


def release(db: Database, *, name: str, holder: str) -> None:
    """Give ``name`` up if ``holder`` holds it (another process may take it at once)."""
    with db.session() as session:
        session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def live(db: Database, *, prefix: str, now: float) -> dict[str, str]:
    """The unexpired leases whose name starts with ``prefix``: name -> holder."""
    with db.session() as session:
        rows = session.execute(select(Lease.name, Lease.holder).where(
            Lease.name.startswith(prefix, autoescape=True), Lease.expires_at > now)).all()
    return {name: holder for name, holder in rows}


def holder_of(db: Database, *, name: str, now: float) -> str | None:
    """Who holds ``name`` now (``None``: nobody, or the lease expired)."""
    with db.session() as session:
        return session.execute(select(Lease.holder).where(
            Lease.name == name, Lease.expires_at > now)).scalar_one_or_none()
