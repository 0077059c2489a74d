"""The API tokens page's factories: each token's state, a revoke button only while it is
live, never more of the secret than its prefix in the table."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from components.ids.tokens import tokens_revoke
from components.tokens import make_secret, make_tokens_table
from tests.callbacks.signed_in import text

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class TokenRow:
    """The fields of a token the table shows (what ``services.access.tokens`` hands it)."""

    id: int
    role: str = "viewer"
    user_id: int = 1
    created_at: datetime = NOW - timedelta(days=2)
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def name(self) -> str:
        return f"t{self.id}"

    @property
    def prefix(self) -> str:
        return f"lyc_{self.id:04d}"


def test_states_and_revoke_buttons() -> None:
    rows = [TokenRow(1), TokenRow(2, revoked_at=NOW - timedelta(hours=1)),
            TokenRow(3, expires_at=NOW - timedelta(seconds=1)),
            TokenRow(4, expires_at=NOW + timedelta(days=1), user_id=9)]
    drawn = text(make_tokens_table(rows, now=NOW, owners={1: "ann@example.com"}))
    states = re.findall(r"Badge\(children='(active|revoked|expired)'", drawn)
    assert states == ["active", "revoked", "expired", "active"]
    revokes = [t for t in (1, 2, 3, 4) if str(tokens_revoke(t)) in drawn]
    assert revokes == [1, 4]
    assert "ann@example.com" in drawn and "Td(children='9'" in drawn  # an unknown owner
    assert "lyc_0001…" in drawn and "never" in drawn


def test_the_table_scrolls_in_its_card() -> None:
    """Nine columns were 720 px wide on a 390 px phone: the page scrolled sideways."""
    assert make_tokens_table([TokenRow(1)], now=NOW, owners={}).responsive is True


def test_no_tokens_is_an_empty_state() -> None:
    assert "No API tokens yet" in text(make_tokens_table([], now=NOW, owners={}))


def test_the_secret_is_shown_once_with_its_name() -> None:
    drawn = text(make_secret("lyc_secret_value", name="line 3"))
    assert "lyc_secret_value" in drawn and "Token “line 3” created." in drawn
    assert "will not be shown again" in drawn
