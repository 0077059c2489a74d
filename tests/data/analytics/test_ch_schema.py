"""A cluster's schema on the real engine: the TTL text per retention, every table made
(tiered with TTLs, or plain), idempotent, the server form with replicated engines and
ON CLUSTER, the hourly-yield view, and new retention applied to every time table."""

from __future__ import annotations

import pytest

from data.analytics import ch_schema
from data.analytics.ch_schema import (
    ALL_TABLES,
    DENSITY_TABLES,
    TIME_TABLES,
    TierRetention,
    density_statements,
    retention_statements,
    schema_statements,
)
from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ValidationError
from services.clusters.query_session import ClusterSession
from tests.data.analytics import plant_rows


def test_ttl_expression_per_retention() -> None:
    assert TierRetention().ttl_expression() == (
        "toDateTime(ts) + INTERVAL 7 DAY TO VOLUME 'warm', "
        "toDateTime(ts) + INTERVAL 30 DAY TO VOLUME 'cold', "
        "toDateTime(ts) + INTERVAL 180 DAY TO VOLUME 'archive', "
        "toDateTime(ts) + INTERVAL 730 DAY DELETE")
    assert TierRetention(1, 2, 3, None).ttl_expression("day") == (
        "toDateTime(day) + INTERVAL 1 DAY TO VOLUME 'warm', "
        "toDateTime(day) + INTERVAL 2 DAY TO VOLUME 'cold', "
        "toDateTime(day) + INTERVAL 3 DAY TO VOLUME 'archive'")


def _tables(ch: ClickHouse, database: str) -> dict[str, tuple[str, str, str]]:
    rows = ch.rows("SELECT name, engine, storage_policy, create_table_query FROM system.tables "
                   "WHERE database = {db:String}", parameters={"db": database})
    return {str(n): (str(e), str(p), str(q)) for n, e, p, q in rows}


def test_tiered_schema_with_ttls_is_complete_and_idempotent(ch: ClickHouse,
                                                            ch_database: str) -> None:
    for _ in range(2):
        for statement in schema_statements(ch_database):
            ch.command(statement)
    tables = _tables(ch, ch_database)
    assert set(tables) == {*ALL_TABLES, "hourly_yield_mv", "density_months_mv"}
    for table in TIME_TABLES:
        engine, policy, create = tables[table]
        assert (engine, policy) == ("MergeTree", "tiered")
        assert "TTL toDateTime(ts) + toIntervalDay(7) TO VOLUME 'warm'" in create
        assert "toDateTime(ts) + toIntervalDay(730)" in create
    assert tables["hourly_yield"][:2] == ("SummingMergeTree", "tiered")
    assert tables["density_grids"][0] == "ReplacingMergeTree"
    assert "`months` UInt8 DEFAULT 0" in tables["density_grids"][2]
    assert all(tables[t][1] == "tiered" for t in DENSITY_TABLES)


def test_a_new_database_gets_in_one_step_what_an_old_one_is_upgraded_to(
        ch: ClickHouse, ch_database: str) -> None:
    """``fresh`` leaves out the 13 ``ALTER TABLE`` statements that bring older tables up to
    date: the tables it makes equal those an upgrade leaves (columns, defaults, codecs,
    engines, settings)."""
    old = f"{ch_database}_old"
    ch.command(f"DROP DATABASE IF EXISTS {old}")
    try:
        fresh = schema_statements(ch_database, fresh=True)
        assert not any(s.startswith("ALTER") for s in fresh)
        assert len(schema_statements(ch_database)) - len(fresh) == 13
        for statement in fresh:
            ch.command(statement)
        # The density tables as their first version made them: no codecs, no part
        # settings, none of the grid's later columns.
        ch.command(f"CREATE DATABASE {old}")
        first = {s.split("(", 1)[0].split(".")[1].strip(): s for s in density_statements(
            old, upgrade=False) if s.startswith("CREATE TABLE")}
        for table in ("density_partials", "density_months", "density_grids"):
            statement = first[table].replace(f" {ch_schema.CELL_CODEC}", "").replace(
                f" {ch_schema.WEIGHT_CODEC}", "").replace(
                f"{ch_schema.partial_settings(replicated=False)}, ", "")
            for column in ch_schema.GRID_COLUMNS:
                statement = statement.replace(f", {column}", "")
            ch.command(statement)
        for statement in schema_statements(old):
            ch.command(statement)

        def shape(db: str) -> list[tuple[object, ...]]:
            columns = ch.rows(
                "SELECT table, name, type, default_expression, compression_codec"
                " FROM system.columns WHERE database = {db:String} ORDER BY table, position",
                parameters={"db": db})
            engines = ch.rows("SELECT name, replaceAll(engine_full, {db:String}, 'x')"
                              " FROM system.tables WHERE database = {db:String} ORDER BY name",
                              parameters={"db": db})
            # settings compared as a set: an upgrade appends the ones it adds
            return [*columns, *((name, engine.split(" SETTINGS ")[0],
                                 sorted(engine.partition(" SETTINGS ")[2].split(", ")))
                                for name, engine in engines)]

        assert shape(ch_database) == shape(old)
    finally:
        ch.command(f"DROP DATABASE IF EXISTS {old}")


