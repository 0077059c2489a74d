"""Who calls the engine service: the app's key, a cluster's credential, or nobody."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from data.metadata import memberships
from data.metadata.models import AuditEntry, DatabaseCluster, utcnow
from lyceum.errors import NotAuthenticated
from lyceum.settings import ENGINE_APP_USER
from services.core import audit
from services.core.runtime import Runtime
from services.gateway.engine_access import AuditWriter, authenticate_caller
from services.gateway.sql import AUTH_FAILURE_LIMIT, QueryRefused, TooManyFailures

SECRET = "a-cluster-secret-of-some-length"


def _cluster(runtime: Runtime, *, status: str = "running") -> int:
    with runtime.db.session() as session:
        row = memberships.add_cluster(session, DatabaseCluster(
            name="plant_a", database_name="plant_a", cluster_type="manufacturing",
            region_code="local", status=status, nodes=1, vcpu_per_node=4,
            memory_gb_per_node=16, storage={"hot_gb": 10}, retention={},
            query_limits={"max_threads": 2, "max_execution_time": 7},
            credential_user="plant_a_app", credential_hash=runtime.keys.hash_credential(SECRET),
            credential_mode="app_gateway"))
        session.commit()
        return row.id


def _failures(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "gateway.authenticate")) or 0)


def test_the_apps_key_opens_everything(runtime: Runtime) -> None:
    caller = authenticate_caller(runtime, user=ENGINE_APP_USER,
                                 key=runtime.settings.engine_key)
    assert caller.is_app and caller.database is None


def test_a_credential_opens_its_cluster_with_its_limits(runtime: Runtime) -> None:
    cluster_id = _cluster(runtime)
    caller = authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.1")
    assert (caller.cluster_id, caller.database) == (cluster_id, "plant_a")
    assert caller.limits["max_execution_time"] == 7 and not caller.is_app


@pytest.mark.parametrize(("user", "key"), [
    ("plant_a_app", "wrong"), ("nobody", SECRET), (ENGINE_APP_USER, "wrong"), ("", "")])
def test_every_failure_reads_the_same_and_is_audited(runtime: Runtime, user: str,
                                                     key: str) -> None:
    _cluster(runtime)
    with pytest.raises(NotAuthenticated) as found:
        authenticate_caller(runtime, user=user, key=key, address="10.0.0.2")
    assert found.value.user_message == "The username or secret is not valid for this cluster."
    assert _failures(runtime) == 1


def test_an_address_that_failed_too_often_waits(runtime: Runtime) -> None:
    _cluster(runtime)
    for _ in range(AUTH_FAILURE_LIMIT):
        with pytest.raises(NotAuthenticated):
            authenticate_caller(runtime, user="plant_a_app", key="wrong", address="10.0.0.3")
    with pytest.raises(TooManyFailures):
        authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.3")
    assert authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.4")


def test_a_cluster_that_is_not_running_answers_nothing(runtime: Runtime) -> None:
    _cluster(runtime, status="failed")
    with pytest.raises(QueryRefused):
        authenticate_caller(runtime, user="plant_a_app", key=SECRET)


def _counting_verifications(runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = runtime.keys.verify_credential

    def counted(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        return real(*args, **kwargs)
    monkeypatch.setattr(runtime.keys, "verify_credential", counted)
    return calls


def test_a_secret_verified_a_moment_ago_skips_the_keyed_hash(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    _cluster(runtime)
    calls = _counting_verifications(runtime, monkeypatch)
    for _ in range(3):
        authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.5")
    assert len(calls) == 1
    authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.6")
    assert len(calls) == 2  # another address is checked in full


def test_a_rotated_secret_fails_at_the_next_statement(runtime: Runtime) -> None:
    cluster_id = _cluster(runtime)
    authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.7")
    with runtime.db.session() as session:
        row = session.get(DatabaseCluster, cluster_id)
        assert row is not None
        row.credential_hash = runtime.keys.hash_credential("the new secret, rotated")
        session.commit()
    with pytest.raises(NotAuthenticated):
        authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.7")
    assert _failures(runtime) == 1


def test_a_decommissioned_cluster_refuses_a_verified_secret(runtime: Runtime) -> None:
    cluster_id = _cluster(runtime)
    authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.8")
    with runtime.db.session() as session:
        row = session.get(DatabaseCluster, cluster_id)
        assert row is not None
        row.status = "decommissioned"
        session.commit()
    with pytest.raises(QueryRefused):
        authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.8")


def test_an_address_locked_out_is_refused_even_with_a_verified_secret(
        runtime: Runtime) -> None:
    _cluster(runtime)
    authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.9")
    for _ in range(AUTH_FAILURE_LIMIT):
        with pytest.raises(NotAuthenticated):
            authenticate_caller(runtime, user="plant_a_app", key="wrong", address="10.0.0.9")
    with pytest.raises(TooManyFailures):
        authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.0.9")


def _change(runtime: Runtime, cluster_id: int, **values: Any) -> None:
    with runtime.db.session() as session:
        row = session.get(DatabaseCluster, cluster_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()


def test_a_revoked_credential_fails_at_the_next_statement(runtime: Runtime) -> None:
    cluster_id = _cluster(runtime)
    authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.1.1")
    _change(runtime, cluster_id, credential_hash=None)
    with pytest.raises(NotAuthenticated):
        authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.1.1")


def test_a_lowered_limit_holds_from_the_next_statement(runtime: Runtime) -> None:
    cluster_id = _cluster(runtime)
    first = authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.1.2")
    _change(runtime, cluster_id, query_limits={"max_threads": 1, "max_execution_time": 3,
                                               "max_result_bytes": 1000})
    after = authenticate_caller(runtime, user="plant_a_app", key=SECRET, address="10.0.1.2")
    assert first.limits["max_execution_time"] == 7
    assert (after.limits["max_threads"], after.limits["max_execution_time"],
            after.limits["max_result_bytes"]) == (1, 3, 1000)


def _entries(runtime: Runtime, action: str) -> list[AuditEntry]:
    with runtime.db.session() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.id)))


def _submit(writer: AuditWriter, runtime: Runtime, n: int, action: str = "engine.query") -> None:
    writer.submit(runtime.db, action, audit.Actor(label="plant_a_app", ip="10.0.1.3"),
                  {"outcome": "success", "target_type": "cluster", "target_id": 1,
                   "cluster_id": 1, "detail": {"n": n}})


def test_the_audit_writer_writes_every_entry_in_order_with_its_time(runtime: Runtime) -> None:
    writer = AuditWriter()
    submitted = utcnow()
    for n in range(30):
        _submit(writer, runtime, n)
    assert writer.flush()
    written = _entries(runtime, "engine.query")
    assert [entry.detail for entry in written] == [{"n": n} for n in range(30)]
    assert all(abs(entry.created_at - submitted) < timedelta(seconds=5) for entry in written)
    with runtime.db.session() as session:
        assert audit.verify_chain(session).ok


def test_a_batch_that_fails_is_written_again(runtime: Runtime,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    failures = [1, 1]
    real = AuditWriter._write

    def flaky(batch: Any) -> None:
        if failures:
            failures.pop()
            raise RuntimeError("database is locked")
        real(batch)
    monkeypatch.setattr(AuditWriter, "_write", staticmethod(flaky))
    monkeypatch.setattr(AuditWriter, "RETRY_S", (0.0, 0.0, 0.0))
    writer = AuditWriter()
    for n in range(5):
        _submit(writer, runtime, n)
    assert writer.flush()
    assert [entry.detail for entry in _entries(runtime, "engine.query")] == [
        {"n": n} for n in range(5)]


def test_an_entry_that_cannot_be_written_is_logged_and_the_others_are_written(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    real = AuditWriter._write

    def refusing(batch: Any) -> None:
        if any(pending.detail == {"n": 2} for _db, pending in batch):
            raise RuntimeError("refused")
        real(batch)
    monkeypatch.setattr(AuditWriter, "_write", staticmethod(refusing))
    monkeypatch.setattr(AuditWriter, "RETRY_S", (0.0,))
    writer = AuditWriter()
    with caplog.at_level(logging.ERROR, logger="services.gateway.engine_access"):
        for n in range(4):
            _submit(writer, runtime, n)
        assert writer.flush()
    assert [entry.detail for entry in _entries(runtime, "engine.query")] == [
        {"n": n} for n in (0, 1, 3)]
    assert any("could not write an engine audit entry" in r.getMessage()
               and "'n': 2" in r.getMessage() for r in caplog.records)


def test_after_close_entries_are_written_at_once(runtime: Runtime) -> None:
    writer = AuditWriter()
    _submit(writer, runtime, 0)
    assert writer.close()
    _submit(writer, runtime, 1, action="engine.insert")  # a statement that ended while stopping
    assert [entry.detail for entry in _entries(runtime, "engine.insert")] == [{"n": 1}]
    assert len(_entries(runtime, "engine.query")) == 1
