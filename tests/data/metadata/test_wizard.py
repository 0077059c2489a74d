"""The wizard's drafts (one per user, a stale step's save refused) and its reference data."""

from __future__ import annotations

from data.metadata import wizard
from data.metadata.db import Database
from tests.data.metadata import rows


def test_save_draft_inserts_then_replaces_and_keeps_the_furthest_step(db: Database) -> None:
    with db.session() as session:
        ada = rows.user(session, "ada")
        assert wizard.get_draft(session, ada.id) is None
        wizard.save_draft(session, user_id=ada.id, step=2, state={"name": "line"})
        draft = wizard.get_draft(session, ada.id)
        assert draft is not None
        assert (draft.step, draft.furthest_step, draft.state) == (2, 2, {"name": "line"})
        wizard.save_draft(session, user_id=ada.id, step=1, state={"name": "press"}, furthest=4)
        assert (draft.step, draft.furthest_step, draft.state) == (1, 4, {"name": "press"})
        wizard.save_draft(session, user_id=ada.id, step=3, state={}, furthest=2)
        assert (draft.step, draft.furthest_step) == (3, 3)


def test_state_is_stored_only_while_the_draft_is_at_that_step(db: Database) -> None:
    with db.session() as session:
        ada, bob = rows.user(session, "ada"), rows.user(session, "bob")
        wizard.save_draft(session, user_id=ada.id, step=3, state={"v": 1})
        assert wizard.save_state_at_step(session, user_id=ada.id, step=2, state={"v": 2}) \
            is False
        assert wizard.save_state_at_step(session, user_id=ada.id, step=3, state={"v": 3}) \
            is True
        assert wizard.save_state_at_step(session, user_id=bob.id, step=2, state={"v": 4}) \
            is True
        session.commit()
    with db.session() as session:
        mine, bobs = wizard.get_draft(session, ada.id), wizard.get_draft(session, bob.id)
        assert mine is not None and (mine.step, mine.state) == (3, {"v": 3})
        assert bobs is not None and (bobs.step, bobs.furthest_step, bobs.state) == (2, 2, {"v": 4})
        wizard.delete_draft(session, ada.id)
        wizard.delete_draft(session, ada.id)  # forgetting twice is fine
        session.flush()
        assert wizard.get_draft(session, ada.id) is None
        assert wizard.get_draft(session, bob.id) is not None


def test_regions_local_first_then_by_name(db: Database) -> None:
    with db.session() as session:
        found = wizard.regions(session)
    assert found[0].code == "local"
    names = [r.name for r in found[1:]]
    assert names == sorted(names) and len(found) == 6


def test_taken_names_are_lower_case_databases_as_stored(db: Database) -> None:
    with db.session() as session:
        rows.cluster(session, "Line", database_name="Line_DB")
        assert wizard.taken_names(session) == ({"line"}, {"Line_DB"})


def test_active_users_by_email(db: Database) -> None:
    with db.session() as session:
        rows.user(session, "zed")
        rows.user(session, "ada")
        rows.user(session, "gone", is_active=False)
        assert [u.email for u in wizard.active_users(session)] == [
            "ada@example.com", "zed@example.com"]
