"""The audit anchor file: moves only forward, replaced in one step, refuses a forged file."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from data.metadata.audit_anchor import ANCHOR_FILE, Anchor, AnchorFile, AnchorUnreadable

H = "ab" * 32


def test_the_anchor_only_moves_forward(tmp_path: Path) -> None:
    anchor = AnchorFile(tmp_path / ANCHOR_FILE)
    assert anchor.read() is None
    assert anchor.advance(Anchor(entries=3, last_id=3, last_hash=H))
    assert not anchor.advance(Anchor(entries=2, last_id=2, last_hash="cd" * 32))
    assert not anchor.advance(Anchor(entries=3, last_id=3, last_hash="cd" * 32))
    assert anchor.read() == Anchor(entries=3, last_id=3, last_hash=H)
    assert sorted(p.name for p in tmp_path.iterdir()) == [ANCHOR_FILE, ANCHOR_FILE + ".lock"]


def test_threads_offering_heads_in_any_order_leave_the_newest(tmp_path: Path) -> None:
    anchor = AnchorFile(tmp_path / ANCHOR_FILE)
    heads = [Anchor(entries=n, last_id=n, last_hash=f"{n:064x}") for n in range(1, 201)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(anchor.advance, reversed(heads)))
    assert anchor.read() == heads[-1]
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("body", ["", "{", "[]", '{"entries": 3}',
                                  '{"entries": true, "last_id": 1, "last_hash": "' + H + '"}',
                                  '{"entries": 0, "last_id": 1, "last_hash": "' + H + '"}',
                                  '{"entries": 2, "last_id": 2, "last_hash": "../x"}'])
def test_a_file_that_is_not_an_anchor_is_refused(tmp_path: Path, body: str) -> None:
    path = tmp_path / ANCHOR_FILE
    path.write_text(body)
    with pytest.raises(AnchorUnreadable) as caught:
        AnchorFile(path).read()
    assert caught.value.user_message == f"The audit anchor {ANCHOR_FILE} is not valid."
