"""Schema-driven: schemathesis generates requests for every operation of the served OpenAPI
document (as a global admin, through WSGI in-process) and none may end in a server error."""

from __future__ import annotations

from typing import Any

import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from tests.access_world import World
from tests.http import json_body
from tests.security.matrix import ORIGIN

EXAMPLES = 15


def test_no_operation_ends_in_a_server_error(mod_server: Flask, world: World,
                                             clients: dict[str, FlaskClient]) -> None:
    cookie = clients["root"].get_cookie("lyceum_session")
    assert cookie is not None
    cookies = {"lyceum_session": cookie.value}
    schema = schemathesis.openapi.from_dict(json_body(clients["root"].get("/api/v1/openapi.json")))
    schema.app = mod_server
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operations.append(result.ok())
    assert len(operations) >= 20
    failures: list[str] = []
    for operation in operations:
        if operation.path.endswith("/sql"):
            continue  # the SQL gateway authenticates a cluster credential, not the session
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            response = case.call(headers=dict(ORIGIN), cookies=cookies)
            case.validate_response(response, checks=[not_a_server_error])
        try:
            run()
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure
            lines = [line for line in str(exc).splitlines() if line.strip()]
            failures.append(f"{operation.label}: {' | '.join(lines[:3])[:300]} … "
                            f"{lines[-1][:200] if lines else ''}")
    assert not failures, "\n".join(failures)
