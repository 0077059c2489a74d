"""The audit chain check over the API reports entries lost at the end of the log."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import delete, select, update

from data.metadata.models import AuditChainHead, AuditEntry
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, build_world, sign_in
from tests.http import json_body


def test_verify_reports_entries_missing_at_the_end(server: Flask, runtime: Runtime) -> None:
    build_world(runtime)
    root = sign_in(server.test_client(), "root")  # signing in writes an audit entry
    intact = json_body(root.get("/api/v1/audit/verify", headers=ORIGIN))
    assert intact["ok"] is True and intact["anchored"] is True
    assert intact["missing_at_end"] == 0 and intact["anchor_entries"] == intact["checked"]
    with runtime.db.session() as session:
        newest = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert newest is not None
        kept = session.get(AuditEntry, newest.id - 1)
        assert kept is not None
        session.execute(delete(AuditEntry).where(AuditEntry.id == newest.id))
        session.execute(update(AuditChainHead).values(last_hash=kept.entry_hash,
                                                      entries=AuditChainHead.entries - 1))
    cut = json_body(root.get("/api/v1/audit/verify", headers=ORIGIN))
    assert (cut["ok"], cut["broken_at"], cut["missing_at_end"]) == (False, None, 1)
    assert cut["checked"] == intact["checked"] - 1
