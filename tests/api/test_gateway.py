"""``POST /api/v1/clusters/<id>/sql`` (api/gateway.py) beyond tests/api/test_core.py and
tests/api/test_gateway_pools.py: SQL sent as plain text, values turned into plain JSON
(dates, decimals, UUIDs, bytes), answers written in pieces that still make one JSON
document, bodies without SQL, and one refusal for a credential that is missing, of another
scheme, of another cluster or for a forged cluster."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from api.gateway import CHUNK_ROWS
from services.core.runtime import Runtime
from tests.access_world import editor_of_a, give_app_credential
from tests.http import json_body

SECRET_A, SECRET_B = "a" * 43, "b" * 43
NO_SQL = {"error": {"code": "validation_error",
                    "message": "Send the SQL as {\"sql\": \"SELECT …\"} or as plain text."}}
BAD_CREDENTIAL = {"error": {"code": "not_authenticated",
                            "message": "The username or secret is not valid for this cluster."}}


@pytest.fixture
def world(runtime: Runtime) -> Iterator[dict[str, int]]:
    """Clusters A and B, each with its own app-gateway credential (user ``acc_app``)."""
    with editor_of_a(runtime, ("gw_route_a", "gw_route_b")) as world:
        give_app_credential(runtime, world["a"], SECRET_A)
        give_app_credential(runtime, world["b"], SECRET_B)
        yield world


def _basic(secret: str, user: str = "acc_app") -> dict[str, str]:
    token = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def _url(cluster: object) -> str:
    return f"/api/v1/clusters/{cluster}/sql"


def test_plain_text_sql_and_values_made_plain(client: FlaskClient,
                                              world: dict[str, int]) -> None:
    sql = ("SELECT toDate('2026-12-04') AS d, toDecimal64(12.345, 3) AS m, "
           "toUUID('6e7f1a2b-0c3d-4e5f-8a9b-0c1d2e3f4a5b') AS u, 'ä' AS s, NULL AS n, "
           "[1, 2] AS a, 1.5 AS f, toDateTime64('2026-12-04 05:06:07.250', 3, 'UTC') AS t")
    answer = client.post(_url(world["a"]), data=sql, content_type="text/plain",
                         headers=_basic(SECRET_A))
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    body = json_body(answer)
    assert body["columns"] == ["d", "m", "u", "s", "n", "a", "f", "t"]
    assert body["rows"] == [["2026-12-04", "12.345", "6e7f1a2b-0c3d-4e5f-8a9b-0c1d2e3f4a5b",
                             "ä", None, [1, 2], 1.5, "2026-12-04T05:06:07.250000+00:00"]]
    assert (body["row_count"], body["truncated"]) == (1, False)


def test_a_datetime_column_is_answered_as_a_time(client: FlaskClient,
                                                 world: dict[str, int]) -> None:
    answer = client.post(_url(world["a"]),
                         json={"sql": "SELECT toDateTime('2026-12-04 05:06:07', 'UTC') AS t"},
                         headers=_basic(SECRET_A))
    assert json_body(answer)["rows"] == [["2026-12-04T05:06:07+00:00"]]


def test_rows_in_several_pieces_make_one_json_document(client: FlaskClient,
                                                       world: dict[str, int]) -> None:
    for count in (0, 1, CHUNK_ROWS, CHUNK_ROWS + 1, 2 * CHUNK_ROWS + 7):
        answer = client.post(_url(world["a"]),
                             json={"sql": f"SELECT number AS n FROM numbers({count})"},
                             headers=_basic(SECRET_A))
        assert answer.status_code == 200, count
        body = json.loads(answer.get_data(as_text=True))
        assert body == {"columns": ["n"], "rows": [[i] for i in range(count)],
                        "row_count": count, "truncated": False}, count


def test_a_body_without_sql_is_refused(client: FlaskClient, world: dict[str, int]) -> None:
    for data, content_type in (("", "text/plain"), ("   \n", "text/plain"),
                               ("{}", "application/json"),
                               ('{"sql": ""}', "application/json"),
                               ('{"sql": 42}', "application/json"),
                               ('{"sql": ["SELECT 1"]}', "application/json"),
                               ('{"query": "SELECT 1"}', "application/json")):
        answer = client.post(_url(world["a"]), data=data, content_type=content_type,
                             headers=_basic(SECRET_A))
        assert (answer.status_code, json_body(answer)) == (400, NO_SQL), data


def test_wrong_foreign_and_forged_credentials_get_one_refusal(
        client: FlaskClient, world: dict[str, int]) -> None:
    select = {"sql": "SELECT 1 AS x"}
    answers = [client.post(_url(world["a"]), json=select, headers=_basic(SECRET_B)),
               client.post(_url(world["b"]), json=select, headers=_basic(SECRET_A)),
               client.post(_url(world["a"]), json=select, headers=_basic(SECRET_A, "other")),
               client.post(_url(987_654), json=select, headers=_basic(SECRET_A))]
    assert [(a.status_code, json_body(a)) for a in answers] == [(401, BAD_CREDENTIAL)] * 4
    bearer = client.post(_url(world["a"]), json=select,
                         headers={"Authorization": f"Bearer {SECRET_A}"})
    assert (bearer.status_code, json_body(bearer)) == (401, {"error": {
        "code": "not_authenticated",
        "message": "Send the cluster's username and secret with HTTP Basic auth."}})
    assert client.post(_url(world["a"]), json=select).status_code == 401
    for bad in ("x", "0", str(2**31)):
        assert client.post(_url(bad), json=select,
                           headers=_basic(SECRET_A)).status_code == 404
    ok = client.post(_url(world["a"]), json=select, headers=_basic(SECRET_A))
    assert json_body(ok)["rows"] == [[1]]
