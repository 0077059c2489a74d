"""The engine service over real HTTP: the app's door, a cluster's credential, bad input."""

from __future__ import annotations

import csv
import gzip
import io
import json
import socket
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lz4.frame
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from data.analytics.clickhouse import ClickHouse
from data.metadata import memberships
from lyceum.engine.bodies import zstd
from lyceum.engine.server import engine_runtime
from lyceum.errors import ConfigError
from lyceum.settings import load_settings
from services.gateway.sql import AUTH_FAILURE_LIMIT, GENERIC_AUTH_FAILURE
from tests.engine.conftest import Cluster, EngineWorld, running_world
from tests.servers import ROOT, EngineProcess
from tests.waiting import wait_until

ROWS = 50_000
#: Small blocks, so every answer below spans several of chDB's blocks.
BLOCK_ROWS = "7000"
BLOCKS = {"max_block_size": BLOCK_ROWS}


def _app(world: EngineWorld) -> dict[str, str]:
    return {"X-ClickHouse-User": "lyceum_app", "X-ClickHouse-Key": world.engine.key}


def _as(cluster: Cluster) -> dict[str, str]:
    return {"X-ClickHouse-User": cluster.user, "X-ClickHouse-Key": cluster.secret}


def _post(world: EngineWorld, sql: str | bytes, *, headers: dict[str, str] | None = None,
          **params: str) -> requests.Response:
    return requests.post(world.url + "/", params=params, data=sql,
                         headers=headers if headers is not None else _app(world), timeout=60)


def _count(world: EngineWorld, cluster: Cluster) -> int:
    answer = _post(world, f"SELECT count() FROM {cluster.database}.readings")
    return int(answer.text)


