"""The ClickHouse side of provisioning, on real chDB (server DDL is checked by its parser)."""

from __future__ import annotations

import pytest

from data.analytics import cluster_ops
from data.analytics.ch_schema import (
    RETENTION_TABLES,
    TIME_TABLES,
    TierRetention,
    schema_statements,
)
from data.analytics.clickhouse import ClickHouse, ClickHouseError
from lyceum.errors import ValidationError

SECRET = "A" * 43


def _parses(ch: ClickHouse, statement: str) -> str:
    return str(ch.scalar("SELECT formatQuerySingleLine({q:String})",
                         parameters={"q": statement}))


@pytest.mark.parametrize("on_cluster", [None, "plant"])
def test_server_access_ddl_is_valid_clickhouse(ch: ClickHouse, on_cluster: str | None) -> None:
    limits = {"max_threads": 4, "max_memory_usage": 8 * 1024**3, "max_execution_time": 60}
    profile = cluster_ops.profile_statement(profile="line_limits", settings=limits,
                                            on_cluster=on_cluster)
    user, grant = cluster_ops.user_statements(database="line", username="line_app",
                                              secret=SECRET, profile="line_limits",
                                              on_cluster=on_cluster)
    assert "max_threads = 4 MAX 4" in _parses(ch, profile)
    assert "IDENTIFIED WITH sha256_password" in _parses(ch, user)
    assert _parses(ch, grant).endswith("SELECT, INSERT ON line.* TO line_app")
    assert all(("ON CLUSTER plant" in s) == bool(on_cluster) for s in (profile, user, grant))


