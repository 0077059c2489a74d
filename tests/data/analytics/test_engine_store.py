"""The engine service's hold on chDB: streams, inserts, settings per request, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from data.analytics.engine_store import EngineError, EngineStore, engine_error, native_block_header


@pytest.fixture(scope="module")
def store(chdb_root: Path) -> Iterator[EngineStore]:
    """The store on the session engine's own data path (one path per process)."""
    engine = EngineStore(chdb_root)
    engine.open()
    yield engine
    engine.close()


def test_a_result_streams_block_by_block(store: EngineStore) -> None:
    with store.stream("SELECT number FROM numbers(100000)", fmt="TabSeparated",
                      settings={"max_block_size": "10000"}) as stream:
        chunks = list(stream)
    assert len(chunks) >= 10 and b"".join(chunks).count(b"\n") == 100_000
    assert stream.stats.result_rows == 100_000


def test_settings_and_database_hold_for_one_request_only(store: EngineStore,
                                                         ch_database: str) -> None:
    ch_database_created = f"CREATE DATABASE {ch_database}"
    list(store.stream(ch_database_created, fmt="TabSeparated"))
    answer = store.stream("SELECT currentDatabase(), getSetting('max_threads')",
                          fmt="TabSeparated", database=ch_database,
                          settings={"max_threads": "3"})
    assert b"".join(answer) == f"{ch_database}\t3\n".encode()
    again = b"".join(store.stream("SELECT currentDatabase()", fmt="TabSeparated"))
    assert again == b"default\n"


def test_parameters_are_bound(store: EngineStore) -> None:
    answer = store.stream("SELECT {n:UInt8} + 1 AS x", fmt="JSONEachRow", params={"n": "41"})
    assert json.loads(b"".join(answer)) == {"x": 42}


def test_an_insert_takes_its_data_in_chunks(store: EngineStore, ch_database: str) -> None:
    list(store.stream(f"CREATE DATABASE {ch_database}", fmt="TabSeparated"))
    list(store.stream(f"CREATE TABLE {ch_database}.t (a UInt32) ENGINE = Memory",
                      fmt="TabSeparated"))
    stats = store.insert(f"INSERT INTO {ch_database}.t", fmt="CSV",
                         chunks=[b"1\n2", b"\n3\n"])
    assert stats.written_rows == 3
    with pytest.raises(EngineError):
        store.insert(f"INSERT INTO {ch_database}.t", fmt="CSV", chunks=[b"4\nnot a number\n"])
    count = b"".join(store.stream(f"SELECT count() FROM {ch_database}.t", fmt="CSV"))
    assert count == b"3\n"


def test_an_empty_native_result_still_names_its_columns(store: EngineStore) -> None:
    answer = b"".join(store.stream("SELECT 1 AS a, 'x' AS b WHERE 0", fmt="Native"))
    assert answer == native_block_header([("a", "UInt8"), ("b", "String")])


def test_errors_keep_clickhouse_code_and_name(store: EngineStore) -> None:
    with pytest.raises(EngineError) as found:
        store.stream("SELECT * FROM no_such_db.t", fmt="CSV")
    assert (found.value.number, found.value.name) == (81, "UNKNOWN_DATABASE")
    with pytest.raises(EngineError) as found:
        store.stream("SELECT 1", fmt="CSV", settings={"bad name": "1"})
    assert found.value.name == "UNKNOWN_SETTING"
    assert engine_error(RuntimeError("no code here")).name == "STD_EXCEPTION"


def _counting_connects(store: EngineStore, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    opened: list[int] = []
    real = store._connect

    def counted() -> Any:
        opened.append(1)
        return real()
    monkeypatch.setattr(store, "_connect", counted)
    return opened


READ_ONLY = {"max_threads": "2", "readonly": "1"}


def test_a_read_only_handle_is_kept_for_the_same_database_and_settings(
        store: EngineStore, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _counting_connects(store, monkeypatch)
    sql = "SELECT currentDatabase(), getSetting('max_threads'), getSetting('readonly')"
    answers = [b"".join(store.stream(sql, fmt="TabSeparated", database="system",
                                     settings=READ_ONLY, reuse=True)) for _ in range(3)]
    assert answers == [b"system\t2\t1\n"] * 3
    assert len(opened) == 1


def test_other_settings_take_another_handle(store: EngineStore,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _counting_connects(store, monkeypatch)
    sql = "SELECT getSetting('max_threads')"
    first = b"".join(store.stream(sql, fmt="TabSeparated", database="system",
                                  settings={"max_threads": "3", "readonly": "1"}, reuse=True))
    lowered = b"".join(store.stream(sql, fmt="TabSeparated", database="system",
                                    settings={"max_threads": "1", "readonly": "1"},
                                    reuse=True))
    assert (first, lowered) == (b"3\n", b"1\n") and len(opened) == 2
    with pytest.raises(EngineError) as found:  # a lowered result bound holds at once
        b"".join(store.stream("SELECT number FROM numbers(100)", fmt="TabSeparated",
                              database="system", reuse=True,
                              settings={"max_result_rows": "10", "readonly": "1"}))
    assert found.value.name == "TOO_MANY_ROWS_OR_BYTES"


def test_a_failed_or_unfinished_statement_does_not_leave_its_handle(
        store: EngineStore, monkeypatch: pytest.MonkeyPatch) -> None:
    opened = _counting_connects(store, monkeypatch)
    settings = {"max_threads": "4", "readonly": "1"}
    with pytest.raises(EngineError):
        store.stream("SELECT throwIf(1)", fmt="TabSeparated", settings=settings, reuse=True)
    unfinished = store.stream("SELECT number FROM numbers(1000000)", fmt="TabSeparated",
                              settings=settings, reuse=True)
    unfinished.close()
    b"".join(store.stream("SELECT 1", fmt="TabSeparated", settings=settings, reuse=True))
    assert len(opened) == 3


def test_only_read_only_statements_reuse_a_handle(store: EngineStore) -> None:
    with pytest.raises(EngineError):
        store.stream("SELECT 1", fmt="TabSeparated", settings={"max_threads": "2"},
                     reuse=True)