def _error(answer: requests.Response, status: int, code: int, name: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["X-ClickHouse-Exception-Code"] == str(code)
    assert answer.text.startswith(f"Code: {code}. DB::Exception: ")
    assert f"({name})" in answer.text
    return answer.text


def test_ping_and_root_answer_ok(world: EngineWorld) -> None:
    for path in ("/ping", "/"):
        answer = requests.get(world.url + path, timeout=10)
        assert (answer.status_code, answer.text) == (200, "Ok.\n")


def test_the_query_can_be_in_the_url_the_body_or_both(world: EngineWorld) -> None:
    assert requests.get(world.url, params={"query": "SELECT 1 + 1"}, headers=_app(world),
                        timeout=10).text == "2\n"
    assert _post(world, "SELECT 40 + 2").text == "42\n"
    assert _post(world, "+ 2", query="SELECT 40").text == "42\n"


def test_headers_name_the_query_format_and_time_zone(world: EngineWorld) -> None:
    answer = _post(world, "SELECT 1 FORMAT JSONEachRow", query_id="q-42")
    assert answer.headers["X-ClickHouse-Query-Id"] == "q-42"
    assert answer.headers["X-ClickHouse-Format"] == "JSONEachRow"
    assert answer.headers["X-ClickHouse-Timezone"]
    summary = json.loads(answer.headers["X-ClickHouse-Summary"])
    assert summary["result_rows"] == "1"
    assert answer.text == '{"1":1}\n'


def test_parameters_and_database_are_applied(world: EngineWorld) -> None:
    answer = _post(world, "SELECT label FROM readings WHERE id = {id:UInt32}",
                   database=world.alpha.database, param_id="2")
    assert answer.text == "alpha\n"


def test_a_query_and_long_parameters_in_form_data_are_read(world: EngineWorld) -> None:
    """clickhouse-connect moves the query and its parameters into multipart form data once
    they pass 4 KiB (the explorer's ranking of 500 curves did: "Syntax error")."""
    ids = ",".join(str(i) for i in range(1, 1200))
    expected = _post(world, f"SELECT count() FROM {world.alpha.database}.readings "
                            "WHERE id < 1200").text
    answer = requests.post(world.url + "/", params={"database": world.alpha.database},
                           files={"query": (None, "SELECT count() FROM readings "
                                                  "WHERE has({ids:Array(UInt32)}, id)"),
                                  "param_ids": (None, f"[{ids}]")},
                           headers=_app(world), timeout=60)
    assert answer.status_code == 200, answer.text
    assert answer.text == expected
    engine = ClickHouse(world.engine.dsn, bundled=True)
    try:  # the app's own client takes that path by itself
        rows = engine.rows(f"SELECT count() FROM {world.alpha.database}.readings "
                           "WHERE id IN {ids:Array(UInt64)}", parameters={
                               "ids": list(range(1, 1200))})
    finally:
        engine.close()
    assert rows == [(int(expected),)]


@pytest.mark.parametrize("field", ["user", "readonly", "database", "paramx"])
def test_form_data_names_only_the_query_and_parameters(world: EngineWorld, field: str) -> None:
    before = _count(world, world.alpha)
    answer = requests.post(world.url + "/", files={
        "query": (None, f"INSERT INTO {world.alpha.database}.readings (id, label) "
                        "VALUES (9999999, 'form')"), field: (None, "1")},
        headers=_app(world), timeout=60)
    assert "Only the query and param_<name> fields" in _error(answer, 400, 62, "SYNTAX_ERROR")
    file_part = requests.post(world.url + "/", files={"query": ("q.sql", b"SELECT 1")},
                              headers=_app(world), timeout=60)
    _error(file_part, 400, 62, "SYNTAX_ERROR")
    assert _count(world, world.alpha) == before


@pytest.mark.parametrize("fmt", ["TabSeparated", "TabSeparatedWithNamesAndTypes", "CSV",
                                 "CSVWithNames", "JSON", "JSONCompact", "JSONEachRow"])
def test_text_formats_stream_as_one_document(world: EngineWorld, fmt: str) -> None:
    answer = _post(world, f"SELECT number AS n, toString(number) AS s FROM numbers({ROWS}) "
                          f"FORMAT {fmt}", max_block_size=BLOCK_ROWS)
    assert answer.status_code == 200
    text = answer.text
    if fmt in ("JSON", "JSONCompact"):
        document = json.loads(text)
        assert document["rows"] == ROWS == len(document["data"])
        assert [column["name"] for column in document["meta"]] == ["n", "s"]
        last = document["data"][-1]
        # 64-bit integers are quoted, as a ClickHouse server's JSON has them by default
        assert (last["n"] if fmt == "JSON" else last[0]) == str(ROWS - 1)
    elif fmt == "JSONEachRow":
        lines = text.splitlines()
        assert len(lines) == ROWS and json.loads(lines[-1]) == {"n": str(ROWS - 1),
                                                           "s": str(ROWS - 1)}
    elif fmt.startswith("CSV"):
        rows = list(csv.reader(io.StringIO(text)))
        header = 1 if fmt == "CSVWithNames" else 0
        assert len(rows) == ROWS + header and rows[-1] == [str(ROWS - 1), str(ROWS - 1)]
    else:
        lines = text.splitlines()
        header = 2 if fmt.endswith("NamesAndTypes") else 0
        assert len(lines) == ROWS + header
        assert lines[:header] == ["n\ts", "UInt64\tString"][:header]


def test_binary_formats_stream_as_one_document(world: EngineWorld) -> None:
    sql = f"SELECT number AS n, toString(number) AS s FROM numbers({ROWS})"
    arrow = pa.ipc.open_stream(_post(world, sql + " FORMAT ArrowStream",
                                     max_block_size=BLOCK_ROWS).content)
    assert arrow.read_all().num_rows == ROWS
    parquet = pq.read_table(pa.BufferReader(_post(world, sql + " FORMAT Parquet",
                                                  max_block_size=BLOCK_ROWS).content))
    assert parquet.num_rows == ROWS and parquet.column_names == ["n", "s"]
    binary = _post(world, f"SELECT number AS n FROM numbers({ROWS}) "
                          "FORMAT RowBinaryWithNamesAndTypes",
                    max_block_size=BLOCK_ROWS).content
    header = b"\x01\x01n\x06UInt64"
    assert binary.startswith(header) and len(binary) == len(header) + 8 * ROWS


def test_native_answers_read_back_whole(world: EngineWorld) -> None:
    client = world.app_client()
    result = client.query(f"SELECT number, toString(number) FROM numbers({ROWS})",
                          settings=BLOCKS)
    assert len(result.result_rows) == ROWS and result.result_rows[-1] == (ROWS - 1,
                                                                          str(ROWS - 1))
    empty = client.query(f"SELECT * FROM {world.alpha.database}.readings WHERE id > 100")
    assert empty.column_names == ("id", "value", "label") and not empty.result_rows


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "zstd", "lz4"])
def test_answers_are_compressed_when_asked(world: EngineWorld, encoding: str) -> None:
    answer = requests.post(world.url, params={"enable_http_compression": "1"},
                           data=f"SELECT number FROM numbers({ROWS})",
                           headers={**_app(world), "Accept-Encoding": encoding}, stream=True,
                           timeout=30)
    raw = answer.raw.read(decode_content=False)
    assert answer.headers["Content-Encoding"] == encoding
    plain = {"gzip": gzip.decompress, "deflate": zlib.decompress, "zstd": zstd.decompress,
             "lz4": lz4.frame.decompress}[encoding](raw)
    assert plain.count(b"\n") == ROWS


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "zstd", "lz4"])
def test_compressed_bodies_are_read(world: EngineWorld, encoding: str) -> None:
    pack = {"gzip": gzip.compress, "deflate": zlib.compress, "zstd": zstd.compress,
            "lz4": lz4.frame.compress}[encoding]
    database = world.alpha.database
    before = _count(world, world.alpha)
    rows = "".join(f"{100 + n},{n}.5,{encoding}\n" for n in range(1000)).encode()
    body = pack(rows[:5000]) + pack(rows[5000:])  # two frames/members, as clients send
    answer = requests.post(world.url, params={"query": f"INSERT INTO {database}.readings "
                                                        "FORMAT CSV"},
                           data=body, headers={**_app(world), "Content-Encoding": encoding},
                           timeout=30)
    assert answer.status_code == 200, answer.text
    assert _count(world, world.alpha) == before + 1000
    _post(world, f"DELETE FROM {database}.readings WHERE id >= 100")


