"""Searching the audit log (filters and paging); appending lives in :mod:`data.metadata.audit`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from data.metadata.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    """What to look for; ``cluster_ids`` limits the result to those clusters (``None``: all)."""

    user: str = ""
    action: str = ""
    cluster_id: int | None = None
    outcome: str = ""
    since: datetime | None = None
    until: datetime | None = None
    cluster_ids: frozenset[int] | None = None


def _where(query: Select[Any], flt: AuditFilter) -> Select[Any]:
    if flt.user:
        query = query.where(func.lower(AuditEntry.actor).contains(flt.user.lower(),
                                                                   autoescape=True))
    if flt.action:
        query = query.where(or_(AuditEntry.action == flt.action,
                                AuditEntry.action.startswith(flt.action.rstrip(".") + ".",
                                                             autoescape=True)))
    if flt.cluster_id is not None:
        query = query.where(AuditEntry.cluster_id == flt.cluster_id)
    if flt.outcome:
        query = query.where(AuditEntry.outcome == flt.outcome)
    if flt.since is not None:
        query = query.where(AuditEntry.created_at >= flt.since)
    if flt.until is not None:
        query = query.where(AuditEntry.created_at < flt.until)
    if flt.cluster_ids is not None:
        query = query.where(AuditEntry.cluster_id.in_(sorted(flt.cluster_ids)))
    return query


def search(session: Session, flt: AuditFilter, *, limit: int, offset: int
           ) -> tuple[list[AuditEntry], int]:
    """One page of matching entries, newest first, and how many match in all."""
    total = session.scalar(_where(select(func.count()).select_from(AuditEntry), flt)) or 0
    rows = session.scalars(_where(select(AuditEntry), flt)
                           .order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows), int(total)


def distinct_actions(session: Session) -> list[str]:
    """Every action name that occurs in the log, sorted."""
    return sorted(a for a in session.scalars(select(AuditEntry.action).distinct()) if a)
