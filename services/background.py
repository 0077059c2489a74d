"""The app process's background work, started once after set-up.

chDB allows one process per data path, so everything that touches the embedded engine on a
schedule runs here, in threads of the app process.
"""

from __future__ import annotations

import logging

from services.cluster_usage import start_usage_sampler, stop_usage_sampler
from services.runtime import Runtime

log = logging.getLogger(__name__)
USAGE_INTERVAL_S = 300.0


def start_background(runtime: Runtime) -> None:
    """Start the schedulers: usage sampling (and tier-move detection) every 5 minutes."""
    start_usage_sampler(runtime, interval_s=USAGE_INTERVAL_S)
    log.info("background: usage sampler every %.0f s", USAGE_INTERVAL_S)


def stop_background() -> None:
    """Stop the schedulers (used by tests and on shutdown)."""
    stop_usage_sampler()
