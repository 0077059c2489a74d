"""Editors' INSERTs: only into the cluster's own tables, VALUES and SELECT under the allow lists."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data.analytics import sql_console
from data.analytics.clickhouse import ClickHouse
from lyceum.errors import AppError, ValidationError
from services.gateway import writes
from services.gateway.sql import QueryRefused
from tests.services.sql_console_world import World, console_world


@pytest.fixture(scope="module")
def world(ch: ClickHouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with console_world(tmp_path_factory.mktemp("writes"), ch, prefix="wtest") as found:
        yield found


def _check(world: World, sql: str) -> str:
    ch = world.runtime.ch
    tables = {t.name: t for t in sql_console.table_columns(ch, world.a_database)}
    return writes.checked_insert(ch, sql, database=world.a_database, tables=tables)


ALLOWED = [
    ("INSERT INTO parts (part_id, serial) VALUES (1, 'x'), (2, 'y')",
     "INSERT INTO parts (part_id, serial) SELECT * FROM `values`('`part_id` UInt64, "
     "`serial` String', (1, 'x'), (2, 'y'))"),
    ("insert into wtest_a.parts (part_id, serial) values (3, 'it''s; DROP')",
     "INSERT INTO parts (part_id, serial) SELECT * FROM `values`("),
    ("INSERT INTO parts (serial) VALUES ('only one string')",
     "INSERT INTO parts (serial) SELECT * FROM `values`('`serial` String', ('only one"),
    ("INSERT INTO parts SELECT * FROM parts WHERE part_id = 1",
     "INSERT INTO parts SELECT * FROM parts WHERE part_id = 1"),
    ("INSERT INTO parts (part_id) SELECT number FROM numbers(3)",
     "INSERT INTO parts (part_id) SELECT number FROM numbers(3)"),
]


@pytest.mark.parametrize(("sql", "starts"), ALLOWED)
def test_inserts_into_own_tables_become_checked_selects(world: World, sql: str,
                                                        starts: str) -> None:
    assert _check(world, sql).startswith(starts)


OTHER = "Only the tables of the database “wtest_a” can be queried."
REFUSED = [
    ("INSERT INTO wtest_b.parts (part_id) VALUES (1)", OTHER),
    ("INSERT INTO no_such_db.parts (part_id) VALUES (1)", OTHER),
    ("INSERT INTO no_such_table (x) VALUES (1)", OTHER),
    ("INSERT INTO system.users (name) VALUES ('x')", OTHER),
    ("INSERT INTO parts SELECT * FROM wtest_b.parts", OTHER),
    ("INSERT INTO parts (serial) SELECT name FROM system.users", OTHER),
    ("INSERT INTO parts (serial) VALUES ((SELECT name FROM system.users LIMIT 1))", OTHER),
    ("INSERT INTO parts (serial) VALUES (file('/etc/passwd'))",
     "The function file() is not allowed"),
    ("INSERT INTO parts (serial) VALUES (hostName())", "The function hostName() is not allowed"),
    ("INSERT INTO parts (serial) VALUES ('a')) UNION ALL SELECT name FROM system.users --",
     "not exactly one valid SQL statement"),
    ("INSERT INTO parts (serial) VALUES ('a')) UNION ALL SELECT name FROM system.users "
     "WHERE (1", OTHER),
    ("INSERT INTO parts (serial) VALUES ('a') SETTINGS readonly = 0", "SQL"),
    ("INSERT INTO FUNCTION file('/tmp/lyceum_console_out.csv') SELECT 1", writes.INSERT_SHAPE),
    ("INSERT INTO parts FROM INFILE '/etc/passwd' FORMAT CSV", writes.INSERT_SHAPE),
    ("INSERT INTO parts FORMAT CSV 1,2", writes.INSERT_SHAPE),
    ("INSERT INTO parts SETTINGS max_threads = 1 VALUES (1)", writes.INSERT_SHAPE),
    ("INSERT INTO parts SELECT * FROM parts SETTINGS readonly = 0", writes.INSERT_SHAPE),
    ("INSERT INTO parts (* EXCEPT serial) VALUES (1)", writes.INSERT_SHAPE),
    ("INSERT INTO parts (no_column) VALUES (1)", "has no column no_column"),
    ("SELECT 1", writes.INSERT_SHAPE),
    ("INSERT INTO parts (part_id) VALUES (1); DROP DATABASE wtest_b",
     "not exactly one valid SQL statement"),
    ("INSERT INTO parts (part_id) VALUES", writes.NO_VALUES),
]


@pytest.mark.parametrize(("sql", "message"), REFUSED)
def test_hostile_inserts_are_refused_and_change_nothing(world: World, sql: str,
                                                        message: str) -> None:
    ch = world.runtime.ch
    before = ch.scalar(f"SELECT count() FROM {world.a_database}.parts")
    with pytest.raises(AppError) as refused:
        _check(world, sql)
    assert isinstance(refused.value, QueryRefused | ValidationError)
    assert message in refused.value.user_message
    assert ch.scalar(f"SELECT count() FROM {world.a_database}.parts") == before
    assert ch.scalar(f"SELECT count() FROM {world.b_database}.parts") == 0


def test_another_clusters_table_is_refused_like_a_missing_one(world: World) -> None:
    answers = set()
    for sql in ("INSERT INTO wtest_b.parts (part_id) VALUES (1)",
                "INSERT INTO nothing_here.parts (part_id) VALUES (1)",
                "INSERT INTO wtest_a.nothing_here (part_id) VALUES (1)"):
        with pytest.raises(QueryRefused) as refused:
            _check(world, sql)
        answers.add(refused.value.user_message)
    assert answers == {OTHER}


def test_canonical_statement_rejects_empty_and_oversized_text(world: World) -> None:
    ch = world.runtime.ch
    for text, field in (("  ", "empty"), ("SELECT 1 " + " " * 100_000, "too long"),
                        ("SELECT '\0'", "too long"), ("INSERT INTO", "syntax")):
        with pytest.raises(ValidationError) as bad:
            writes.canonical_statement(ch, text)
        assert bad.value.fields == {"sql": field}
    assert writes.is_insert(writes.canonical_statement(ch, "insert into t values (1)"))
    assert not writes.is_insert(writes.canonical_statement(ch, "select 1"))
