"""Long gateway queries run in their pool: the real server keeps answering other requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from waitress.server import create_server

from app import create_app
from data.analytics import cluster_ops
from data.metadata import memberships
from services.access.accounts import create_user
from services.clusters import credentials, rules
from services.clusters.request import ClusterSpec, MemberGrant
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.provisioning import deploy
from tests.waiting import wait_until

LONG_SQL = "SELECT count() FROM numbers(1e11) WHERE sipHash64(number) = 1"
QUERY_SECONDS = 4


@pytest.fixture
def served(runtime: Runtime) -> Iterator[tuple[str, Runtime, int, str]]:
    """The app on a real waitress server (the configured threads), with one running
    cluster whose queries stop after :data:`QUERY_SECONDS`."""
    user = create_user(runtime.db, runtime.passwords, email="pool@example.com",
                       password="correct horse battery")
    spec = rules.apply_preset(
        ClusterSpec(name="Pool line", members=(MemberGrant(user.id, "admin"),)), "development")
    cluster_id = deploy.record_cluster(runtime, spec, actor=Actor(user_id=user.id))
    assert deploy.run_provisioning(runtime, cluster_id)
    pending = credentials.pending_secret(runtime, cluster_id, actor=Actor(user_id=user.id))
    assert pending is not None
    secret = pending.secret
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        assert cluster is not None
        cluster.query_limits = {**cluster.query_limits, "max_execution_time": QUERY_SECONDS}
    server = create_server(create_app(runtime.settings, runtime=runtime), host="127.0.0.1",
                           port=0, threads=runtime.settings.threads)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}", runtime, cluster_id, secret
    finally:
        server.close()
        server.task_dispatcher.shutdown()
        runtime.pools.shutdown(wait=True)
        cluster_ops.drop_database(runtime.ch, "pool_line")


def test_healthz_answers_while_the_cluster_runs_its_cap_of_long_queries(
        served: tuple[str, Runtime, int, str]) -> None:
    url, rt, cluster_id, secret = served
    cap = rt.settings.pools.per_cluster
    post = {"url": f"{url}/api/v1/clusters/{cluster_id}/sql", "json": {"sql": LONG_SQL},
            "auth": ("pool_line_app", secret), "timeout": 60}
    with ThreadPoolExecutor(max_workers=cap) as clients:
        long = [clients.submit(requests.post, **post) for _ in range(cap)]
        wait_until(lambda: rt.pools.running("gateway", cluster_id) == cap, within=20,
                   message="the queries did not start", every=0.02)

        began = time.perf_counter()
        refused = requests.post(**post)
        assert time.perf_counter() - began < 2.0
        assert refused.status_code == 429
        assert refused.json()["error"]["message"] == (
            f"This cluster already runs {cap} queries; try again when one finishes.")

        latencies = []
        for _ in range(10):
            began = time.perf_counter()
            health = requests.get(f"{url}/healthz", timeout=10)
            latencies.append(time.perf_counter() - began)
            assert health.status_code == 200
        assert rt.pools.running("gateway", cluster_id) == cap, "the queries ended too soon"
        assert sorted(latencies)[len(latencies) // 2] < 0.5, latencies
        answers = [f.result() for f in long]
    assert [a.status_code for a in answers] == [422] * cap
    assert answers[0].json()["error"]["message"] == (
        f"The query ran longer than this cluster allows ({QUERY_SECONDS} s).")
    assert rt.pools.running("gateway") == 0
