"""The overview's cluster cards: who sees which cluster with which role, live figures for
running clusters only, and a failing cluster shown with its message instead of breaking
the page."""

from __future__ import annotations

import pytest

from data.analytics.engine_stats import DatabaseStats
from data.metadata import memberships
from services.clusters.overview import ClusterCard, cluster_cards
from services.core.runtime import Runtime
from tests.access_world import World, build_world, register_cluster


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _cards(runtime: Runtime, world: World, key: str) -> dict[int, ClusterCard]:
    return {c.id: c for c in cluster_cards(runtime, user_id=world.users[key],
                                           is_admin=key == "root")}


def test_members_see_their_clusters_with_their_role_admins_see_all(runtime: Runtime,
                                                                  world: World) -> None:
    assert {i: c.role for i, c in _cards(runtime, world, "analyst").items()} == \
        {world.a: "analyst"}
    assert _cards(runtime, world, "outsider") == {}
    root = _cards(runtime, world, "root")
    assert {world.a, world.b} <= set(root)
    assert {c.role for c in root.values()} == {"admin"}


def test_running_clusters_carry_their_figures_stopped_ones_none(runtime: Runtime,
                                                                world: World) -> None:
    with runtime.db.session() as session:
        b = memberships.get_cluster(session, world.b)
        assert b is not None
        b.status = "stopped"
    cards = _cards(runtime, world, "root")
    a, b_card = cards[world.a], cards[world.b]
    assert a.stats is not None and a.stats_error is None
    assert (a.stats.parts_total, a.stats.latest_part_at, a.yield_24h) == (0, None, None)
    assert (b_card.stats, b_card.stats_error, b_card.status) == (None, None, "stopped")


def test_a_cluster_whose_figures_fail_is_shown_with_a_message(runtime: Runtime,
                                                              world: World) -> None:
    broken = register_cluster(runtime, "overview_no_such_database")
    card = _cards(runtime, world, "root")[broken]
    assert card.stats is None and card.stats_error
    assert card.name == "overview_no_such_database" and card.status == "running"


@pytest.mark.parametrize(("parts", "ok", "expected"), [(0, 0, None), (4, 3, 0.75),
                                                       (10, 10, 1.0)])
def test_the_24_hour_yield_is_ok_over_parts(parts: int, ok: int,
                                            expected: float | None) -> None:
    stats = DatabaseStats(parts_total=parts, parts_24h=parts, ok_24h=ok, curves_total=0,
                          samples_total=0, latest_part_at=None, bytes_on_disk=0)
    card = ClusterCard(id=1, name="n", database_name="d", cluster_type="manufacturing",
                       status="running", role="viewer", is_demo=False, stats=stats,
                       stats_error=None)
    assert card.yield_24h == expected
