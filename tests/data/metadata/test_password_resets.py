"""One-time password-reset links: found by the token's hash, withdrawn together."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from data.metadata import password_resets, users
from data.metadata.db import Database
from data.metadata.models_accounts import PasswordReset

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_open_links_are_withdrawn_and_used_ones_left_alone(db: Database) -> None:
    with db.session() as session:
        ann = users.add_user(session, email="ann@example.com", display_name="",
                             password_hash=None).id
        for name in ("open1", "open2", "used"):
            password_resets.add_reset(session, PasswordReset(
                user_id=ann, token_hash=name, expires_at=NOW + timedelta(hours=1),
                used_at=NOW if name == "used" else None))
        found = password_resets.reset_by_hash(session, "open2")
        assert found is not None and found.user_id == ann
        assert password_resets.reset_by_hash(session, "missing") is None
        assert password_resets.revoke_open_resets(session, user_id=ann, now=NOW) == 2
        assert password_resets.revoke_open_resets(session, user_id=ann, now=NOW) == 0
        session.expire_all()
        used = password_resets.reset_by_hash(session, "used")
        assert used is not None and used.revoked_at is None
