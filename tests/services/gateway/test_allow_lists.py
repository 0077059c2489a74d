"""The gateway's allow lists against the real engine: every name on them is one the engine
knows (a typo would silently refuse, an alias would widen the list), the names left out on
purpose stay out, and what the gateway decides for SQL naming listed and unlisted functions,
table functions, tables and settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from data.analytics.ch_schema import schema_statements
from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ValidationError
from services.gateway import sql as gateway
from services.gateway.allow_lists import (
    ALLOWED_COMBINATORS,
    ALLOWED_FUNCTIONS,
    ALLOWED_NODES,
    ALLOWED_TABLE_FUNCTIONS,
    IN_OPERATORS,
    SYNTAX_FUNCTIONS,
)


def test_every_allowed_function_is_a_canonical_engine_function(ch: ClickHouse) -> None:
    known = dict(ch.rows("SELECT name, alias_to FROM system.functions"))
    assert sorted(n for n in ALLOWED_FUNCTIONS if n not in known) == []
    assert sorted(n for n in ALLOWED_FUNCTIONS if known[n]) == []  # aliases follow their target


def test_table_functions_generate_rows_only(ch: ClickHouse) -> None:
    known = {str(r[0]) for r in ch.rows("SELECT name FROM system.table_functions")}
    assert ALLOWED_TABLE_FUNCTIONS <= known
    assert ALLOWED_TABLE_FUNCTIONS == {"numbers", "numbers_mt", "zeros", "zeros_mt",
                                       "generate_series", "generateSeries", "values"}


def test_combinators_are_engine_combinators_or_chains_of_them(ch: ClickHouse) -> None:
    known = {str(r[0]) for r in ch.rows(
        "SELECT name FROM system.aggregate_function_combinators")}
    singles = [c for c in ALLOWED_COMBINATORS if c in known]
    chains = [c for c in ALLOWED_COMBINATORS if c not in known]
    assert chains == ["MergeState"]  # Merge then State: sumMergeState
    assert all(any(c == a + b for a in singles for b in singles) for c in chains)


def test_membership_operators_are_engine_functions_and_allowed(ch: ClickHouse) -> None:
    known = {str(r[0]) for r in ch.rows("SELECT name FROM system.functions")}
    assert IN_OPERATORS <= known
    assert IN_OPERATORS <= ALLOWED_FUNCTIONS
    assert SYNTAX_FUNCTIONS == {"lambda"}


LEFT_OUT = [
    # the host, the server and the session
    "hostName", "FQDN", "uptime", "getServerSetting", "getMacro", "currentUser",
    "currentProfiles", "currentRoles", "enabledRoles", "queryID", "initialQueryID",
    "serverUUID", "tcpPort", "shardNum", "shardCount", "filesystemAvailable",
    "filesystemCapacity", "getClientHTTPHeader", "buildId", "revision", "zookeeperSessionUptime",
    # other tables, dictionaries, files and the network reached by name
    "joinGet", "joinGetOrNull", "dictGet", "dictGetOrDefault", "dictHas", "hasColumnInTable",
    "file", "globalVariable",
    # stalls, failures on purpose, models
    "sleep", "sleepEachRow", "throwIf", "evalMLMethod",
]
READING_TABLE_FUNCTIONS = [
    "file", "url", "remote", "remoteSecure", "cluster", "clusterAllReplicas", "s3", "hdfs",
    "mysql", "postgresql", "jdbc", "odbc", "merge", "input", "executable", "generateRandom",
    "view", "loop", "dictionary", "format", "fileCluster", "azureBlobStorage", "mergeTreeIndex",
]


@pytest.mark.parametrize("name", LEFT_OUT)
def test_functions_left_out_on_purpose(name: str) -> None:
    assert name not in ALLOWED_FUNCTIONS


def test_the_names_left_out_are_real(ch: ClickHouse) -> None:
    """So the two tests around this one are not about names the engine does not have."""
    functions = {str(r[0]) for r in ch.rows("SELECT name FROM system.functions")}
    tables = {str(r[0]) for r in ch.rows("SELECT name FROM system.table_functions")}
    assert [n for n in LEFT_OUT if n not in functions] == []
    assert [n for n in READING_TABLE_FUNCTIONS if n not in tables] == []


@pytest.mark.parametrize("name", READING_TABLE_FUNCTIONS)
def test_table_functions_that_read_are_not_listed(name: str) -> None:
    assert name not in ALLOWED_TABLE_FUNCTIONS


def test_syntax_nodes_allow_no_settings_or_statements_other_than_select() -> None:
    assert "SelectQuery" in ALLOWED_NODES
    assert not ALLOWED_NODES & {"Set", "InsertQuery", "CreateQuery", "DropQuery",
                                "AlterQuery", "SystemQuery", "SetQuery", "KillQueryQuery",
                                "OptimizeQuery", "RenameQuery", "ShowTablesQuery"}


@pytest.fixture(scope="module")
def database(ch: ClickHouse) -> Iterator[str]:
    """A cluster database with the schema (shared by the decision tests, never written)."""
    name = "test_allow_lists"
    ch.command(f"DROP DATABASE IF EXISTS {name}")
    for statement in schema_statements(name, with_ttl=False, tiered=False, fresh=True):
        ch.command(statement)
    yield name
    ch.command(f"DROP DATABASE IF EXISTS {name}")


@pytest.mark.parametrize("sql", [
    "SELECT count() FROM curves",
    "SELECT sumIf(number, number > 1), uniqState(number) FROM numbers(3)",
    "SELECT sumMergeState(s) FROM (SELECT sumState(number) AS s FROM numbers(3))",
    "SELECT arrayMap(x -> x + 1, [1, 2])",
    "SELECT number IN (1, 2) FROM zeros(2)",
    "SELECT process FROM test_allow_lists.curves WHERE curve_id IN (SELECT curve_id FROM parts)",
    "SELECT * FROM generate_series(1, 3)",
    "SELECT COUNT(*) FROM parts",  # a case-insensitive name counts as its canonical one
])
def test_allowed_queries_pass(ch: ClickHouse, database: str, sql: str) -> None:
    assert gateway.checked_statement(ch, sql, database=database).startswith("SELECT * FROM (")


OTHER = "Only the tables of the database “test_allow_lists” can be queried."


@pytest.mark.parametrize(("sql", "message"), [
    ("SELECT hostName()", "The function hostName() is not allowed through the gateway."),
    ("SELECT fullHostName()", "The function fullHostName() is not allowed through the gateway."),
    ("SELECT sleep(1)", "The function sleep() is not allowed through the gateway."),
    ("SELECT hostNameIf(1)", "The function hostNameIf() is not allowed through the gateway."),
    ("SELECT sumIfx(number) FROM numbers(2)",
     "The function sumIfx() is not allowed through the gateway."),
    ("SELECT * FROM file('/etc/passwd')", "The table function file() is not allowed; query "
     "the cluster's tables (numbers(), zeros(), generate_series() and values() are)."),
    ("SELECT * FROM remote('localhost', system.one)", "The table function remote() is not "
     "allowed; query the cluster's tables (numbers(), zeros(), generate_series() and "
     "values() are)."),
    ("SELECT * FROM system.tables", OTHER),
    ("SELECT * FROM other_db.curves", OTHER),
    ("SELECT 1 FROM numbers(1) WHERE number IN system.one", gateway.IN_NEEDS_LIST),
    ("SELECT 1 SETTINGS max_threads = 64", gateway.SETTINGS_REFUSED),
    ("INSERT INTO curves SELECT * FROM curves", gateway.NOT_A_QUERY),
    ("DROP TABLE curves", gateway.NOT_A_QUERY),
])
def test_refused_queries_say_why(ch: ClickHouse, database: str, sql: str, message: str) -> None:
    with pytest.raises(gateway.QueryRefused) as refused:
        gateway.checked_statement(ch, sql, database=database)
    assert refused.value.user_message == message


@pytest.mark.parametrize("sql", ["", "   ", "SELECT 1; SELECT 2", "SELEC 1", "SELECT '\0'"])
def test_text_that_is_not_one_statement_is_invalid(ch: ClickHouse, database: str,
                                                   sql: str) -> None:
    with pytest.raises(ValidationError):
        gateway.checked_statement(ch, sql, database=database)
