"""The ClickHouse side of one cluster: database, schema, TTL, limits, user, checks, queries.

Names are checked with :func:`validate_identifier` before they reach DDL; settings are
formatted by :func:`settings_clause` from checked names and plain numbers. SQL that came from
outside is only ever passed as a bound parameter (:func:`format_query`) or, once ClickHouse's
own parser has turned it into exactly one canonical statement, as that statement.

Per-query settings of the read-only paths are written into the SQL (``SETTINGS …``) rather
than passed to the driver: the chDB driver applies ``settings=`` with ``SET`` and restores
them afterwards, which ``readonly = 1`` would forbid, leaving the connection read-only.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import clickhouse_connect

from data.analytics.ch_schema import (
    RETENTION_TABLES,
    TierRetention,
    retention_statements,
    schema_statements,
)
from data.analytics.clickhouse import (
    STORAGE_POLICY,
    ClickHouse,
    ClickHouseError,
    validate_identifier,
)

_SETTING_NAME = re.compile(r"^[a-z][a-z0-9_]{0,99}$")
_SAFE_TEXT = re.compile(r"^[A-Za-z0-9_.\-]{0,200}$")
_SECRET = re.compile(r"^[A-Za-z0-9_\-]{32,128}$")


@dataclass(frozen=True)
class TableFacts:
    """What ``system.tables`` says about one table of a cluster database."""

    name: str
    engine: str
    storage_policy: str
    create_query: str


def on_cluster_clause(on_cluster: str | None) -> str:
    """`` ON CLUSTER name`` for server clusters, or an empty string."""
    return f" ON CLUSTER {validate_identifier(on_cluster)}" if on_cluster else ""


def settings_clause(settings: Mapping[str, int | float | str]) -> str:
    """``name = value, …`` from checked setting names and plain values."""
    return ", ".join(f"{_name(name)} = {_literal(name, value)}" for name, value in settings.items())


def _name(name: str) -> str:
    if not _SETTING_NAME.fullmatch(name):
        raise ValueError(f"not a setting name: {name!r}")
    return name


def _literal(name: str, value: int | float | str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"setting {name} has an unsupported value {value!r}")
    if isinstance(value, str):
        if not _SAFE_TEXT.fullmatch(value):
            raise ValueError(f"setting {name} has an unsafe value {value!r}")
        return f"'{value}'"
    return str(value)


def list_databases(ch: ClickHouse) -> set[str]:
    """Every database name on the engine."""
    return {str(row[0]) for row in ch.rows("SELECT name FROM system.databases")}


def database_exists(ch: ClickHouse, database: str) -> bool:
    """True if ``database`` exists."""
    return bool(ch.scalar("SELECT count() FROM system.databases WHERE name = {db:String}",
                          parameters={"db": database}))


def has_storage_policy(ch: ClickHouse, policy: str = STORAGE_POLICY) -> bool:
    """True if the engine knows the storage policy ``policy``."""
    return bool(ch.scalar("SELECT count() FROM system.storage_policies"
                          " WHERE policy_name = {p:String}", parameters={"p": policy}))


def create_database(ch: ClickHouse, database: str, *, on_cluster: str | None = None) -> None:
    """``CREATE DATABASE`` (fails if it exists: provisioning never adopts a database)."""
    ch.command(f"CREATE DATABASE {validate_identifier(database)}{on_cluster_clause(on_cluster)}")


def create_schema(ch: ClickHouse, database: str, *, on_cluster: str | None = None) -> None:
    """Every table and the hourly-yield view on the tiered policy, without TTL (made by this
    version: no statements upgrading older tables; the partials' follower runs those on
    every cluster at start)."""
    for statement in schema_statements(database, on_cluster=on_cluster, with_ttl=False,
                                       fresh=True):
        if not statement.startswith("CREATE DATABASE"):
            ch.command(statement)


#: How long a retention change waits for ClickHouse to re-evaluate the existing parts.
RETENTION_WAIT_S = 3600.0


def apply_retention(ch: ClickHouse, database: str, retention: TierRetention, *,
                    on_cluster: str | None = None, progress: Callable[[int], None] | None = None,
                    wait_s: float = RETENTION_WAIT_S, poll_s: float = 0.25) -> None:
    """Tier moves and the retention delete on every time table, existing data included.

    The new TTL rules are set first (``MODIFY TTL`` without rewriting anything inside the
    ALTER), then every table's existing parts are re-evaluated (``MATERIALIZE TTL``) by
    ClickHouse's background mutations, all tables at once, and this waits until they are
    done: each ALTER waiting for its own rewrite in turn took 25-110 s on the small demo.
    ``progress(n)``: ``n`` tables done. Raises :class:`ClickHouseError` if the re-evaluation
    does not finish within ``wait_s`` (naming ClickHouse's reason if it gave one)."""
    db = validate_identifier(database)
    started = ch.scalar("SELECT now()")
    for statement in retention_statements(db, retention, on_cluster=on_cluster):
        ch.command(statement, settings={"materialize_ttl_after_modify": 0})
    for table in RETENTION_TABLES:
        ch.command(f"ALTER TABLE {db}.{table}{on_cluster_clause(on_cluster)} MATERIALIZE TTL",
                   settings={"mutations_sync": 0})
    await_mutations(ch, db, RETENTION_TABLES, since=started, on_cluster=on_cluster,
                    progress=progress, wait_s=wait_s, poll_s=poll_s)


def await_mutations(ch: ClickHouse, database: str, tables: tuple[str, ...], *, since: Any,
                    on_cluster: str | None = None,
                    progress: Callable[[int], None] | None = None,
                    wait_s: float = RETENTION_WAIT_S, poll_s: float = 0.25) -> None:
    """Wait until no mutation of ``tables`` made since ``since`` (the server's time) is
    pending (on every replica with ``on_cluster``); report the tables done as they finish.
    :class:`ClickHouseError` after ``wait_s``, with ClickHouse's reason if it gave one."""
    source = ("system.mutations" if on_cluster is None else
              f"clusterAllReplicas('{validate_identifier(on_cluster)}', system.mutations)")
    sql = (f"SELECT table, countIf(NOT is_done), anyIf(latest_fail_reason, NOT is_done) "
           f"FROM {source} WHERE database = {{db:String}} AND create_time >= {{since:DateTime}} "
           "AND table IN {tables:Array(String)} GROUP BY table")
    deadline, reported = time.monotonic() + wait_s, -1
    while True:
        rows = ch.rows(sql, parameters={"db": database, "since": since, "tables": list(tables)})
        pending = {str(t): str(reason or "") for t, left, reason in rows if int(left)}
        done = len(tables) - len(pending)
        if progress is not None and done != reported:
            progress(done)
            reported = done
        if not pending:
            return
        if time.monotonic() >= deadline:
            reason = next((r for r in pending.values() if r), "")
            raise ClickHouseError(
                f"The new retention rules are set, but re-evaluating the existing data of "
                f"{', '.join(sorted(pending))} did not finish within {wait_s / 60:.0f} min"
                + (f": {reason}" if reason else "."), detail=reason)
        time.sleep(poll_s)


def drop_database(ch: ClickHouse, database: str, *, on_cluster: str | None = None) -> None:
    """``DROP DATABASE IF EXISTS … SYNC``: the database and its data are gone on return."""
    ch.command(f"DROP DATABASE IF EXISTS {validate_identifier(database)}"
               f"{on_cluster_clause(on_cluster)} SYNC")


def probe_settings(ch: ClickHouse, settings: Mapping[str, int | float | str]) -> dict[str, str]:
    """Run a query with ``settings`` and return each one's value as the engine applied it."""
    names = list(settings)
    if not names:
        return {}
    columns = ", ".join(f"toString(getSetting('{_name(name)}'))" for name in names)
    row = ch.rows(f"SELECT {columns} SETTINGS {settings_clause(settings)}")[0]
    return dict(zip(names, (str(v) for v in row), strict=True))


def profile_statement(*, profile: str, settings: Mapping[str, int | float | str],
                      on_cluster: str | None = None) -> str:
    """Server-mode DDL: a settings profile whose values are also the maximum a user may set."""
    limits = ", ".join(f"{_name(n)} = {_literal(n, v)}"
                       + ("" if isinstance(v, str) else f" MAX {_literal(n, v)}")
                       for n, v in settings.items())
    return (f"CREATE SETTINGS PROFILE {validate_identifier(profile)}"
            f"{on_cluster_clause(on_cluster)}" + (f" SETTINGS {limits}" if limits else ""))


def user_statements(*, database: str, username: str, secret: str, profile: str,
                    on_cluster: str | None = None) -> list[str]:
    """Server-mode DDL: the cluster's user with ``profile``, and its grants on ``database``."""
    db, user = validate_identifier(database), validate_identifier(username)
    if not _SECRET.fullmatch(secret):
        raise ValueError("the generated secret has an unexpected form")
    cluster = on_cluster_clause(on_cluster)
    return [
        f"CREATE USER {user}{cluster} IDENTIFIED WITH sha256_password BY '{secret}'"
        f" DEFAULT DATABASE {db} SETTINGS PROFILE '{validate_identifier(profile)}'",
        f"GRANT{cluster} SELECT, INSERT ON {db}.* TO {user}",
    ]


def rotate_statement(*, username: str, secret: str, on_cluster: str | None = None) -> str:
    """Server-mode DDL: give the cluster's user a new secret; the old one stops working."""
    user = validate_identifier(username)
    if not _SECRET.fullmatch(secret):
        raise ValueError("the generated secret has an unexpected form")
    return (f"ALTER USER {user}{on_cluster_clause(on_cluster)} "
            f"IDENTIFIED WITH sha256_password BY '{secret}'")


def access_exists(ch: ClickHouse, *, username: str, profile: str) -> bool:
    """True if a user ``username`` or a settings profile ``profile`` exists (server mode)."""
    return bool(ch.scalar(
        "SELECT (SELECT count() FROM system.users WHERE name = {u:String})"
        " + (SELECT count() FROM system.settings_profiles WHERE name = {p:String})",
        parameters={"u": username, "p": profile}))


def drop_access(ch: ClickHouse, *, username: str, profile: str,
                on_cluster: str | None = None) -> None:
    """Remove the cluster's user and settings profile if they exist (server mode)."""
    cluster = on_cluster_clause(on_cluster)
    ch.command(f"DROP USER IF EXISTS {validate_identifier(username)}{cluster}")
    ch.command(f"DROP SETTINGS PROFILE IF EXISTS {validate_identifier(profile)}{cluster}")


def check_login(ch: ClickHouse, *, username: str, secret: str, database: str) -> bool:
    """True if a server connection as ``username`` can read ``database`` (server mode)."""
    client = clickhouse_connect.get_client(dsn=ch.dsn, username=username, password=secret,
                                           database=validate_identifier(database))
    try:
        return client.command("SELECT count() FROM parts") is not None
    finally:
        client.close()


def table_facts(ch: ClickHouse, database: str) -> dict[str, TableFacts]:
    """Engine, storage policy and ``CREATE`` statement of every table in ``database``."""
    rows = ch.rows("SELECT name, engine, storage_policy, create_table_query FROM system.tables"
                   " WHERE database = {db:String}", parameters={"db": database})
    return {str(r[0]): TableFacts(str(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows}


def round_trip_part(ch: ClickHouse, database: str) -> int:
    """Insert one marked part, count it in ``hourly_yield`` (via the view), delete it again.

    Returns how many parts the view counted for the marker (1 when the view works).
    """
    db = validate_identifier(database)
    marker = {"m": f"__verify_{uuid.uuid4().hex[:12]}"}
    ch.command(f"INSERT INTO {db}.parts (part_id, serial, ts, line, station, product, result,"
               " first_pass) SELECT 0, {m:String}, now64(3), {m:String}, 'verify', 'verify',"
               " 'OK', 1", parameters=marker)
    try:
        counted = ch.scalar(f"SELECT sum(parts) FROM {db}.hourly_yield WHERE line = {{m:String}}",
                            parameters=marker)
    finally:
        for table in ("parts", "hourly_yield"):
            _remove_marked(ch, db, table, marker)
    return int(counted or 0)


#: What the engine names parts and partitions (checked before one goes into a statement).
_PART_NAME = re.compile(r"^[0-9A-Za-z_-]{1,200}$")


def _remove_marked(ch: ClickHouse, db: str, table: str, marker: dict[str, str]) -> None:
    """Remove the marker's rows from ``table``: drop the parts that hold nothing else (at
    once: the insert wrote the marker into a part of its own), else delete the rows in their
    partitions only. A delete over the whole table is a mutation of every part: ~12 s for
    a cluster with the small demo's 81 daily partitions, most of a deploy's time."""
    found = ch.rows(
        f"SELECT _part, _partition_id, countIf(line = {{m:String}}), count() FROM {db}.{table}"
        f" WHERE _part IN (SELECT _part FROM {db}.{table} WHERE line = {{m:String}})"
        " GROUP BY _part, _partition_id", parameters=marker)
    for part, partition, mine, rows in found:
        if not (_PART_NAME.match(str(part)) and _PART_NAME.match(str(partition))):
            raise ClickHouseError(f"The engine named a part {part!r} of {table} unexpectedly.")
        if int(mine) == int(rows):
            try:
                ch.command(f"ALTER TABLE {db}.{table} DROP PART '{part}'")
                continue
            except ClickHouseError:  # merged with other rows meanwhile: delete them instead
                pass
        ch.command(f"DELETE FROM {db}.{table} IN PARTITION ID '{partition}'"
                   " WHERE line = {m:String}", parameters=marker)


def count_marked(ch: ClickHouse, database: str) -> int:
    """Rows left behind by :func:`round_trip_part` (0 when it cleaned up)."""
    db = validate_identifier(database)
    return int(ch.scalar(f"SELECT (SELECT count() FROM {db}.parts WHERE startsWith(line,"
                         f" '__verify_')) + (SELECT count() FROM {db}.hourly_yield"
                         " WHERE startsWith(line, '__verify_'))") or 0)


# --- the read-only query path of the gateway ------------------------------------------------

def format_query(ch: ClickHouse, sql: str) -> str:
    """ClickHouse's canonical one-line form of ``sql``, parsed as a bound value, not run.

    Raises :class:`~data.analytics.clickhouse.ClickHouseError` unless ``sql`` is exactly one
    statement.
    """
    return str(ch.scalar("SELECT formatQuerySingleLine({q:String})", parameters={"q": sql}))


def explain_ast(ch: ClickHouse, statement: str, *,
                parameters: Mapping[str, str] | None = None) -> list[str]:
    """The parser's syntax tree of one canonical statement (``EXPLAIN AST``; nothing is read),
    with its query parameters (``{name:Type}``) substituted as the engine would run them."""
    return [str(row[0]) for row in ch.rows(f"EXPLAIN AST {statement}",
                                           parameters=dict(parameters or {}))]


def function_facts(ch: ClickHouse, names: Collection[str]) -> list[tuple[str, str, bool, bool]]:
    """``(name, alias_to, case_insensitive, is_aggregate)`` of the functions named ``names``.

    Matched case-insensitively, so a case-insensitive function written ``COUNT`` is found.
    """
    if not names:
        return []
    rows = ch.rows("SELECT name, alias_to, case_insensitive, is_aggregate FROM system.functions"
                   " WHERE lower(name) IN {names:Array(String)}",
                   parameters={"names": sorted({name.lower() for name in names})})
    return [(str(name), str(alias), bool(ci), bool(agg)) for name, alias, ci, agg in rows]

