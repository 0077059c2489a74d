"""The dashboard load bench's own rules (``bench/load_dashboard.py``)."""

from __future__ import annotations

from load_dashboard import POLL_S

from callbacks.dashboard.spc import SPC_POLL_MS


def test_the_spc_job_is_polled_as_the_renderer_polls_it() -> None:
    assert round(POLL_S * 1000) == SPC_POLL_MS
