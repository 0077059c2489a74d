"""chDB in this process (the engine service's own handle): statements per database, the
client's database restored after each call, one client per thread, closed together.

It uses the session's in-process chDB path (``chdb_root``: one data path per process)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.analytics.clickhouse_local import InProcessClickHouse

DB = "test_clickhouse_local"


@pytest.fixture(scope="module")
def local(chdb_root: Path) -> Iterator[InProcessClickHouse]:
    ch = InProcessClickHouse(chdb_root)
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    ch.command(f"CREATE DATABASE {DB}")
    yield ch
    ch.command(f"DROP DATABASE IF EXISTS {DB}")
    ch.close()


def test_statements_run_in_the_named_database_and_switch_back(
        local: InProcessClickHouse) -> None:
    local.command("CREATE TABLE t (n UInt32, s String) ENGINE = MergeTree ORDER BY n",
                  database=DB)
    local.command("INSERT INTO t VALUES (1, 'a'), (2, 'b')", database=DB)
    assert local.rows("SELECT currentDatabase(), count() FROM t", database=DB) == [(DB, 2)]
    assert local.rows("SELECT currentDatabase()") == [("default",)]
    table = local.arrow("SELECT n, s FROM t WHERE s = {s:String} ORDER BY n",
                        parameters={"s": "b' OR '1'='1"}, database=DB)
    assert table.num_rows == 0
    table = local.arrow("SELECT n, s FROM t ORDER BY n", database=DB)
    assert table.to_pylist() == [{"n": 1, "s": "a"}, {"n": 2, "s": "b"}]
    assert local.scalar(f"SELECT sum(n) FROM {DB}.t") == 3


def test_a_failing_statement_still_switches_back(local: InProcessClickHouse) -> None:
    with pytest.raises(Exception, match="UNKNOWN_TABLE|doesn't exist|does not exist"):
        local.rows("SELECT * FROM no_such_table", database=DB)
    assert local.rows("SELECT currentDatabase()") == [("default",)]


def test_one_client_per_thread(local: InProcessClickHouse) -> None:
    mine = local.client()
    assert local.client() is mine
    found: list[object] = []
    worker = threading.Thread(target=lambda: found.append(local.client()))
    worker.start()
    worker.join()
    assert len(found) == 1 and found[0] is not mine
    assert local.dsn.startswith("chdb://") and local.dsn.endswith("/data")
