"""The ClickHouse HTTP dialect: credentials, formats, settings and error shapes."""

from __future__ import annotations

import base64

import pytest

from lyceum.engine.protocol import (
    EngineFailure,
    credentials,
    parse_params,
    query_parameters,
    refusal,
    server_defaults,
    settings_of,
    split_format,
)
from lyceum.errors import NotAuthenticated, ValidationError
from services.gateway.sql import QueryRefused


def test_credentials_come_from_headers_basic_auth_or_the_url() -> None:
    assert credentials({}, {"HTTP_X_CLICKHOUSE_USER": "u", "HTTP_X_CLICKHOUSE_KEY": "k"}) == \
        ("u", "k")
    basic = "Basic " + base64.b64encode(b"u:k:with:colons").decode()
    assert credentials({}, {"HTTP_AUTHORIZATION": basic}) == ("u", "k:with:colons")
    assert credentials({"user": "u", "password": "k"}, {}) == ("u", "k")
    assert credentials({}, {}) == ("default", "")


def test_two_ways_of_signing_in_at_once_are_refused() -> None:
    with pytest.raises(EngineFailure) as found:
        credentials({"user": "u"}, {"HTTP_X_CLICKHOUSE_USER": "v"})
    assert (found.value.number, found.value.status) == (516, 403)
    with pytest.raises(EngineFailure):
        credentials({}, {"HTTP_AUTHORIZATION": "Basic %%%"})


def test_a_trailing_format_clause_is_taken_off() -> None:
    assert split_format("SELECT 1\n FORMAT Native", "TabSeparated") == ("SELECT 1", "Native")
    assert split_format("SELECT 1 format JSON;", "CSV") == ("SELECT 1", "JSON")
    assert split_format("SELECT 'FORMAT JSON'", "CSV") == ("SELECT 'FORMAT JSON'", "CSV")
    assert split_format("SELECT 1;", "CSV") == ("SELECT 1", "CSV")


def test_url_parameters_split_into_settings_and_query_parameters() -> None:
    params = parse_params("query=SELECT+1&database=d&param_x=1&max_threads=2&session_id=s"
                          "&wait_end_of_query=1&param_=9")
    assert settings_of(params) == {"max_threads": "2"}
    assert query_parameters(params) == {"x": "1"}


def test_failures_render_as_clickhouse_does() -> None:
    failure = EngineFailure(60, "UNKNOWN_TABLE", "Table t does not exist")
    assert failure.body("26.9") == (b"Code: 60. DB::Exception: Table t does not exist "
                                    b"(UNKNOWN_TABLE) (version 26.9)\n")
    assert failure.status == 404
    assert EngineFailure(999, "X", "y").status == 500


def test_refusals_of_the_services_map_to_clickhouse_codes() -> None:
    assert refusal(NotAuthenticated("no")).number == 516
    assert refusal(QueryRefused("no")).name == "ACCESS_DENIED"
    assert refusal(QueryRefused("Cannot modify 'x' setting in readonly mode.")).number == 164
    assert refusal(ValidationError("bad")).status == 400


def test_server_defaults_apply_to_json_formats_only() -> None:
    assert server_defaults("JSONEachRow") == {"output_format_json_quote_64bit_integers": "1"}
    assert server_defaults("Native") == {}