def test_an_error_is_clickhouse_shaped(world: EngineWorld) -> None:
    _error(_post(world, "SELECT * FROM nowhere.nothing"), 404, 81, "UNKNOWN_DATABASE")
    _error(_post(world, "SELEC 1"), 400, 62, "SYNTAX_ERROR")


def test_a_late_error_ends_the_stream_or_the_held_answer(world: EngineWorld) -> None:
    late = "SELECT throwIf(number = 400000) FROM numbers(1000000)"
    streamed = _post(world, late, max_block_size="10000")
    assert streamed.status_code == 200  # the first bytes went out before the error
    assert streamed.text.rstrip().splitlines()[-1].startswith("Code: 395. DB::Exception:")
    held = _post(world, late, max_block_size="10000", wait_end_of_query="1")
    _error(held, 500, 395, "FUNCTION_THROW_IF_VALUE_IS_NON_ZERO")
    whole = _post(world, f"SELECT number FROM numbers({ROWS})", wait_end_of_query="1",
                  max_block_size=BLOCK_ROWS)
    assert whole.status_code == 200 and whole.text.count("\n") == ROWS


def test_bad_requests_are_refused_and_run_nothing(world: EngineWorld) -> None:
    database = world.alpha.database
    before = _count(world, world.alpha)
    grow = f"INSERT INTO {database}.readings SELECT 500, 1, 'x'"
    _error(_post(world, grow + " FORMAT Nonsense"), 400, 73, "UNKNOWN_FORMAT")
    _error(_post(world, ""), 400, 62, "SYNTAX_ERROR")
    _error(_post(world, "SELECT '" + "x" * (1024 * 1024 + 10) + "'"), 413, 1002,
           "QUERY_IS_TOO_LARGE")
    garbage = requests.post(world.url, data=b"\x1f\x8b not gzip at all",
                            headers={**_app(world), "Content-Encoding": "gzip"}, timeout=10)
    _error(garbage, 400, 271, "CANNOT_DECOMPRESS")
    unknown = requests.post(world.url, data=b"SELECT 1",
                            headers={**_app(world), "Content-Encoding": "snappy-ish"},
                            timeout=10)
    _error(unknown, 501, 48, "NOT_IMPLEMENTED")
    truncated = requests.post(world.url, params={"query": grow + " FORMAT CSV"},
                              data=gzip.compress(b"1,2,x\n" * 100)[:-12],
                              headers={**_app(world), "Content-Encoding": "gzip"}, timeout=10)
    assert truncated.status_code == 400 and _count(world, world.alpha) == before


