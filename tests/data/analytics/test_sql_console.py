"""The console's ClickHouse side: tables with columns, runs with statistics, typed results."""

from __future__ import annotations

import pytest

from data.analytics import sql_console
from data.analytics.clickhouse import ClickHouse, ClickHouseError


@pytest.fixture
def database(ch: ClickHouse, ch_database: str) -> str:
    ch.command(f"CREATE DATABASE {ch_database}")
    ch.command(f"CREATE TABLE {ch_database}.events (id UInt64, note String, "
               "doubled UInt64 MATERIALIZED id * 2, `odd name` Nullable(Float64)) "
               "ENGINE = MergeTree ORDER BY id")
    ch.command(f"CREATE TABLE {ch_database}.aaa (x UInt8) ENGINE = Memory")
    return ch_database


def test_tables_list_columns_and_what_an_insert_fills(ch: ClickHouse, database: str) -> None:
    tables = sql_console.table_columns(ch, database)
    assert [t.name for t in tables] == ["aaa", "events"]
    events = tables[1]
    assert events.columns == (("id", "UInt64"), ("note", "String"), ("doubled", "UInt64"),
                              ("odd name", "Nullable(Float64)"))
    assert events.insertable == ("id", "note", "odd name")
    assert events.column_type("odd name") == "Nullable(Float64)"
    assert events.column_type("missing") is None
    assert sql_console.table_columns(ch, "no_such_database") == []


def test_runs_report_rows_read_and_keep_types(ch: ClickHouse, database: str) -> None:
    sql_console.run_insert(ch, "INSERT INTO events (id, note) SELECT number, toString(number) "
                               "FROM numbers(10)", database=database, settings={"max_threads": 1})
    ran = sql_console.run_select(
        ch, "SELECT id, note, doubled, toUUID('00000000-0000-0000-0000-000000000001') AS u, "
            "toIPv4('10.0.0.1') AS ip, [1, 2] AS a, NULL AS nothing FROM events ORDER BY id",
        database=database, settings={"readonly": 1})
    assert ran.table is not None and ran.rows_read == 10 and ran.elapsed_ms > 0
    row = ran.table.to_pylist()[3]
    assert row == {"id": 3, "note": "3", "doubled": 6,
                   "u": "00000000-0000-0000-0000-000000000001", "ip": "10.0.0.1",
                   "a": [1, 2], "nothing": None}
    empty = sql_console.run_select(ch, "SELECT id FROM events WHERE id > 100",
                                   database=database, settings={})
    assert empty.table is not None and empty.table.num_rows == 0
    assert empty.table.column_names == ["id"]
    assert ch.scalar("SELECT currentDatabase()") == "default"


def test_duplicate_names_stay_apart_and_errors_are_wrapped(ch: ClickHouse,
                                                          database: str) -> None:
    ran = sql_console.run_select(ch, "SELECT 1 AS x, 2 AS x_", database=database, settings={})
    assert ran.table is not None and ran.table.num_rows == 1
    with pytest.raises(ClickHouseError):
        sql_console.run_select(ch, "SELECT nope FROM events", database=database, settings={})
    with pytest.raises(ClickHouseError):
        sql_console.run_insert(ch, "INSERT INTO events (id) SELECT 1 SETTINGS readonly = 1",
                               database=database, settings={"readonly": 1})


def test_the_read_only_path_leaves_the_connection_as_it_was(ch: ClickHouse,
                                                            database: str) -> None:
    sql = "SELECT count() AS n, getSetting('readonly') AS r FROM events"
    ran = sql_console.run_select(ch, sql, database=database, settings={"readonly": 1})
    assert ran.table is not None and ran.table.to_pylist() == [{"n": 0, "r": 1}]
    assert ch.scalar("SELECT getSetting('readonly')") == 0
    assert ch.scalar("SELECT currentDatabase()") == "default"
