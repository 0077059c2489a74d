"""The gateway lets a cluster's credential read that cluster's tables and nothing else."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from data.analytics import cluster_ops
from data.analytics.clickhouse import ClickHouse
from data.metadata import memberships
from data.metadata.db import Database
from lyceum.errors import AppError, NotAuthenticated, ValidationError
from lyceum.settings import load_settings
from services.access.accounts import create_user
from services.clusters import credentials, rules
from services.clusters.request import ClusterSpec, MemberGrant
from services.core.audit import Actor
from services.core.passwords import Passwords
from services.core.runtime import Runtime
from services.gateway import sql as gateway
from services.provisioning import deploy


@dataclass(frozen=True)
class Deployed:
    """Two running clusters: ``gate_a`` (with sample data) and ``gate_b``."""

    runtime: Runtime
    a: int
    a_secret: str
    b: int
    b_secret: str

    def query(self, sql: str) -> list[dict[str, object]]:
        """Run ``sql`` with cluster A's credential."""
        return gateway.run_gateway_query(self.runtime, cluster_id=self.a, username="gate_a_app",
                                         secret=self.a_secret, sql=sql).to_pylist()


def _deploy(runtime: Runtime, name: str, *, user_id: int, sample: bool) -> tuple[int, str]:
    spec = rules.apply_preset(
        ClusterSpec(name=name, members=(MemberGrant(user_id, "admin"),),
                    load_sample_data=sample), "development")
    cluster_id = deploy.record_cluster(runtime, spec, actor=Actor(user_id=user_id))
    assert deploy.run_provisioning(runtime, cluster_id)
    pending = credentials.pending_secret(runtime, cluster_id, actor=Actor(user_id=user_id))
    assert pending is not None
    return cluster_id, pending.secret