def test_malformed_http_does_not_harm_the_service(world: EngineWorld) -> None:
    with socket.create_connection(("127.0.0.1", world.engine.port), timeout=10) as sock:
        sock.sendall(b"NOT HTTP AT ALL\r\n\x00\x01\r\n\r\n")
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.") and b" 400 " in reply.split(b"\r\n")[0]
    assert requests.get(world.url + "/ping", timeout=10).text == "Ok.\n"


def test_every_wrong_credential_gets_the_same_answer(world: EngineWorld) -> None:
    wrong = [
        {"X-ClickHouse-User": "lyceum_app", "X-ClickHouse-Key": "not-the-key"},
        {"X-ClickHouse-User": world.alpha.user, "X-ClickHouse-Key": world.beta.secret},
        {"X-ClickHouse-User": "nobody_app", "X-ClickHouse-Key": world.alpha.secret},
        {},
    ]
    bodies = set()
    before = _count(world, world.alpha)
    for headers in wrong:
        answer = _post(world, f"INSERT INTO {world.alpha.database}.readings VALUES "
                              "(900, 1, 'x')", headers=headers)
        bodies.add(_error(answer, 403, 516, "AUTHENTICATION_FAILED"))
    assert _count(world, world.alpha) == before
    assert bodies == {f"Code: 516. DB::Exception: {GENERIC_AUTH_FAILURE} "
                      f"(AUTHENTICATION_FAILED) (version {_version(world)})\n"}


def _version(world: EngineWorld) -> str:
    return _post(world, "SELECT version()").text.strip()


def test_basic_auth_and_url_credentials_sign_in(world: EngineWorld) -> None:
    cluster = world.alpha
    by_basic = requests.post(world.url, data="SELECT count() FROM readings",
                             auth=(cluster.user, cluster.secret), timeout=10)
    by_url = requests.post(world.url, params={"user": cluster.user, "password": cluster.secret},
                           data="SELECT count() FROM readings", timeout=10)
    assert by_basic.text == by_url.text == f"{_count(world, cluster)}\n"


def test_a_credential_reads_only_its_own_database(world: EngineWorld) -> None:
    alpha, beta = world.alpha, world.beta
    mine = _post(world, "SELECT DISTINCT label FROM readings", headers=_as(alpha))
    assert mine.text == "alpha\n"
    listed = _post(world, "SELECT database, name FROM system.tables ORDER BY name",
                   headers=_as(alpha))
    assert listed.text == f"{alpha.database}\treadings\n"
    assert _post(world, "SELECT name FROM system.databases", headers=_as(alpha)).text == \
        f"{alpha.database}\n"
    assert _post(world, f"SELECT count() FROM system.columns WHERE database = '{beta.database}'",
                 headers=_as(alpha)).text == "0\n"
    settings = _post(world, "SELECT name, value FROM system.settings WHERE name IN "
                            "('readonly', 'log_queries', 'max_threads')", headers=_as(alpha))
    assert sorted(settings.text.splitlines()) == ["max_threads\t2", "readonly\t1"]
    refusals = {
        _error(_post(world, f"SELECT * FROM {name}.readings", headers=_as(alpha)), 403, 497,
               "ACCESS_DENIED")
        for name in (beta.database, "no_such_database")}
    assert len(refusals) == 1  # a database that exists is refused like one that does not
    _error(_post(world, "SELECT 1", headers=_as(alpha), database=beta.database), 403, 497,
           "ACCESS_DENIED")
    _error(_post(world, "SELECT * FROM system.users", headers=_as(alpha)), 403, 497,
           "ACCESS_DENIED")
    _error(_post(world, "SELECT * FROM file('/etc/passwd', 'LineAsString')",
                 headers=_as(alpha)), 403, 497, "ACCESS_DENIED")


