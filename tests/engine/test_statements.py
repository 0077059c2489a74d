"""Where a request's statement is: the URL, the body, or both, and an INSERT's data."""

from __future__ import annotations

import pytest

from lyceum.engine.protocol import EngineFailure
from lyceum.engine.statements import MAX_QUERY_BYTES, statement_and_data


def test_the_body_is_the_query_or_is_appended_to_it() -> None:
    sql, data = statement_and_data(None, iter([b"SELECT ", b"1"]))
    assert (sql, list(data)) == ("SELECT 1", [])
    sql, _ = statement_and_data("SELECT 1 +", iter([b" 2"]))
    assert sql == "SELECT 1 +\n 2"


def test_an_inserts_data_stays_bytes_and_streams() -> None:
    sql, data = statement_and_data("INSERT INTO t FORMAT Native", iter([b"\x00\xff", b"\n"]))
    assert sql == "INSERT INTO t FORMAT Native" and b"".join(data) == b"\x00\xff\n"
    rows = b"x" * (MAX_QUERY_BYTES + 10)
    sql, data = statement_and_data(None, iter([b"INSERT INTO t FORMAT CSV\n", rows]))
    assert sql.startswith("INSERT INTO t FORMAT CSV\n")
    assert len(sql.encode("utf-8", "surrogateescape")) + len(b"".join(data)) == \
        len(b"INSERT INTO t FORMAT CSV\n") + len(rows)


def test_empty_and_oversized_statements_are_refused() -> None:
    with pytest.raises(EngineFailure, match="Empty query"):
        statement_and_data(None, iter([b"  \n"]))
    with pytest.raises(EngineFailure) as found:
        statement_and_data(None, iter([b"SELECT '" + b"x" * MAX_QUERY_BYTES + b"'"]))
    assert found.value.status == 413
    with pytest.raises(EngineFailure):
        statement_and_data("SELECT 1", iter([b"x" * (MAX_QUERY_BYTES + 1)]))
