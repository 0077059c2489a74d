"""The start-up check of a ClickHouse server: its version, then the statements the app needs
(run here against the real engine service, which answers as a server would)."""

from __future__ import annotations

import pytest

from data.analytics.clickhouse import ClickHouse
from lyceum.errors import ConfigError
from services.startup.server_check import (
    MIN_SERVER_VERSION,
    check_server,
    version_problem,
    version_tuple,
)


def test_versions_are_compared_by_major_and_minor() -> None:
    assert MIN_SERVER_VERSION == (24, 3)
    assert version_tuple("24.8.4.13") == (24, 8) and version_tuple("x") is None
    assert version_problem("24.3.1.1") is None and version_problem("26.9.2.1") is None
    assert version_problem("18.16.1") == ("The ClickHouse server is version 18.16.1; Lyceum "
                                          "needs ClickHouse 24.3 or newer.")
    assert version_problem("23.12.1") is not None
    assert "not a version number" in str(version_problem("unknown"))


def _probes(ch: ClickHouse) -> list[str]:
    return [str(name) for (name,) in ch.rows(
        "SELECT name FROM system.databases WHERE startsWith(name, 'lyceum_probe_')")]


def test_a_current_engine_passes_and_the_scratch_database_is_dropped(ch: ClickHouse) -> None:
    version = check_server(ch)
    assert version_problem(version) is None
    assert _probes(ch) == []


def test_a_rejected_statement_is_named_with_the_version_and_the_reason(
        ch: ClickHouse) -> None:
    statement = "SELECT lyceumNoSuchFunction(1)"
    with pytest.raises(ConfigError) as refused:
        check_server(ch, statements=["SELECT 1", statement])
    message = refused.value.user_message
    version = str(ch.scalar("SELECT version()"))
    assert message.startswith(f"The ClickHouse server (version {version}) rejected a "
                              f"statement Lyceum needs: {statement}")
    assert "UNKNOWN_FUNCTION" in message or "Unknown function" in message
    assert _probes(ch) == []


def test_a_server_that_does_not_answer_is_named() -> None:
    from tests.servers import free_port

    nobody = ClickHouse(f"http://default:@127.0.0.1:{free_port()}", bundled=False)
    with pytest.raises(ConfigError, match=r"does not answer `SELECT version\(\)`"):
        check_server(nobody)