def test_a_string_literal_smuggles_nothing(world: EngineWorld) -> None:
    alpha, beta = world.alpha, world.beta
    answer = _post(world, f"SELECT 'system.tables', '{beta.database}.readings' FORMAT CSV",
                   headers=_as(alpha))
    assert answer.text == f'"system.tables","{beta.database}.readings"\n'
    quoted = _post(world, "SELECT name FROM system.tables WHERE database = "
                          f"'{beta.database}' OR database = '' FORMAT CSV",
                   headers=_as(alpha))
    assert quoted.text == ""


def test_a_credential_inserts_into_its_own_tables_only(world: EngineWorld) -> None:
    alpha, beta = world.alpha, world.beta
    before_a, before_b = _count(world, alpha), _count(world, beta)
    ok = requests.post(world.url, params={"query": "INSERT INTO readings (id, value, label) "
                                                   "FORMAT JSONEachRow"},
                       data='{"id": 90, "value": 1, "label": "mine"}\n', headers=_as(alpha),
                       timeout=10)
    assert ok.status_code == 200, ok.text
    values = _post(world, "INSERT INTO readings VALUES (91, 2, 'also mine')", headers=_as(alpha))
    assert values.status_code == 200, values.text
    assert _count(world, alpha) == before_a + 2
    for sql in (f"INSERT INTO {beta.database}.readings VALUES (1, 1, 'theirs')",
                f"INSERT INTO {beta.database}.readings SELECT * FROM readings",
                "INSERT INTO readings SELECT * FROM readings",
                "INSERT INTO FUNCTION file('x.csv') VALUES (1)",
                "INSERT INTO readings SETTINGS async_insert = 1 VALUES (1, 1, 'x')"):
        _error(_post(world, sql, headers=_as(alpha)), 403, 497, "ACCESS_DENIED")
    smuggled = _post(world, "INSERT INTO readings VALUES (92, (SELECT count() FROM "
                            f"{beta.database}.readings), 'x')", headers=_as(alpha))
    assert smuggled.status_code != 200
    assert (_count(world, alpha), _count(world, beta)) == (before_a + 2, before_b)
    _post(world, f"DELETE FROM {alpha.database}.readings WHERE id >= 90")


def test_a_credential_changes_no_schema_and_no_setting(world: EngineWorld) -> None:
    alpha = world.alpha
    for sql in ("CREATE TABLE extra (x UInt8) ENGINE = Memory", "DROP TABLE readings",
                "ALTER TABLE readings DELETE WHERE 1", "TRUNCATE TABLE readings",
                "SET max_threads = 64", "SELECT 1 SETTINGS max_threads = 64",
                "SYSTEM FLUSH LOGS"):
        answer = _post(world, sql, headers=_as(alpha))
        assert answer.status_code in (400, 403), (sql, answer.text)
    _error(_post(world, "SELECT 1", headers=_as(alpha), max_memory_usage="1"), 403, 164,
           "READONLY")
    assert _count(world, alpha) == 3
    listed = _post(world, f"SELECT name FROM system.tables WHERE database = '{alpha.database}'",
                   headers=_as(alpha))
    assert listed.text == "readings\n"


def test_metadata_statements_of_own_tables(world: EngineWorld) -> None:
    alpha, beta = world.alpha, world.beta
    assert _post(world, "EXISTS TABLE readings", headers=_as(alpha)).text == "1\n"
    described = _post(world, f"DESCRIBE TABLE {alpha.database}.readings", headers=_as(alpha))
    assert [line.split("\t")[0] for line in described.text.splitlines()] == ["id", "value",
                                                                             "label"]
    assert _post(world, "SHOW TABLES", headers=_as(alpha)).text == "readings\n"
    _error(_post(world, f"DESCRIBE TABLE {beta.database}.readings", headers=_as(alpha)), 403,
           497, "ACCESS_DENIED")
    _error(_post(world, f"EXISTS TABLE {beta.database}.readings", headers=_as(alpha)), 403,
           497, "ACCESS_DENIED")


