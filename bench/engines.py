"""The two ways a bench can reach chDB: over HTTP through the engine service (what the app
does), and in-process (what the app did before issue 18), for "what does HTTP cost" numbers.

The in-process handle is
:class:`data.analytics.clickhouse_local.InProcessClickHouse` (what the engine
service itself uses); the web app never opens chDB in its own process.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from data.analytics.clickhouse import ClickHouse
from data.analytics.clickhouse_local import InProcessClickHouse

ROOT = Path(__file__).resolve().parent.parent
APP_USER = "lyceum_app"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=1) as answer:
            return bool(answer.read().strip() == b"Ok.")
    except OSError:
        return False


@contextmanager
def engine_service(instance: Path, *, env: dict[str, str] | None = None
                   ) -> Iterator[tuple[ClickHouse, dict[str, str]]]:
    """``python -m lyceum engine`` on a free port over ``instance``; yields a
    :class:`ClickHouse` over HTTP and the environment that points an app at it."""
    port, key = _free_port(), secrets.token_urlsafe(32)
    instance.mkdir(parents=True, exist_ok=True)
    found = {**os.environ, "LYCEUM_INSTANCE": str(instance), "LYCEUM_ENGINE_PORT": str(port),
             "LYCEUM_ENGINE_KEY": key, "LYCEUM_ENGINE_MANAGED": "off", **(env or {})}
    process = subprocess.Popen([sys.executable, "-m", "lyceum", "engine"], cwd=ROOT, env=found,
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the engine service did not start")
            time.sleep(0.1)
        ch = ClickHouse(f"http://{APP_USER}:{key}@127.0.0.1:{port}", bundled=True)
        try:
            yield ch, found
        finally:
            ch.close()
    finally:
        process.terminate()
        process.wait(30)


def describe(ch: Any) -> str:
    """``in-process`` or ``HTTP`` for a table row."""
    return "in-process chDB" if isinstance(ch, InProcessClickHouse) else "HTTP (engine service)"
