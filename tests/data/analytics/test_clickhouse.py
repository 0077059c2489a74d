"""The bundled engine service for real, over HTTP: tiered storage policy, parameters,
identifiers, schema, TTL."""

from __future__ import annotations

import pytest

from data.analytics.ch_schema import (
    ALL_TABLES,
    TierRetention,
    retention_statements,
    schema_statements,
)
from data.analytics.clickhouse import ClickHouse, storage_config_xml, validate_identifier
from lyceum.errors import ValidationError


def test_storage_policy_has_the_four_tiers(ch: ClickHouse) -> None:
    rows = ch.rows("SELECT volume_name, disks FROM system.storage_policies"
                   " WHERE policy_name = 'tiered' ORDER BY volume_priority")
    assert rows == [("hot", ["hot"]), ("warm", ["warm"]), ("cold", ["cold"]),
                    ("archive", ["archive"])]


@pytest.mark.parametrize("name", ["plant_1", "a", "line3_press"])
def test_valid_identifiers_pass(name: str) -> None:
    assert validate_identifier(name) == name


@pytest.mark.parametrize("name", ["", "1plant", "Plant", "plant-1", "plant;DROP", "a b",
                                  "system", "x" * 64, "plant`", "démo", "plant\n"])
def test_hostile_identifiers_are_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="lower-case letters"):
        validate_identifier(name)


def test_parameters_are_bound_not_formatted(ch: ClickHouse) -> None:
    hostile = "x'); DROP DATABASE system; --"
    assert ch.scalar("SELECT {v:String}", parameters={"v": hostile}) == hostile
    assert ch.scalar("SELECT count() FROM system.databases WHERE name = 'system'") == 1


def test_config_escapes_paths(tmp_path: object) -> None:
    from pathlib import Path

    xml = storage_config_xml(Path("/tmp/a&b<c"))
    assert "a&amp;b&lt;c" in xml and "<archive><disk>archive</disk></archive>" in xml


def test_config_looks_for_background_work_again_soon() -> None:
    from pathlib import Path

    # (A mutation of 40 daily parts: 5.8 s with ClickHouse's defaults, 0.27 s with these; a
    # timing test would measure the machine's load as much as the engine.)
    xml = storage_config_xml(Path("/tmp/x"))
    assert ("<background_processing_pool_task_sleep_seconds_when_no_work_random_part>0.01<"
            in xml)
    assert "<background_processing_pool_thread_sleep_seconds_if_nothing_to_do>0.02<" in xml


def test_schema_creates_every_table_on_the_tiered_policy(ch: ClickHouse, ch_database: str) -> None:
    for statement in schema_statements(ch_database):
        ch.command(statement)
    tables = dict(ch.rows(
        "SELECT name, storage_policy FROM system.tables WHERE database = {db:String}"
        " AND engine != 'MaterializedView'", parameters={"db": ch_database}))
    assert set(tables) == set(ALL_TABLES)
    assert set(tables.values()) == {"tiered"}
    create = ch.scalar("SELECT create_table_query FROM system.tables WHERE database = {db:String}"
                       " AND name = 'curve_samples'", parameters={"db": ch_database})
    assert "TO VOLUME 'warm'" in create and "TO VOLUME 'archive'" in create
    assert "toDateTime(ts) + toIntervalDay(730)" in create  # DELETE is ClickHouse's default


def test_ttl_moves_back_dated_parts_and_deletes_expired_rows(ch: ClickHouse,
                                                             ch_database: str) -> None:
    retention = TierRetention(warm_after_days=1, cold_after_days=10, archive_after_days=30,
                              delete_after_days=60)
    for statement in schema_statements(ch_database, retention=retention):
        ch.command(statement)
    ch.command(
        f"INSERT INTO {ch_database}.production_events SELECT now64(3) - INTERVAL d DAY,"
        " 'Line 1', 'OP10', 'running', '', 60 FROM (SELECT arrayJoin([0, 5, 20, 45, 90]) AS d)")
    ch.command(f"OPTIMIZE TABLE {ch_database}.production_events FINAL")
    disks = dict(ch.rows(
        "SELECT partition, disk_name FROM system.parts WHERE database = {db:String}"
        " AND table = 'production_events' AND active AND rows > 0", parameters={"db": ch_database}))
    assert sorted(disks.values()) == ["archive", "cold", "hot", "warm"]
    assert ch.scalar(f"SELECT count() FROM {ch_database}.production_events") == 4


def test_retention_can_be_changed_after_creation(ch: ClickHouse, ch_database: str) -> None:
    for statement in schema_statements(ch_database):
        ch.command(statement)
    new = TierRetention(warm_after_days=2, cold_after_days=4, archive_after_days=8,
                        delete_after_days=None)
    for statement in retention_statements(ch_database, new):
        ch.command(statement)
    create = ch.scalar("SELECT create_table_query FROM system.tables WHERE database = {db:String}"
                       " AND name = 'parts'", parameters={"db": ch_database})
    assert "toIntervalDay(8) TO VOLUME 'archive'" in create
    assert "toIntervalDay(730)" not in create


def test_hourly_yield_view_sums_parts(ch: ClickHouse, ch_database: str) -> None:
    for statement in schema_statements(ch_database):
        ch.command(statement)
    ch.command(
        f"INSERT INTO {ch_database}.parts SELECT number, toString(number), now64(3), 'L1', 'S1',"
        " 'P1', 'B1', 'early', if(number % 10 = 0, 'NOK', 'OK'), 1, '' FROM numbers(100)")
    assert ch.rows(f"SELECT sum(parts), sum(ok), sum(nok) FROM {ch_database}.hourly_yield") == [
        (100, 90, 10)]


def test_on_cluster_uses_replicated_engines() -> None:
    ddl = "\n".join(schema_statements("plant", on_cluster="prod"))
    assert "ON CLUSTER prod" in ddl and "ReplicatedMergeTree(" in ddl
    assert "ReplicatedSummingMergeTree(" in ddl


def test_query_errors_become_app_errors(ch: ClickHouse) -> None:
    from data.analytics.clickhouse import ClickHouseError

    with pytest.raises(ClickHouseError) as caught:
        ch.rows("SELECT * FROM no_such_db.no_such_table")
    assert caught.value.user_message == "The analytics engine could not run this query."
