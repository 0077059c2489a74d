"""The SQL console service: role-aware runs, held pages, exports, history, audit."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select

from data.analytics.clickhouse import ClickHouse
from data.metadata.models import AuditEntry
from lyceum.errors import Forbidden, NotFound, ValidationError
from services.core.audit import Actor
from services.core.work_pools import Busy
from services.gateway import console
from services.gateway.sql import QueryFailed, QueryRefused
from tests.services.sql_console_world import World, console_world


@pytest.fixture(scope="module")
def world(ch: ClickHouse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with console_world(tmp_path_factory.mktemp("console"), ch, prefix="ctest") as found:
        yield found


def _run(world: World, sql: str, *, user: int | None = None, role: str = "viewer"
         ) -> console.RunResult:
    who = world.viewer if user is None else user
    return console.run_statement(world.runtime, world.a, user_id=who, role=role, sql=sql,
                                 actor=Actor(user_id=who, label=f"user {who}"))


def test_a_query_is_held_paged_and_described(world: World) -> None:
    result = _run(world, "SELECT number AS n, toString(number) AS s FROM numbers(95)")
    assert (result.kind, result.columns, result.total_rows) == ("query", ("n", "s"), 95)
    assert not result.truncated and result.rows_read == 95 and result.elapsed_ms >= 0
    page = console.result_page(world.runtime, world.a, user_id=world.viewer,
                               run_id=result.run_id, page=1, page_size=25)
    assert (page.page, page.pages, page.total_rows) == (1, 4, 95)
    assert page.rows[0] == ["25", "25"] and len(page.rows) == 25
    last = console.result_page(world.runtime, world.a, user_id=world.viewer,
                               run_id=result.run_id, page=99, page_size=50)
    assert (last.page, len(last.rows), last.rows[-1]) == (1, 45, ["94", "94"])


def test_results_are_capped_and_said_to_be(world: World) -> None:
    result = _run(world, "SELECT number FROM numbers(20000)")
    assert (result.total_rows, result.truncated) == (console.MAX_ROWS, True)
    page = console.result_page(world.runtime, world.a, user_id=world.viewer,
                               run_id=result.run_id, page=0, page_size=10)
    assert page.truncated and page.total_rows == console.MAX_ROWS


def test_a_result_is_only_readable_by_its_member_on_its_cluster(world: World) -> None:
    result = _run(world, "SELECT 1 AS one")
    for user, cluster in ((world.editor, world.a), (world.viewer, world.b)):
        with pytest.raises(NotFound, match="no longer held"):
            console.result_page(world.runtime, cluster, user_id=user, run_id=result.run_id,
                                page=0, page_size=10)
    for forged in ("../../etc", "x" * 200, ""):
        with pytest.raises(NotFound):
            console.export(world.runtime, world.a, user_id=world.viewer, run_id=forged,
                           fmt="csv")
    with pytest.raises(ValidationError, match="page size"):
        console.result_page(world.runtime, world.a, user_id=world.viewer,
                            run_id=result.run_id, page=0, page_size=10_000)


def test_exports_are_csv_and_parquet(world: World) -> None:
    result = _run(world, "SELECT number AS n, 'a,b' AS s FROM numbers(3)")
    csv = console.export(world.runtime, world.a, user_id=world.viewer, run_id=result.run_id,
                         fmt="csv")
    assert csv.filename.endswith(".csv") and csv.mimetype == "text/csv"
    assert csv.content.decode().splitlines() == ['"n","s"', '0,"a,b"', '1,"a,b"', '2,"a,b"']
    parquet = console.export(world.runtime, world.a, user_id=world.viewer,
                             run_id=result.run_id, fmt="parquet")
    table = pq.read_table(io.BytesIO(parquet.content))
    assert table.to_pylist() == [{"n": i, "s": "a,b"} for i in range(3)]
    with pytest.raises(ValidationError, match="CSV or Parquet"):
        console.export(world.runtime, world.a, user_id=world.viewer, run_id=result.run_id,
                       fmt="xlsx")


def test_a_viewer_cannot_insert_and_nothing_is_written(world: World) -> None:
    ch = world.runtime.ch
    before = ch.scalar("SELECT count() FROM ctest_a.parts")
    with pytest.raises(Forbidden) as refused:
        _run(world, "INSERT INTO parts (part_id, serial) VALUES (9, 'viewer')", role="viewer")
    assert refused.value.user_message == console.NEEDS_EDITOR.format(role="viewer")
    with pytest.raises(Forbidden):
        _run(world, "INSERT INTO parts (part_id) SELECT 1", role="analyst")
    assert ch.scalar("SELECT count() FROM ctest_a.parts") == before


def test_an_editor_inserts_values_and_selects(world: World) -> None:
    ch = world.runtime.ch
    before = ch.scalar("SELECT count() FROM ctest_a.parts")
    # Rows need a recent time stamp: the cluster's retention deletes old ones on insert.
    result = _run(world, "INSERT INTO parts (part_id, serial, ts) VALUES "
                         "(900001, 'console-1', '2026-12-01 08:00:00'), "
                         "(900002, 'console-2', '2026-12-01 09:00:00')",
                  user=world.editor, role="editor")
    assert result.kind == "insert" and result.columns == ()
    _run(world, "INSERT INTO parts (part_id, serial, ts) SELECT part_id + 1, 'console-3', ts "
                "FROM parts WHERE serial = 'console-2'", user=world.editor, role="editor")
    assert ch.scalar("SELECT count() FROM ctest_a.parts") == before + 3
    assert ch.scalar("SELECT count() FROM ctest_b.parts") == 0
    assert ch.rows("SELECT serial, toString(ts) FROM ctest_a.parts WHERE part_id = 900003") \
        == [("console-3", "2026-12-01 09:00:00.000")]
    with pytest.raises(QueryRefused, match="ctest_a"):
        _run(world, "INSERT INTO ctest_b.parts (part_id) VALUES (1)", user=world.admin,
             role="admin")


def test_values_are_typed_like_the_target_columns(world: World) -> None:
    ch = world.runtime.ch
    _run(world, "INSERT INTO parts (part_id, serial, ts, result, first_pass) VALUES "
                "(900101, 'typed-1', '2026-12-02 10:00:00.250', 'NOK', 0)",
         user=world.editor, role="editor")
    assert ch.rows("SELECT toString(result), first_pass, toString(ts) FROM ctest_a.parts "
                   "WHERE serial = 'typed-1'") == [("NOK", 0, "2026-12-02 10:00:00.250")]
    with pytest.raises(QueryFailed):
        _run(world, "INSERT INTO parts (part_id, serial, ts, result) VALUES "
                    "(900102, 'typed-2', '2026-12-02 10:00:00', 'NOT_IN_ENUM')",
             user=world.editor, role="editor")
    assert ch.scalar("SELECT count() FROM ctest_a.parts WHERE serial = 'typed-2'") == 0


def test_engine_errors_and_refusals_are_clear(world: World) -> None:
    with pytest.raises(QueryFailed, match=r"UNKNOWN_IDENTIFIER"):
        _run(world, "SELECT no_such_column FROM parts")
    with pytest.raises(QueryRefused, match="Only the tables of the database"):
        _run(world, "SELECT * FROM system.users")
    with pytest.raises(ValidationError, match="Type a statement"):
        _run(world, "   ")
    with pytest.raises(QueryRefused, match="Only a single SELECT"):
        _run(world, "DROP TABLE parts", user=world.admin, role="admin")
    assert world.runtime.ch.scalar("SELECT count() FROM system.tables "
                                   "WHERE database = 'ctest_a' AND name = 'parts'") == 1


def test_a_cluster_running_its_share_of_queries_is_told_to_wait(world: World) -> None:
    release = threading.Event()
    pools = world.runtime.pools
    share = world.runtime.settings.pools.per_cluster
    held = [pools.submit("gateway", release.wait, cluster_id=world.a) for _ in range(share)]
    try:
        with pytest.raises(Busy, match=f"already runs {share} queries"):
            _run(world, "SELECT 'waits' AS w")
        other = console.run_statement(world.runtime, world.b, user_id=world.editor,
                                      role="admin", sql="SELECT 1 AS one",
                                      actor=Actor(user_id=world.editor))
        assert other.total_rows == 1  # another cluster is not held up
    finally:
        release.set()
        for future in held:
            future.result(timeout=10)
    items = console.history(world.runtime, world.a, user_id=world.viewer)
    assert (items[0].sql, items[0].outcome) == ("SELECT 'waits' AS w", "failed")


def test_history_is_newest_first_bounded_and_private(world: World) -> None:
    for i in range(console.HISTORY_LENGTH + 3):
        _run(world, f"SELECT {i} AS i", user=world.admin, role="admin")
    items = console.history(world.runtime, world.a, user_id=world.admin)
    assert len(items) == console.HISTORY_LENGTH
    assert items[0].sql == f"SELECT {console.HISTORY_LENGTH + 2} AS i"
    assert items[0].outcome == "ok" and items[0].rows == 1
    assert console.history_statement(world.runtime, world.a, user_id=world.admin,
                                     entry_id=items[3].id) == items[3].sql
    with pytest.raises(NotFound):
        console.history_statement(world.runtime, world.a, user_id=world.viewer,
                                  entry_id=items[0].id)
    assert console.history(world.runtime, world.b, user_id=world.admin) == []


def test_runs_are_audited_like_the_gateway(world: World) -> None:
    _run(world, "SELECT 42 AS answer")
    with pytest.raises(QueryRefused):
        _run(world, "SELECT * FROM ctest_b.parts")
    with world.runtime.db.session() as session:
        rows = list(session.scalars(select(AuditEntry).where(
            AuditEntry.cluster_id == world.a).order_by(AuditEntry.id.desc()).limit(2)))
    refused, ran = rows
    assert (refused.action, refused.outcome) == ("gateway.refused", "denied")
    assert (ran.action, ran.outcome) == ("gateway.query", "success")
    assert ran.detail["via"] == "console" and ran.detail["sql"] == "SELECT 42 AS answer"
    assert ran.actor_user_id == world.viewer


def test_a_stopped_cluster_answers_nothing(world: World) -> None:
    with pytest.raises(NotFound):
        console.schema(world.runtime, 987_654)
    tables = {t.name: t for t in console.schema(world.runtime, world.a)}
    assert "parts" in tables and ("serial", "String") in tables["parts"].columns
