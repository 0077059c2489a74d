"""The gateway lets a cluster's credential read that cluster's tables and nothing else."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from auth.passwords import Passwords
from data import cluster_ops, memberships
from data.clickhouse import ClickHouse
from data.db import Database
from lyceum.errors import AppError, NotAuthenticated, ValidationError
from lyceum.settings import load_settings
from services import cluster_rules, credentials, gateway, provisioning
from services.accounts import create_user
from services.audit import Actor
from services.cluster_spec import ClusterSpec, MemberGrant
from services.runtime import Runtime


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
    spec = cluster_rules.apply_preset(
        ClusterSpec(name=name, members=(MemberGrant(user_id, "admin"),),
                    load_sample_data=sample), "development")
    cluster_id = provisioning.record_cluster(runtime, spec, actor=Actor(user_id=user_id))
    assert provisioning.run_provisioning(runtime, cluster_id)
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
    ("SELECT * FROM no_such_table", "could not be analysed in the database “gate_a” "
                                    "(UNKNOWN_TABLE)"),
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
    from data.audit import list_entries

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
    gateway.check_syntax_tree(lines, database="gate_a")
    with pytest.raises(gateway.QueryRefused):
        gateway.check_syntax_tree([*lines[:-1], "      Function s3 (children 1)"],
                                  database="gate_a")
    with pytest.raises(gateway.QueryRefused):
        gateway.check_syntax_tree([*lines[:-1], "      TableIdentifier other.parts"],
                                  database="gate_a")

