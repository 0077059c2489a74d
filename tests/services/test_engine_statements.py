"""What a credential may run at the engine service; the app may run anything."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data.clickhouse import ClickHouse
from lyceum.errors import ValidationError
from services.core.runtime import Runtime
from services.gateway.engine_access import EngineCaller
from services.gateway.engine_statements import (
    INSERT_SHAPE,
    check_insert_tree,
    insert_settings,
    plan_statement,
    query_settings,
    split_insert,
)
from services.gateway.sql import QueryRefused


@pytest.fixture
def caller(runtime: Runtime, ch: ClickHouse, ch_database: str) -> Iterator[EngineCaller]:
    """A credential of a cluster whose database has a ``readings`` table."""
    ch.command(f"CREATE DATABASE {ch_database}")
    ch.command(f"CREATE TABLE {ch_database}.readings (id UInt32, label String) "
               "ENGINE = MergeTree ORDER BY id")
    yield EngineCaller(user="c_app", cluster_id=1, database=ch_database,
                       limits={"max_execution_time": 5})


def test_the_app_runs_what_it_sends() -> None:
    app = EngineCaller(user="lyceum_app")
    plan = plan_statement(None, app, sql="DROP TABLE x",  # type: ignore[arg-type]
                          settings={"max_threads": "2"})
    assert (plan.statement, plan.settings, plan.is_insert) == ("DROP TABLE x",
                                                               {"max_threads": "2"}, False)


def test_an_insert_splits_into_statement_and_data() -> None:
    parts = split_insert("INSERT INTO `db`.t (a, `b c`) FORMAT CSV \n1,2\n")
    assert parts is not None
    assert (parts.statement, parts.fmt, parts.data) == ("INSERT INTO `db`.t (a, `b c`)", "CSV",
                                                        b"1,2\n")
    native = split_insert("INSERT INTO t FORMAT Native\n\n\x01")
    assert native is not None and native.data == b"\n\x01"  # binary data keeps its bytes
    values = split_insert("insert into t values (1, 'x')")
    assert values is not None and (values.fmt, values.data) == ("Values", b" (1, 'x')")
    assert split_insert("INSERT INTO t SELECT 1") is None


def test_a_query_runs_read_only_under_the_limits(runtime: Runtime,
                                                 caller: EngineCaller) -> None:
    plan = plan_statement(runtime, caller, sql="SELECT count() FROM readings")
    assert plan.statement.startswith("SELECT * FROM (") and plan.database == caller.database
    assert list(plan.settings)[-1] == "readonly" and plan.settings["max_execution_time"] == "5"
    assert f"database = \\'{caller.database}\\'" in plan.settings["additional_table_filters"]


def test_system_tables_are_visible_but_filtered(runtime: Runtime,
                                                caller: EngineCaller) -> None:
    plan = plan_statement(runtime, caller, sql="SELECT name FROM system.tables")
    assert "system.tables" in plan.statement
    with pytest.raises(QueryRefused):
        plan_statement(runtime, caller, sql="SELECT * FROM system.processes")


def test_parameters_are_checked_as_they_will_run(runtime: Runtime,
                                                 caller: EngineCaller) -> None:
    with pytest.raises(QueryRefused):
        plan_statement(runtime, caller, sql="SELECT * FROM {t:Identifier}",
                       parameters={"t": "system.users"})
    with pytest.raises(QueryRefused):
        plan_statement(runtime, caller, sql="SELECT {s:String}", parameters={"s": "a\\tb"})
    assert plan_statement(runtime, caller, sql="SELECT {n:UInt8}", parameters={"n": "1"})


def test_inserts_only_into_own_tables(runtime: Runtime, caller: EngineCaller) -> None:
    plan = plan_statement(runtime, caller, sql="INSERT INTO readings (id) FORMAT CSV\n1\n")
    assert (plan.insert_format, plan.inline_data) == ("CSV", b"1\n")
    assert plan.settings["input_format_values_interpret_expressions"] == "0"
    for sql in ("INSERT INTO other.readings FORMAT CSV", "INSERT INTO nothing FORMAT CSV",
                "INSERT INTO readings FORMAT Protobuf", "INSERT INTO readings SELECT 1",
                "INSERT INTO readings (id, 'x') FORMAT CSV"):
        with pytest.raises((QueryRefused, ValidationError)):
            plan_statement(runtime, caller, sql=sql)


def test_refused_before_parsing(runtime: Runtime, caller: EngineCaller) -> None:
    with pytest.raises(QueryRefused, match="readonly"):
        plan_statement(runtime, caller, sql="SELECT 1", settings={"max_threads": "64"})
    with pytest.raises(QueryRefused):
        plan_statement(runtime, caller, sql="SELECT 1", database="other")
    with pytest.raises(ValidationError):
        plan_statement(runtime, caller, sql="SELECT 1; SELECT 2")
    with pytest.raises(QueryRefused):
        plan_statement(runtime, caller, sql="CREATE TABLE x (a UInt8) ENGINE = Memory")


def test_the_insert_tree_allow_list() -> None:
    tree = ["InsertQuery   (children 2)", " Identifier db", " Identifier readings"]
    check_insert_tree(tree, database="db", tables={"readings"})
    with pytest.raises(QueryRefused, match="database"):
        check_insert_tree(tree, database="mine", tables={"readings"})
    with pytest.raises(QueryRefused, match="INSERT must be"):
        check_insert_tree([*tree, " Set"], database="db", tables={"readings"})
    assert INSERT_SHAPE


def test_settings_for_queries_and_inserts() -> None:
    caller = EngineCaller(user="u", cluster_id=1, database="db",
                          limits={"max_result_bytes": 10})
    assert query_settings(caller)["max_result_bytes"] == "10"
    assert insert_settings(caller)["async_insert"] == "0"


def test_an_allowed_plan_is_kept_a_refusal_is_not(runtime: Runtime, caller: EngineCaller,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from data import cluster_ops

    calls: list[str] = []
    explain = cluster_ops.explain_ast

    def counting(ch: ClickHouse, statement: str, **kwargs: object) -> list[str]:
        calls.append(statement)
        return explain(ch, statement, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cluster_ops, "explain_ast", counting)
    first = plan_statement(runtime, caller, sql="SELECT id FROM readings")
    checked = len(calls)
    assert plan_statement(runtime, caller, sql="SELECT id FROM readings") == first
    assert len(calls) == checked
    for _ in range(2):
        with pytest.raises(QueryRefused):
            plan_statement(runtime, caller, sql="SELECT * FROM system.users")
    assert len(calls) > checked + 1
