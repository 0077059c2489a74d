"""The audit log page's factories: filters, the table of entries, position, chain verdict."""

from __future__ import annotations

from datetime import datetime

from components.audit import (
    ANY,
    OUTCOME_OPTIONS,
    make_chain_result,
    make_filters,
    make_position,
    make_table,
)
from components.ids.audit import Audit
from data.metadata.models import AuditEntry
from tests.components.tree import by_id, ids, of_type, rows, text


def _entry(**fields: object) -> AuditEntry:
    base: dict[str, object] = {
        "created_at": datetime(2026, 11, 25, 7, 40, 12), "actor": "ada@example.com",
        "action": "member.add", "outcome": "success", "cluster_id": 3,
        "target_type": "user", "target_id": "12", "ip": "10.0.0.5", "detail": {}}
    return AuditEntry(**{**base, **fields})


def test_filters_start_at_any_for_every_choice() -> None:
    row = make_filters()
    assert ids(row) == [Audit.filters, Audit.user, Audit.action, Audit.cluster, Audit.outcome,
                        Audit.since, Audit.until]
    assert [text(label) for label in of_type(row, "Label")] == [
        "User", "Action", "Cluster", "Outcome", "From", "Until"]
    for select in (Audit.action, Audit.cluster, Audit.outcome):
        assert by_id(row, select).value == ANY
    assert by_id(row, Audit.action).options == [{"label": "any action", "value": "any"}]
    assert by_id(row, Audit.cluster).options == [{"label": "any cluster", "value": "any"}]
    assert [o["value"] for o in OUTCOME_OPTIONS] == ["any", "success", "denied", "refused",
                                                     "failure"]
    assert by_id(row, Audit.user).placeholder == "e-mail contains…"
    assert (by_id(row, Audit.since).type, by_id(row, Audit.until).type) == ("date", "date")


def test_the_table_shows_each_entry_in_words() -> None:
    table = make_table([
        _entry(detail={"role": "editor", "email": "bo@example.com"}),
        _entry(actor="", action="sign_in", outcome="denied", cluster_id=None, target_type="",
               target_id="", ip=""),
        _entry(action="cluster.delete", outcome="refused", cluster_id=99)],
        cluster_names={3: "Assembly hall B"})
    assert [text(th) for th in of_type(table, "Th")] == [
        "Time", "Who", "Action", "Outcome", "Cluster", "Target", "From", "Detail"]
    assert rows(table) == [
        ["2026-11-25 07:40 UTC", "ada@example.com", "member.add", "success",
         "Assembly hall B", "user 12", "10.0.0.5",
         '{"email": "bo@example.com", "role": "editor"}'],
        ["2026-11-25 07:40 UTC", "—", "sign_in", "denied", "—", "—", "—", ""],
        ["2026-11-25 07:40 UTC", "ada@example.com", "cluster.delete", "refused", "99",
         "user 12", "10.0.0.5", ""]]
    assert [b.color for b in of_type(table, "Badge")] == ["success", "danger", "warning"]


def test_a_long_detail_is_cut_at_160_characters() -> None:
    table = make_table([_entry(detail={"sql": "x" * 400})], cluster_names={})
    detail = rows(table)[0][-1]
    assert len(detail) == 158 and detail.endswith("…")
    assert detail.startswith('{"sql": "xxx')
    # at most three lines of it in the row, the whole of it on hover
    cell = of_type(table, "Td")[-1].children
    assert cell.className == "audit-detail-text" and cell.title == '{"sql": "' + "x" * 400 + '"}'
    short = make_table([_entry(detail={"role": "viewer"})], cluster_names={})
    assert of_type(short, "Td")[-1].children.title is None


def test_no_entries_says_what_to_do() -> None:
    empty = make_table([], cluster_names={})
    assert text(empty) == "No entries matchChange or clear the filters to see more."


def test_the_position_counts_from_one_with_separators() -> None:
    assert make_position(offset=0, shown=50, total=1234) == "1–50 of 1,234"
    assert make_position(offset=1200, shown=34, total=1234) == "1,201–1,234 of 1,234"
    assert make_position(offset=0, shown=0, total=0) == "0 entries"


def test_an_intact_anchored_chain() -> None:
    alert = make_chain_result(ok=True, checked=1500, broken_at=None)
    assert (alert.id, alert.color) == ("audit-chain-ok", "success")
    assert text(alert) == ("The chain is intact: all 1,500 entries match their hashes, and "
                           "none is missing at the end.")


def test_an_intact_chain_before_any_anchor_says_what_was_not_checked() -> None:
    alert = make_chain_result(ok=True, checked=3, broken_at=None, anchored=False)
    assert text(alert) == (
        "The chain is intact: all 3 entries match their hashes. No anchor has been written "
        "yet, so entries lost at the end could not be checked (it is written with the next "
        "audit entry).")


def test_a_broken_chain_names_the_entry_and_the_missing_tail() -> None:
    broken = make_chain_result(ok=False, checked=40, broken_at=17)
    assert (broken.id, broken.color) == ("audit-chain-broken", "danger")
    assert text(broken) == ("The chain is broken at entry 17: that entry or one before it was "
                            "changed or removed after it was written. (40 entries checked.)")
    both = make_chain_result(ok=False, checked=2000, broken_at=5, missing_at_end=3,
                             anchor_entries=2003)
    assert text(both) == (
        "The chain is broken at entry 5: that entry or one before it was changed or removed "
        "after it was written. Entries are missing at the end: the anchor kept apart from "
        "the log records 2,003 entries, and at least 3 of them are no longer in the log. "
        "(2,000 entries checked.)")