@pytest.fixture(scope="module")
def deployed(ch: ClickHouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    root = tmp_path_factory.mktemp("gateway")
    settings = load_settings({"LYCEUM_INSTANCE": str(root / "instance"), "LYCEUM_DEMO": "off"})
    db = Database(f"sqlite:///{root / 'meta.db'}")
    db.migrate()
    runtime = Runtime(settings=settings, db=db, ch=ch,
                      passwords=Passwords(time_cost=1, memory_kib=8192, parallelism=1))
    user = create_user(db, runtime.passwords, email="gate@example.com",
                       password="correct horse battery")
    try:
        a, a_secret = _deploy(runtime, "Gate A", user_id=user.id, sample=True)
        b, b_secret = _deploy(runtime, "Gate B", user_id=user.id, sample=False)
        yield Deployed(runtime, a, a_secret, b, b_secret)
    finally:
        for database in ("gate_a", "gate_b"):
            cluster_ops.drop_database(ch, database)
        db.dispose()


ALLOWED = [
    ("SELECT count() AS n FROM parts", [{"n": 300}]),
    ("SELECT count() AS n FROM gate_a.parts", [{"n": 300}]),
    ("select count() as n from parts /* ; DROP DATABASE gate_b */", [{"n": 300}]),
    ("WITH t AS (SELECT 1 AS x) SELECT x FROM t", [{"x": 1}]),
    ("SELECT sum(parts) AS n FROM hourly_yield", [{"n": 300}]),
    ("SELECT count() AS n FROM numbers(10)", [{"n": 10}]),
    ("SELECT currentDatabase() AS d", [{"d": "gate_a"}]),
    ("SELECT getSetting('readonly') AS r", [{"r": 1}]),
    # Aliases and case-insensitive names of allowed functions, and aggregate combinators.
    ("SELECT COUNT(*) AS n, lcase('AB') AS l, substr('abc', 2) AS s FROM parts",
     [{"n": 300, "l": "ab", "s": "bc"}]),
    ("SELECT countIf(result = 'OK') > 0 AS a, count(DISTINCT result) > 0 AS b, "
     "uniqExactIf(serial, 1) AS u FROM parts", [{"a": True, "b": True, "u": 300}]),
    ("SELECT arraySum(arrayMap(x -> x * 2, [1, 2, 3])) AS s", [{"s": 12}]),
    ("SELECT count() AS n FROM parts WHERE serial IN (SELECT serial FROM parts)",
     [{"n": 300}]),
    ("SELECT count() = countIf(result IN ('OK', 'NOK')) AS same FROM parts "
     "WHERE result IN ('OK', 'NOK')", [{"same": True}]),
]


@pytest.mark.parametrize(("sql", "expected"), ALLOWED)
def test_reads_of_the_own_database_are_answered(deployed: Deployed, sql: str,
                                                expected: list[dict[str, object]]) -> None:
    assert deployed.query(sql) == expected


def test_the_cluster_limits_apply(deployed: Deployed) -> None:
    (row,) = deployed.query("SELECT getSetting('max_threads') AS t, "
                            "getSetting('max_memory_usage') AS m")
    with deployed.runtime.db.session() as session:
        cluster = memberships.get_cluster(session, deployed.a)
        assert cluster is not None
        limits = cluster.query_limits
    assert (row["t"], row["m"]) == (limits["max_threads"], limits["max_memory_usage"])


OTHER_DATABASE = "Only the tables of the database “gate_a” can be queried."
NOT_A_QUERY = "Only a single SELECT query (optionally starting with WITH) is allowed."
NOT_ONE_STATEMENT = "The query is not exactly one valid SQL statement."
REFUSED = [
    ("SELECT * FROM system.users", OTHER_DATABASE),
    ("SELECT name FROM system.tables", OTHER_DATABASE),
    ("SELECT * FROM `system`.`users`", OTHER_DATABASE),
    ('SELECT * FROM "system".users', OTHER_DATABASE),
    ("SELECT * FROM INFORMATION_SCHEMA.TABLES", OTHER_DATABASE),
    ("SELECT * FROM gate_b.parts", OTHER_DATABASE),
    ("SELECT * FROM parts AS p JOIN gate_b.parts AS q USING part_id", OTHER_DATABASE),
    ("SELECT (SELECT count() FROM gate_b.parts)", OTHER_DATABASE),
    ("SELECT 1 UNION ALL SELECT count() FROM system.users", OTHER_DATABASE),
    ("SELECT count() FROM parts WHERE serial IN (SELECT name FROM system.users)",
     OTHER_DATABASE),
    ("WITH x AS (SELECT * FROM system.users) SELECT * FROM x", OTHER_DATABASE),
    ("SELECT * FROM parts; DROP DATABASE gate_b", NOT_ONE_STATEMENT),
    ("SELECT 1 -- comment\n; DROP DATABASE gate_b", NOT_ONE_STATEMENT),
    ("SELECT 1; SELECT 2", NOT_ONE_STATEMENT),
    ("SELECT 'unterminated", NOT_ONE_STATEMENT),
    ("INSERT INTO parts SELECT * FROM parts", NOT_A_QUERY),
    ("DROP DATABASE gate_b", NOT_A_QUERY),
    ("CREATE TABLE t2 (x UInt8) ENGINE = Memory", NOT_A_QUERY),
    ("SET readonly = 0", NOT_A_QUERY),
    ("SHOW TABLES", NOT_A_QUERY),
    ("SELECT * FROM parts INTO OUTFILE '/tmp/lyceum_gateway_outfile'", NOT_A_QUERY),
    ("SELECT * FROM parts FORMAT CSV", NOT_A_QUERY),
    ("SELECT * FROM parts SETTINGS readonly = 0",
     "Queries may not change settings (no SETTINGS clause)."),
    ("SELECT * FROM file('/etc/passwd', 'LineAsString')", "table function file()"),
    ("SELECT * FROM url('http://127.0.0.1:9/', CSV, 'a String')", "table function url()"),
    ("SELECT * FROM remote('127.0.0.1', system.users)", "table function remote()"),
    ("SELECT * FROM merge('system', '.*')", "table function merge()"),
    ("SELECT * FROM view(SELECT * FROM system.users)", "table function view()"),
    ("SELECT * FROM executable('id', 'LineAsString', 'x String')",
     "table function executable()"),
    ("EXPLAIN SELECT 1", "table function viewExplain()"),
    ("SELECT file('/etc/passwd')", "The function file() is not allowed"),
    ("SELECT dictGet('gate_b.d', 'x', 1)", "The function dictGet() is not allowed"),
    ("SELECT joinGet('gate_b.parts', 'serial', 1)", "The function joinGet() is not allowed"),
    ("SELECT hostName()", "The function hostName() is not allowed"),
    # Allow lists, not deny lists: aliases of refused functions and unknown names stay out.
    ("SELECT fullHostName()", "The function fullHostName() is not allowed"),
    ("SELECT FQDN()", "The function FQDN() is not allowed"),
    ("SELECT someFunctionAddedNextYear(1)", "someFunctionAddedNextYear() is not allowed"),
    ("SELECT sleepEachRow(3) FROM numbers(10)", "The function sleepEachRow() is not allowed"),
    ("SELECT throwIf(1)", "The function throwIf() is not allowed"),
    ("SELECT hasColumnInTable('gate_b', 'parts', 'serial')",
     "The function hasColumnInTable() is not allowed"),
    ("SELECT count() FROM parts WHERE serial IN gate_b.parts", gateway.IN_NEEDS_LIST),
    ("SELECT count() FROM parts WHERE serial NOT IN parts", gateway.IN_NEEDS_LIST),
    ("SELECT count() FROM parts WHERE serial GLOBAL IN gate_b.parts", gateway.IN_NEEDS_LIST),
    ("SELECT * FROM `system.users`", OTHER_DATABASE),
    ("SELECT * FROM `gate_a.x`.`parts`", OTHER_DATABASE),
    ("SELECT * APPLY(hostName) FROM parts", "does not accept this kind of SQL"),
]


@pytest.mark.parametrize(("sql", "message"), REFUSED)
def test_hostile_queries_are_refused_and_change_nothing(deployed: Deployed, sql: str,
                                                        message: str) -> None:
    with pytest.raises(AppError) as refused:
        deployed.query(sql)
    assert isinstance(refused.value, gateway.QueryRefused | ValidationError)
    assert message in refused.value.user_message
    ch = deployed.runtime.ch
    assert {"gate_a", "gate_b"} <= cluster_ops.list_databases(ch)
    assert ch.scalar("SELECT count() FROM gate_a.parts") == 300
    assert ch.scalar("SELECT getSetting('readonly')") == 0
    assert ch.scalar("SELECT currentDatabase()") == "default"
    assert not os.path.exists("/tmp/lyceum_gateway_outfile")


#: Pairs of refused queries: one names something that exists elsewhere, one names nothing.
ORACLE_PAIRS = [
    ("SELECT * FROM gate_b.parts", "SELECT * FROM no_such_db.parts"),
    ("SELECT count() FROM parts WHERE serial IN gate_b.parts",
     "SELECT count() FROM parts WHERE serial IN no_such_db.parts"),
    ("SELECT (SELECT throwIf(('x') IN gate_b.hourly_yield))",
     "SELECT (SELECT throwIf(('x') IN no_such_db.hourly_yield))"),
    ("SELECT (SELECT count() FROM gate_b.parts WHERE serial = 'S-1' AND throwIf(1))",
     "SELECT (SELECT count() FROM gate_b.parts WHERE serial = 'nope' AND throwIf(1))"),
    ("SELECT gate_b.parts.serial FROM parts", "SELECT no_such_db.parts.serial FROM parts"),
]


@pytest.mark.parametrize(("there", "nothing"), ORACLE_PAIRS)
def test_refusals_look_the_same_whatever_exists_elsewhere(deployed: Deployed, there: str,
                                                          nothing: str) -> None:
    answers = []
    for sql in (there, nothing):
        with pytest.raises(AppError) as refused:
            deployed.query(sql)
        answers.append((type(refused.value), refused.value.status_code,
                        refused.value.user_message.replace("no_such_db", "gate_b")))
    assert answers[0] == answers[1]


@pytest.mark.parametrize("sql", [
    "SELECT (SELECT throwIf(count() > 0) FROM gate_b.parts)",
    "SELECT count() FROM parts WHERE serial IN gate_b.parts",
    "SELECT fullHostName()",
    "SELECT (SELECT count() FROM system.users) SETTINGS readonly = 0",
])
def test_nothing_of_a_refused_query_is_analysed_or_run(
        deployed: Deployed, sql: str, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[str] = []
    real_run = ClickHouse._run

    def spy(self: ClickHouse, method: str, *args: object, **kwargs: object) -> object:
        sent.append(str(args[0]) if args else "")
        return real_run(self, method, *args, **kwargs)

    monkeypatch.setattr(ClickHouse, "_run", spy)
    with pytest.raises(gateway.QueryRefused):
        deployed.query(sql)
    parsed_only = [s for s in sent if "gate_b" in s or "Host" in s
                   or "system.users" in s]
    assert parsed_only, sent
    assert all(s.startswith(("SELECT formatQuerySingleLine(", "EXPLAIN AST "))
               for s in parsed_only), sent
    assert not [s for s in sent if s.startswith(("EXPLAIN QUERY TREE", "SELECT * FROM ("))]


def test_a_result_is_bounded_in_rows_and_bytes(deployed: Deployed) -> None:
    rows = deployed.query("SELECT number FROM numbers(1000000)")
    assert len(rows) == gateway.MAX_ROWS_RETURNED + 1
    with pytest.raises(gateway.QueryLimitExceeded) as stopped:
        deployed.query("SELECT repeat('x', 900000 + number) AS big FROM numbers(200)")
    assert stopped.value.user_message == (
        f"The result is larger than the gateway returns ({gateway.MAX_RESULT_BYTES:,} bytes); "
        "select fewer columns or rows.")


def test_an_engine_error_names_its_code_only(deployed: Deployed) -> None:
    with pytest.raises(gateway.QueryFailed) as failed:
        deployed.query("SELECT * FROM no_such_table")
    assert failed.value.user_message == (
        "The query could not be run in the database “gate_a” (UNKNOWN_TABLE).")


def test_queries_and_refusals_are_audited(deployed: Deployed) -> None:
    from data.metadata.audit import list_entries

    deployed.query("SELECT count() AS n FROM parts")
    with pytest.raises(gateway.QueryRefused):
        deployed.query("SELECT hostName()")
    with deployed.runtime.db.session() as session:
        ran = list_entries(session, action="gateway.query", limit=1)[0]
        refused = list_entries(session, action="gateway.refused", limit=1)[0]
    assert (ran.outcome, ran.cluster_id, ran.actor) == ("success", deployed.a, "gate_a_app")
    assert ran.detail["rows"] == 1 and ran.detail["sql"] == "SELECT count() AS n FROM parts"
    assert (refused.outcome, refused.detail["sql"]) == ("denied", "SELECT hostName()")


def test_an_address_that_fails_too_often_waits_and_others_do_not(deployed: Deployed) -> None:
    def attempt(secret: str, address: str) -> None:
        gateway.run_gateway_query(deployed.runtime, cluster_id=deployed.a,
                                  username="gate_a_app", secret=secret, sql="SELECT 1",
                                  address=address)

    for _ in range(gateway.AUTH_FAILURE_LIMIT):
        with pytest.raises(NotAuthenticated):
            attempt("wrong", "203.0.113.7")
    with pytest.raises(gateway.TooManyFailures):
        attempt(deployed.a_secret, "203.0.113.7")
    attempt(deployed.a_secret, "203.0.113.8")


@pytest.mark.parametrize("sql", ["", "   ", "SELECT 1" + " " * gateway.MAX_QUERY_CHARS])
def test_empty_or_huge_text_is_refused(deployed: Deployed, sql: str) -> None:
    with pytest.raises(ValidationError):
        deployed.query(sql)


def test_credentials_open_only_their_own_cluster(deployed: Deployed) -> None:
    attempts = [
        (deployed.a, "gate_a_app", deployed.b_secret),
        (deployed.a, "gate_b_app", deployed.b_secret),
        (deployed.b, "gate_b_app", deployed.a_secret),
        (deployed.a, "gate_a_app", ""),
        (deployed.a, "default", deployed.a_secret),
        (9999, "gate_a_app", deployed.a_secret),
    ]
    for cluster_id, username, secret in attempts:
        with pytest.raises(NotAuthenticated) as refused:
            gateway.run_gateway_query(deployed.runtime, cluster_id=cluster_id,
                                      username=username, secret=secret, sql="SELECT 1")
        assert refused.value.user_message == gateway.GENERIC_AUTH_FAILURE


def test_a_cluster_that_is_not_running_refuses_queries(deployed: Deployed) -> None:
    with deployed.runtime.db.session() as session:
        cluster = memberships.get_cluster(session, deployed.b)
        assert cluster is not None
        cluster.status = "decommissioned"
    try:
        with pytest.raises(gateway.QueryRefused) as refused:
            gateway.run_gateway_query(deployed.runtime, cluster_id=deployed.b,
                                      username="gate_b_app", secret=deployed.b_secret,
                                      sql="SELECT 1")
        assert refused.value.user_message == (
            "The cluster “Gate B” is decommissioned; only running clusters answer queries.")
    finally:
        with deployed.runtime.db.session() as session:
            cluster = memberships.get_cluster(session, deployed.b)
            assert cluster is not None
            cluster.status = "running"


def test_a_query_over_the_time_limit_is_stopped(deployed: Deployed) -> None:
    with deployed.runtime.db.session() as session:
        cluster = memberships.get_cluster(session, deployed.b)
        assert cluster is not None
        saved = dict(cluster.query_limits)
        cluster.query_limits = {**saved, "max_execution_time": 1}
    try:
        with pytest.raises(gateway.QueryLimitExceeded) as stopped:
            gateway.run_gateway_query(deployed.runtime, cluster_id=deployed.b,
                                      username="gate_b_app", secret=deployed.b_secret,
                                      sql="SELECT count() FROM numbers(100000000000)")
        assert stopped.value.user_message == "The query ran longer than this cluster allows (1 s)."
    finally:
        with deployed.runtime.db.session() as session:
            cluster = memberships.get_cluster(session, deployed.b)
            assert cluster is not None
            cluster.query_limits = saved


def test_failed_sign_ins_are_audited(deployed: Deployed) -> None:
    from data.metadata.audit import list_entries

    with pytest.raises(NotAuthenticated):
        gateway.run_gateway_query(deployed.runtime, cluster_id=deployed.a,
                                  username="gate_a_app", secret="wrong", sql="SELECT 1")
    with deployed.runtime.db.session() as session:
        entry = list_entries(session, action="gateway.authenticate", limit=1)[0]
    assert (entry.outcome, entry.cluster_id, entry.actor) == ("failure", deployed.a, "gate_a_app")


def test_the_syntax_tree_check_is_pure() -> None:
    lines = ["SelectWithUnionQuery (children 1)", " ExpressionList (children 1)",
             "  SelectQuery (children 2)", "   ExpressionList (children 1)", "    Asterisk",
             "   TablesInSelectQuery (children 1)", "    TablesInSelectQueryElement (children 1)",
             "     TableExpression (children 1)", "      Function numbers (children 1)"]
    facts = gateway.FunctionFacts.from_rows([])
    gateway.check_syntax_tree(lines, database="gate_a", tables=["parts"], functions=facts)
    gateway.check_syntax_tree([*lines[:-1], "      TableIdentifier gate_a.parts"],
                              database="gate_a", tables=["parts"], functions=facts)
    for last in ("      Function s3 (children 1)", "      TableIdentifier other.parts",
                 "      TableIdentifier gate_a.secret", "      Unexpected (children 1)"):
        with pytest.raises(gateway.QueryRefused):
            gateway.check_syntax_tree([*lines[:-1], last], database="gate_a",
                                      tables=["parts"], functions=facts)


def test_function_facts_follow_aliases_and_case() -> None:
    facts = gateway.FunctionFacts.from_rows([
        ("lower", "", True, False), ("lcase", "lower", True, False),
        ("FQDN", "", True, False), ("fullHostName", "FQDN", False, False),
        ("sum", "", True, True)])
    assert facts.canonical("LCASE") == "lower"
    assert facts.canonical("fullHostName") == "FQDN"
    assert facts.canonical("FULLHOSTNAME") is None
    assert facts.canonical("nothingLikeThis") is None
