"""A process's leases and the once-per-deployment duties, with two keepers on one database."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.metadata.db import Database
from services.core.leases import Duties, LeaseKeeper, holder_is_dead, process_identity
from tests.waiting import wait_until


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'meta.db'}")
    database.migrate()
    yield database
    database.dispose()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_identity_names_this_host_and_process() -> None:
    host, pid, token = process_identity().split(":")
    assert (host, int(pid)) == (socket.gethostname(), os.getpid()) and len(token) == 8
    assert not holder_is_dead(process_identity())
    assert holder_is_dead(f"{socket.gethostname()}:{_dead_pid()}:abcd")
    assert not holder_is_dead(f"another-host.example:{_dead_pid()}:abcd")  # judged by expiry


def test_only_one_process_runs_the_duties_and_another_takes_over(db: Database) -> None:
    ran: list[str] = []
    first, second = LeaseKeeper(db, ttl_s=0.6), LeaseKeeper(db, ttl_s=0.6)
    a = Duties(first, start=lambda: ran.append("a+"), stop=lambda: ran.append("a-"))
    b = Duties(second, start=lambda: ran.append("b+"), stop=lambda: ran.append("b-"))
    assert a.check() and not b.check()
    assert a.check() and not b.check()  # renewed: still a's
    assert ran == ["a+"]
    # a stops renewing (a crashed process): b takes over once the lease runs out
    wait_until(b.check, within=10, message="b never took over the lease a stopped renewing")
    assert b.active
    assert not a.check() and not a.active  # a comes back and finds it taken: stops its duties
    assert ran == ["a+", "b+", "a-"]
    b.stop()
    assert ran[-1] == "b-" and a.check()  # released at once on a clean stop
    a.stop()


def test_others_alive_ignores_itself_expired_and_dead_processes(db: Database) -> None:
    me, other = LeaseKeeper(db), LeaseKeeper(db)
    crashed = LeaseKeeper(db, identity=f"{socket.gethostname()}:{_dead_pid()}:dead")
    for keeper in (me, other, crashed):
        keeper.announce()
    assert me.others_alive() == [other.identity]
    other.stop()
    assert me.others_alive() == []
    me.stop()