def test_plain_schema_keeps_only_the_delete_ttl_or_none() -> None:
    plain = schema_statements("line", tiered=False)
    assert not any("storage_policy" in s or "TO VOLUME" in s for s in plain)
    assert sum("TTL toDateTime(ts) + INTERVAL 730 DAY DELETE" in s for s in plain) == len(
        TIME_TABLES)
    forever = schema_statements("line", tiered=False,
                                retention=TierRetention(delete_after_days=None))
    assert not any(" TTL " in s for s in forever)
    assert not any(" TTL " in s for s in schema_statements("line", with_ttl=False))


def test_server_form_is_replicated_on_cluster_and_parses(ch: ClickHouse) -> None:
    statements = schema_statements("line", on_cluster="plant")
    assert all(" ON CLUSTER plant" in s for s in statements)
    assert "ReplicatedMergeTree('/clickhouse/tables/{shard}/line/parts', '{replica}')" in \
        statements[1]
    grids = next(s for s in statements if "density_grids" in s and "CREATE" in s)
    assert "ReplicatedReplacingMergeTree(" in grids and "'{replica}', updated)" in grids
    for statement in statements:
        ch.scalar("SELECT formatQuerySingleLine({q:String})", parameters={"q": statement})


@pytest.mark.parametrize("database", ["system", "Line", "line; DROP DATABASE x", "1line", ""])
def test_names_are_identifiers(database: str) -> None:
    with pytest.raises(ValidationError):
        schema_statements(database)
    with pytest.raises(ValidationError):
        density_statements(database)
    with pytest.raises(ValidationError):
        retention_statements(database, TierRetention())
    with pytest.raises(ValidationError):
        schema_statements("line", on_cluster=database or "a b")


def test_the_hourly_yield_view_counts_parts(cluster_session: ClusterSession) -> None:
    plant_rows.insert(cluster_session)
    rows = cluster_session.rows(
        "SELECT line, station, sum(parts), sum(ok), sum(warning), sum(nok), "
        f"sum(first_pass_ok) FROM {cluster_session.database}.hourly_yield "
        "GROUP BY line, station ORDER BY line, station")
    assert [tuple(r) for r in rows] == [("L1", "OP10", 2, 1, 0, 1, 1),
                                        ("L1", "OP20", 1, 1, 0, 0, 0),
                                        ("L2", "OP10", 1, 0, 1, 0, 0),
                                        ("L2", "OP20", 1, 0, 0, 1, 0)]


def test_new_retention_reaches_every_time_table(ch: ClickHouse, ch_database: str) -> None:
    for statement in schema_statements(ch_database):
        ch.command(statement)
    for statement in retention_statements(ch_database, TierRetention(2, 20, 200, None)):
        ch.command(statement)
    tables = _tables(ch, ch_database)
    for table in TIME_TABLES:
        create = tables[table][2]
        assert "toDateTime(ts) + toIntervalDay(2) TO VOLUME 'warm'" in create
        assert "DELETE" not in create
    assert "toDateTime(day) + toIntervalDay(200) TO VOLUME 'archive'" in \
        tables["density_partials"][2]
    assert "toIntervalDay(20) TO VOLUME 'cold'" in tables["density_months"][2]
    assert ch_schema.MONTH_END == "addMonths(month, 1) - 1"
