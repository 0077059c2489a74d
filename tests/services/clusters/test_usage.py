"""Usage by tier, its trend, tier moves and the usage sampler, on real chDB."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from data.metadata.models import (
    ClusterEvent,
    ClusterUsageMetric,
    utcnow,
)
from lyceum.errors import ValidationError
from services.clusters import usage as cluster_usage
from services.clusters.console import (
    events_timeline,
    record_usage,
    update_retention,
    usage_by_tier,
    usage_trend,
)
from services.clusters.usage import (
    PartTracker,
    TierMove,
    UsageSampler,
    start_usage_sampler,
    stop_usage_sampler,
)
from services.core.runtime import Runtime
from tests.services.clusters.console_world import (
    FAST,
    OPS,
    SLOW,
    count,
    disks_by_age,
    insert_days,
    make_cluster,
)
from tests.waiting import wait_until


def test_usage_by_tier_counts_rows_where_the_ttl_put_them(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database)
    insert_days(rt.ch, ch_database, [0, 0, 5, 45, 90])
    rt.ch.command(f"OPTIMIZE TABLE {ch_database}.production_events FINAL")
    assert disks_by_age(rt.ch, ch_database) == ["hot", "warm", "archive"]
    usage = {u.tier: u for u in usage_by_tier(rt, cluster)}
    assert list(usage) == ["hot", "warm", "cold", "archive"]
    assert [usage[t].rows for t in usage] == [2, 1, 0, 1]  # the 90-day row was deleted
    assert usage["cold"].bytes_on_disk == usage["cold"].parts == 0
    assert usage["cold"].compression_ratio == 0.0
    assert usage["hot"].parts >= 1 and usage["hot"].bytes_uncompressed > 0
    assert usage["hot"].compression_ratio > 0


def test_record_usage_samples_every_running_cluster_per_tier(
        rt: Runtime, ch_database: str, databases: Callable[[str], str]) -> None:
    first = make_cluster(rt, ch_database)
    second = make_cluster(rt, databases("b"))
    make_cluster(rt, databases("c"), status="failed")
    insert_days(rt.ch, ch_database, [0, 5])
    tracker = PartTracker()
    assert record_usage(rt, now=utcnow() - timedelta(days=40), tracker=tracker) == 8
    assert record_usage(rt, tracker=tracker) == 8
    assert count(rt, ClusterUsageMetric, cluster_id=first.id) == 8
    assert count(rt, ClusterUsageMetric, cluster_id=second.id) == 8
    assert count(rt, ClusterEvent, kind="tier_move") == 0
    recent = usage_trend(rt, first.id, days=30)
    assert [(p.tier, p.rows) for p in recent] == [("hot", 1), ("warm", 1), ("cold", 0),
                                                  ("archive", 0)]
    assert len(usage_trend(rt, first.id, days=60)) == 8


@pytest.mark.parametrize("days", [0, 366, True, "30"])
def test_usage_trend_refuses_bad_ranges(rt: Runtime, ch_database: str, days: Any) -> None:
    cluster = make_cluster(rt, ch_database)
    with pytest.raises(ValidationError, match=r"^Show 1 to 365 days of usage\.$"):
        usage_trend(rt, cluster.id, days=days)


def test_a_tier_move_between_samples_becomes_an_event(rt: Runtime, ch_database: str) -> None:
    cluster = make_cluster(rt, ch_database, retention=SLOW)
    insert_days(rt.ch, ch_database, [0, 5, 25, 45])
    assert disks_by_age(rt.ch, ch_database) == ["hot", "hot", "warm", "cold"]
    tracker = PartTracker()
    record_usage(rt, tracker=tracker)
    update_retention(rt, cluster.id, FAST, actor=OPS)
    wait_until(lambda: disks_by_age(rt.ch, ch_database) == ["hot", "warm", "cold", "archive"],
               within=30, message="the parts did not move to their tiers")
    record_usage(rt, tracker=tracker)
    with rt.db.session() as session:
        moves = list(session.scalars(select(ClusterEvent).where(ClusterEvent.kind == "tier_move")
                                     .order_by(ClusterEvent.id)))
    for event, step in zip(moves, ["hot → warm", "warm → cold", "cold → archive"], strict=True):
        size = cluster_usage.format_bytes(event.detail["bytes"])
        assert event.message == f"1 part ({size}) moved {step}" and event.detail["bytes"] > 0
        assert event.detail["tables"] == {"production_events": 1}
    kinds = [entry.kind for entry in events_timeline(rt, cluster.id)]
    assert kinds.count("tier_move") == 3 and "retention_changed" in kinds


def test_tier_move_messages_read_like_people_write() -> None:
    move = TierMove("hot", "warm", 12, int(3.4 * 1024**2), {"curves": 12})
    assert move.message == "12 parts (3.4 MiB) moved hot → warm"
    assert move.detail() == {"from": "hot", "to": "warm", "parts": 12,
                             "bytes": int(3.4 * 1024**2), "tables": {"curves": 12}}
    assert cluster_usage.format_bytes(512) == "512 B"
    assert cluster_usage.format_bytes(5 * 1024**4) == "5.0 TiB"


def test_the_sampler_runs_in_the_background_and_survives_errors(
        rt: Runtime, ch_database: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    cluster = make_cluster(rt, ch_database)
    real, calls = cluster_usage.record_usage, []

    def flaky(runtime: Runtime, **kwargs: Any) -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("engine hiccup")
        return real(runtime, **kwargs)

    monkeypatch.setattr(cluster_usage, "record_usage", flaky)
    sampler = UsageSampler(rt, interval_s=0.02)
    with caplog.at_level(logging.ERROR, logger="services.clusters.usage"):
        sampler.start()
        try:
            assert sampler.running and sampler.wait_for_rounds(3, timeout=20)
        finally:
            sampler.stop()
    assert not sampler.running
    assert "usage sampling failed" in caplog.text
    assert count(rt, ClusterUsageMetric, cluster_id=cluster.id) >= 8
    with pytest.raises(ValueError):
        UsageSampler(rt, interval_s=0)


def test_one_sampler_per_process(rt: Runtime) -> None:
    first = start_usage_sampler(rt, interval_s=60)
    try:
        assert start_usage_sampler(rt, interval_s=5) is first and first.interval_s == 60
        assert first.wait_for_rounds(1, timeout=20)
    finally:
        stop_usage_sampler()
    assert not first.running