def test_statements_are_audited(world: EngineWorld) -> None:
    from sqlalchemy import select

    from data.metadata.models import AuditEntry

    _post(world, "SELECT 1", headers=_as(world.beta))
    _post(world, "SELECT * FROM system.users", headers=_as(world.beta))

    def audited() -> bool:
        with world.db.session() as session:
            rows: list[Any] = list(session.execute(
                select(AuditEntry.action, AuditEntry.outcome).where(
                    AuditEntry.cluster_id == world.beta.id)))
        return ("engine.query", "success") in rows and ("engine.refused", "denied") in rows

    # the engine writes its audit entries in batches, off the request
    wait_until(audited, within=30, message="the statements were not audited")


@pytest.fixture(scope="module")
def tight(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EngineWorld]:
    """An engine with small bounds: 1 MB bodies, one statement per cluster, and cluster
    alpha's queries limited to 2 seconds."""
    env = {"LYCEUM_MAX_DECOMPRESSED_MB": "1", "LYCEUM_ENGINE_CLUSTER_QUERIES": "1"}
    with running_world(tmp_path_factory.mktemp("tight"), env=env) as found:
        with found.db.session() as session:
            cluster = memberships.get_cluster(session, found.alpha.id)
            assert cluster is not None
            cluster.query_limits = {"max_execution_time": 2}
            session.commit()
        yield found


def test_a_compressed_bomb_is_refused_and_inserts_nothing(tight: EngineWorld) -> None:
    database = tight.alpha.database
    before = _count(tight, tight.alpha)
    bomb = gzip.compress(b"1,1,x\n" * 2_000_000)  # 12 MB of rows in about 30 KB
    answer = requests.post(tight.url, params={"query": f"INSERT INTO {database}.readings "
                                                       "FORMAT CSV"},
                           data=bomb, headers={**_app(tight), "Content-Encoding": "gzip"},
                           timeout=30)
    _error(answer, 413, 307, "TOO_MANY_BYTES")
    assert _count(tight, tight.alpha) == before


def test_a_runaway_query_stops_at_the_clusters_time_limit(tight: EngineWorld) -> None:
    answer = _post(tight, "SELECT count() FROM numbers(100000000000)", headers=_as(tight.alpha))
    _error(answer, 500, 159, "TIMEOUT_EXCEEDED")


def test_a_cluster_beyond_its_concurrent_queries_is_refused_at_once(tight: EngineWorld) -> None:
    alpha = tight.alpha
    running = requests.post(tight.url, data="SELECT number FROM numbers(1000000000)",
                            headers=_as(alpha), stream=True, timeout=30)
    assert running.status_code == 200
    refused = _post(tight, "SELECT 1", headers=_as(alpha))
    _error(refused, 503, 202, "TOO_MANY_SIMULTANEOUS_QUERIES")
    assert _post(tight, "SELECT 1", headers=_as(tight.beta)).text == "1\n"  # others still run
    running.close()
    wait_until(lambda: _post(tight, "SELECT 1", headers=_as(alpha)).status_code == 200,
               within=30, every=0.5, message="the cluster's place was not given back")


def test_an_address_that_failed_too_often_must_wait(tight: EngineWorld) -> None:
    wrong = {"X-ClickHouse-User": tight.beta.user, "X-ClickHouse-Key": "wrong"}
    for _ in range(AUTH_FAILURE_LIMIT):
        _error(_post(tight, "SELECT 1", headers=wrong), 403, 516, "AUTHENTICATION_FAILED")
    _error(_post(tight, "SELECT 1", headers=_as(tight.beta)), 429, 201, "QUOTA_EXCEEDED")
    assert _post(tight, "SELECT 1").text == "1\n"  # the app's own key is not locked out


