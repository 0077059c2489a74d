"""Users and their server-side sessions in the metadata database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from data.metadata import users
from data.metadata.db import Database

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_emails_are_kept_lower_case_and_found_in_any_case(db: Database) -> None:
    with db.session() as session:
        ada = users.add_user(session, email="  Ada@Example.COM ", display_name="Ada",
                             password_hash=None)
        assert ada.email == "ada@example.com"
        found = users.get_user_by_email(session, "ADA@example.com ")
        assert found is not None and found.id == ada.id
        assert users.get_user_by_email(session, "bob@example.com") is None
        assert users.get_user(session, ada.id) is ada


def test_emails_of_names_the_users_that_exist(db: Database) -> None:
    with db.session() as session:
        ada = users.add_user(session, email="ada@example.com", display_name="Ada",
                             password_hash=None)
        bob = users.add_user(session, email="bob@example.com", display_name="Bob",
                             password_hash=None)
        assert users.emails_of(session, {ada.id, bob.id, 999}) == {
            ada.id: "ada@example.com", bob.id: "bob@example.com"}
        assert users.emails_of(session, set()) == {}


def test_only_active_global_admins_are_counted(db: Database) -> None:
    with db.session() as session:
        users.add_user(session, email="root@example.com", display_name="", password_hash=None,
                       is_admin=True)
        gone = users.add_user(session, email="old@example.com", display_name="",
                              password_hash=None, is_admin=True)
        users.add_user(session, email="ann@example.com", display_name="", password_hash=None)
        gone.is_active = False
        session.flush()
        assert users.count_admins(session) == 1
        assert [u.email for u in users.list_users(session)] == [
            "ann@example.com", "old@example.com", "root@example.com"]


def test_a_session_is_live_until_revoked_or_expired(db: Database) -> None:
    with db.session() as session:
        uid = users.add_user(session, email="ann@example.com", display_name="",
                             password_hash=None).id
        users.add_session(session, user_id=uid, token_hash="h1", ip="10.0.0.1" * 20,
                          user_agent="x" * 400, expires_at=NOW + timedelta(hours=1))
        row = users.get_active_session(session, "h1", now=NOW)
        assert row is not None and len(row.ip) == 64 and len(row.user_agent) == 255
        assert users.get_active_session(session, "h1", now=NOW + timedelta(hours=2)) is None
        assert users.revoke_session(session, "h1", now=NOW) == 1
        assert users.revoke_session(session, "h1", now=NOW) == 0  # already revoked
        assert users.get_active_session(session, "h1", now=NOW) is None


def test_revoking_a_users_sessions_can_keep_the_current_one(db: Database) -> None:
    with db.session() as session:
        uid = users.add_user(session, email="ann@example.com", display_name="",
                             password_hash=None).id
        for token in ("keep", "a", "b"):
            users.add_session(session, user_id=uid, token_hash=token, ip="", user_agent="",
                              expires_at=NOW + timedelta(hours=1))
        assert users.revoke_user_sessions(session, user_id=uid, now=NOW, keep_hash="keep") == 2
        assert users.get_active_session(session, "keep", now=NOW) is not None
        assert users.revoke_user_sessions(session, user_id=uid, now=NOW) == 1


def test_a_single_sign_on_identity_finds_its_user(db: Database) -> None:
    with db.session() as session:
        ann = users.add_user(session, email="ann@example.com", display_name="",
                             password_hash=None)
        ann.oidc_issuer, ann.oidc_subject = "https://idp.example", "sub-1"
        session.flush()
        assert users.get_user_by_oidc(session, issuer="https://idp.example",
                                      subject="sub-1") is ann
        assert users.get_user_by_oidc(session, issuer="https://other.example",
                                      subject="sub-1") is None