@pytest.mark.parametrize("secret", ["short", "x' OR 1 --" + "a" * 40, "a" * 40 + "'"])
def test_a_secret_of_an_unexpected_form_never_reaches_ddl(secret: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        cluster_ops.user_statements(database="line", username="line_app", secret=secret,
                                    profile="line_limits")


@pytest.mark.parametrize("settings", [{"max_threads; DROP": 1}, {"max_threads": "1'; DROP"},
                                      {"readonly": True}, {"x": None}])
def test_settings_clause_refuses_anything_but_names_and_plain_values(
        settings: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        cluster_ops.settings_clause(settings)  # type: ignore[arg-type]


def test_names_are_identifiers(ch: ClickHouse) -> None:
    with pytest.raises(ValidationError):
        cluster_ops.create_database(ch, "db; DROP DATABASE system")
    with pytest.raises(ValidationError):
        cluster_ops.drop_access(ch, username="u`x", profile="p")
    with pytest.raises(ValidationError):
        cluster_ops.create_schema(ch, "x", on_cluster="a b")


def test_schema_without_ttl_then_retention(ch: ClickHouse, ch_database: str) -> None:
    assert not any(" TTL " in s for s in schema_statements(ch_database, with_ttl=False))
    cluster_ops.create_database(ch, ch_database)
    cluster_ops.create_schema(ch, ch_database)
    facts = cluster_ops.table_facts(ch, ch_database)
    assert not any(" TTL " in facts[t].create_query for t in TIME_TABLES)
    cluster_ops.apply_retention(ch, ch_database, TierRetention(delete_after_days=None))
    facts = cluster_ops.table_facts(ch, ch_database)
    assert all("TO VOLUME 'archive'" in facts[t].create_query for t in TIME_TABLES)
    assert cluster_ops.round_trip_part(ch, ch_database) == 1
    assert cluster_ops.count_marked(ch, ch_database) == 0
    cluster_ops.drop_database(ch, ch_database)
    assert not cluster_ops.database_exists(ch, ch_database)


def _mutations(ch: ClickHouse, database: str) -> int:
    return int(ch.scalar("SELECT count() FROM system.mutations WHERE database = {db:String}",
                         parameters={"db": database}) or 0)


@pytest.fixture
def schema_db(ch: ClickHouse, ch_database: str) -> str:
    """A fresh database with the cluster schema."""
    cluster_ops.create_database(ch, ch_database)
    cluster_ops.create_schema(ch, ch_database)
    return ch_database


def _part(ch: ClickHouse, database: str, serial: str, ts_sql: str) -> None:
    """One part row made at ``ts_sql`` (an SQL time expression)."""
    ch.command(f"INSERT INTO {database}.parts (part_id, serial, ts, line, station, product, "
               f"batch, shift, result, first_pass, defect_mode) VALUES (1, '{serial}', "
               f"{ts_sql}, 'L', 'S', 'P', 'B', 'A', 'OK', 1, '')")


def test_the_verify_part_is_dropped_without_a_mutation_and_others_stay(
        ch: ClickHouse, schema_db: str) -> None:
    ch.command(f"INSERT INTO {schema_db}.parts (part_id, serial, ts, line, station, product,"
               " result, first_pass) SELECT number, toString(number), now64(3) - number * 86400,"
               " 'Line 1', 'OP10', 'P1', 'OK', 1 FROM numbers(40)")  # 40 daily partitions
    assert cluster_ops.round_trip_part(ch, schema_db) == 1
    assert cluster_ops.count_marked(ch, schema_db) == 0
    assert _mutations(ch, schema_db) == 0  # a delete would mutate every part
    assert int(ch.scalar(f"SELECT count() FROM {schema_db}.parts")) == 40
    assert int(ch.scalar(f"SELECT sum(parts) FROM {schema_db}.hourly_yield")) == 40


def test_a_marker_sharing_its_part_is_deleted_in_its_partition_only(
        ch: ClickHouse, schema_db: str) -> None:
    ch.command(f"INSERT INTO {schema_db}.parts (part_id, serial, ts, line, station, product,"
               " result, first_pass) VALUES (1, 'a', now64(3), '__verify_x', 'verify', 'verify',"
               " 'OK', 1), (2, 'b', now64(3), 'Line 1', 'OP10', 'P1', 'OK', 1)")
    cluster_ops._remove_marked(ch, schema_db, "parts", {"m": "__verify_x"})
    assert _events(ch, schema_db) == ["b"]


def _events(ch: ClickHouse, database: str) -> list[str]:
    return sorted(str(r[0]) for r in ch.rows(f"SELECT serial FROM {database}.parts"))


def test_a_retention_change_reaches_the_existing_rows_and_reports_each_table(
        ch: ClickHouse, schema_db: str) -> None:
    """Rows older than the new delete days are gone when it returns (the re-evaluation ran
    and was waited for), the newer ones stay, and progress counts the tables up to all."""
    for serial, age_days in (("old", 400), ("new", 1)):
        _part(ch, schema_db, serial, f"now() - INTERVAL {age_days} DAY")
    assert _events(ch, schema_db) == ["new", "old"]
    seen: list[int] = []
    cluster_ops.apply_retention(ch, schema_db, TierRetention(2, 20, 200, 365),
                                progress=seen.append)
    assert _events(ch, schema_db) == ["new"]
    assert seen[-1] == len(RETENTION_TABLES) and seen == sorted(seen)
    pending = ch.scalar("SELECT count() FROM system.mutations WHERE database = "
                        "{db:String} AND NOT is_done", parameters={"db": schema_db})
    assert pending == 0


def test_a_re_evaluation_that_does_not_finish_in_time_is_an_error(
        ch: ClickHouse, schema_db: str) -> None:
    """A mutation still running when the wait is over: the error names its table."""
    _part(ch, schema_db, "s", "now()")
    since = ch.scalar("SELECT now() - 1")
    ch.command(f"ALTER TABLE {schema_db}.parts UPDATE batch = "
               "concat(batch, toString(sleepEachRow(2))) WHERE 1", settings={"mutations_sync": 0})
    with pytest.raises(ClickHouseError, match="^The new retention rules are set, but "
                                              "re-evaluating the existing data of parts did "
                                              "not finish within 0 min."):
        cluster_ops.await_mutations(ch, schema_db, ("parts", "curves"), since=since,
                                    wait_s=0.3, poll_s=0.1)
    cluster_ops.await_mutations(ch, schema_db, ("parts",), since=since, wait_s=30.0)


def test_create_database_refuses_an_existing_one(ch: ClickHouse, ch_database: str) -> None:
    cluster_ops.create_database(ch, ch_database)
    with pytest.raises(ClickHouseError) as exists:
        cluster_ops.create_database(ch, ch_database)
    assert "DATABASE_ALREADY_EXISTS" in str(exists.value)


def test_probe_settings_reports_what_the_engine_applied(ch: ClickHouse) -> None:
    assert cluster_ops.probe_settings(ch, {"max_threads": 1, "max_execution_time": 7}) == {
        "max_threads": "1", "max_execution_time": "7"}
    assert cluster_ops.probe_settings(ch, {}) == {}


@pytest.mark.parametrize("on_cluster", [None, "plant"])
def test_rotation_ddl_is_valid_clickhouse(ch: ClickHouse, on_cluster: str | None) -> None:
    statement = cluster_ops.rotate_statement(username="line_app", secret=SECRET,
                                             on_cluster=on_cluster)
    parsed = _parses(ch, statement)
    assert parsed.startswith("ALTER USER line_app")
    assert "IDENTIFIED WITH sha256_password" in parsed
    assert ("ON CLUSTER plant" in statement) == bool(on_cluster)


@pytest.mark.parametrize("secret", ["short", "x' OR 1 --" + "a" * 40, "a" * 40 + "'"])
def test_a_rotated_secret_of_an_unexpected_form_never_reaches_ddl(secret: str) -> None:
    with pytest.raises(ValueError, match="secret"):
        cluster_ops.rotate_statement(username="line_app", secret=secret)
    with pytest.raises(ValidationError):
        cluster_ops.rotate_statement(username="line_app; DROP USER x", secret=SECRET)
