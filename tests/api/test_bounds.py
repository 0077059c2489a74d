"""An integer id in an API path that no table can hold is a 404, never a database error;
the check runs after authentication, so it tells a stranger nothing."""

from __future__ import annotations

import pytest
from flask import Flask

from services.core.runtime import Runtime
from tests.access_world import build_world, sign_in


@pytest.mark.parametrize("cluster_id", ["2147483648", "99999999999999999999", "0"])
def test_an_out_of_range_id_is_not_found(server: Flask, runtime: Runtime,
                                         cluster_id: str) -> None:
    build_world(runtime)
    client = sign_in(server.test_client(), "root")
    answer = client.get(f"/api/v1/clusters/{cluster_id}")
    assert answer.status_code == 404
    assert answer.json == {"error": {"code": "not_found", "message": "That does not exist."}}


def test_the_largest_id_is_looked_up_and_a_stranger_is_asked_to_sign_in(
        server: Flask, runtime: Runtime) -> None:
    build_world(runtime)
    client = sign_in(server.test_client(), "root")
    assert client.get("/api/v1/clusters/2147483647").status_code == 404
    assert server.test_client().get("/api/v1/clusters/2147483648").status_code == 401