def test_the_service_refuses_to_front_a_clickhouse_server(instance_path: Path) -> None:
    settings = load_settings({"LYCEUM_INSTANCE": str(instance_path),
                              "LYCEUM_CLICKHOUSE_DSN": "https://u:p@ch.example:8443"})
    with pytest.raises(ConfigError, match="bundled engine only"):
        engine_runtime(settings)


def test_a_stopped_service_has_written_every_audit_entry(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    from sqlalchemy import func, select

    from data.metadata.models import AuditEntry

    with running_world(tmp_path_factory.mktemp("stopping")) as stopping:
        for _ in range(20):
            assert _post(stopping, "SELECT 1", headers=_as(stopping.alpha)).status_code == 200
        stopping.engine.stop()  # SIGTERM
        assert stopping.engine.proc is not None and stopping.engine.proc.returncode == 0
        with stopping.db.session() as session:
            written = session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "engine.query"))
    assert written == 20


def _change_cluster(world: EngineWorld, cluster: Cluster, **values: Any) -> None:
    with world.db.session() as session:
        row = memberships.get_cluster(session, cluster.id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()


def test_a_credentials_current_state_holds_from_its_next_statement(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    from lyceum.instance_secrets import InstanceSecrets

    with running_world(tmp_path_factory.mktemp("changing")) as changing:
        alpha, sql = changing.alpha, "SELECT id FROM readings ORDER BY id"
        for _ in range(3):  # the statement's plan and its prepared handle are kept now
            assert _post(changing, sql, headers=_as(alpha)).text == "1\n2\n3\n"
        _change_cluster(changing, alpha, query_limits={"max_result_rows": 1})
        _error(_post(changing, sql, headers=_as(alpha)), 500, 396, "TOO_MANY_ROWS_OR_BYTES")
        _change_cluster(changing, alpha, query_limits={})
        assert _post(changing, sql, headers=_as(alpha)).text == "1\n2\n3\n"

        keys = InstanceSecrets(load_settings(dict(changing.engine.env)).token_key)
        _change_cluster(changing, alpha, credential_hash=keys.hash_credential("rotated"))
        _error(_post(changing, sql, headers=_as(alpha)), 403, 516, "AUTHENTICATION_FAILED")
        rotated = {"X-ClickHouse-User": alpha.user, "X-ClickHouse-Key": "rotated"}
        assert _post(changing, sql, headers=rotated).text == "1\n2\n3\n"
        _change_cluster(changing, alpha, credential_hash=None)  # revoked
        _error(_post(changing, sql, headers=rotated), 403, 516, "AUTHENTICATION_FAILED")

        beta = changing.beta
        assert _post(changing, sql, headers=_as(beta)).status_code == 200
        _change_cluster(changing, beta, status="decommissioned")
        assert _post(changing, sql, headers=_as(beta)).status_code == 403


def test_the_engine_serves_with_more_than_1024_files_open(tmp_path: Path) -> None:
    """chDB's files share the engine's process; select() fails on a descriptor above 1023
    (it stopped the engine once the suite's clusters held ~1,000 files): the engine polls."""
    engine = EngineProcess(tmp_path / "instance")
    engine.instance.mkdir(parents=True)
    opener = ("import os, runpy, sys; held = [os.open(os.devnull, os.O_RDONLY) "
              "for _ in range(1100)]; sys.argv = ['lyceum', 'engine']; "
              "runpy.run_module('lyceum', run_name='__main__')")
    with (tmp_path / "engine.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-c", opener], cwd=ROOT, env=engine.env,
                                stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _pings(engine.url) or proc.poll() is not None, within=60,
                   message=lambda: (tmp_path / "engine.log").read_text())
        assert proc.poll() is None, (tmp_path / "engine.log").read_text()
        for _ in range(3):  # every answer goes through the poll loop with high descriptors
            assert requests.post(engine.url, data="SELECT 1", timeout=10, headers={
                "X-ClickHouse-User": "lyceum_app", "X-ClickHouse-Key": engine.key}).text == "1\n"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _pings(url: str) -> bool:
    try:
        return requests.get(f"{url}/ping", timeout=2).text == "Ok.\n"
    except requests.RequestException:
        return False
