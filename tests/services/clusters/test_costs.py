"""The cost estimate: one example worked by hand, region factors, the shipped price table."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from lyceum.errors import ConfigError
from services.clusters.costs import (
    LABEL,
    CostEstimate,
    PriceTable,
    estimate,
    load_price_table,
    price_table,
)
from services.clusters.request import ClusterSpec, TierSizes

TABLE: dict[str, Any] = {
    "source": "test prices",
    "as_of": "2026-01-01",
    "currency": "USD",
    "hours_per_month": 730,
    "compute": {"vcpu_hour": 0.03, "gb_ram_hour": 0.004},
    "storage_gb_month": {"hot": 0.10, "warm": 0.05, "cold": 0.02, "archive": 0.004},
    "backup": {"gb_month": 0.05, "share_of_hot_warm": 0.5},
}
SPEC = ClusterSpec(nodes=3, vcpu_per_node=8, memory_gb_per_node=64,
                   storage=TierSizes(hot_gb=500, warm_gb=1000, cold_gb=2000, archive_gb=4000))


@pytest.fixture
def prices() -> PriceTable:
    return load_price_table(json.dumps(TABLE))


def test_worked_example(prices: PriceTable) -> None:
    # compute: 3 nodes × (8 × 0.03 + 64 × 0.004 = 0.496 per node-hour) × 730 h = 1086.24
    # storage: 500 × 0.10, 1000 × 0.05, 2000 × 0.02, 4000 × 0.004
    # backups: (500 + 1000) × 0.5 × 0.05 = 37.50
    result = estimate(SPEC, region_factor=1.0, prices=prices)
    assert result == CostEstimate(
        compute=1086.24, storage={"hot": 50.0, "warm": 50.0, "cold": 40.0, "archive": 16.0},
        backups=37.5, total=1279.74, currency="USD", hours_per_month=730, region_factor=1.0,
        source="test prices", as_of="2026-01-01", label="Estimate, not a quote",
    )
    assert list(result.storage) == ["hot", "warm", "cold", "archive"]
    assert result.storage_total == 156.0


def test_worked_example_in_a_dearer_region_rounds_each_line_to_cents(prices: PriceTable) -> None:
    # 1086.24 × 1.08 = 1173.1392 → 1173.14; 40 × 1.08 = 43.20; 16 × 1.08 = 17.28
    result = estimate(SPEC, region_factor=1.08, prices=prices)
    assert (result.compute, result.storage, result.backups) == (
        1173.14, {"hot": 54.0, "warm": 54.0, "cold": 43.2, "archive": 17.28}, 40.5)
    assert result.total == 1382.12
    lines = [result.compute, *result.storage.values(), result.backups]
    assert Decimal(str(result.total)) == sum(Decimal(str(line)) for line in lines)


def test_region_factor_scales_compute(prices: PriceTable) -> None:
    base = estimate(SPEC, region_factor=1.0, prices=prices)
    double = estimate(SPEC, region_factor=2.0, prices=prices)
    assert double.compute == 2 * base.compute
    assert double.total == 2 * base.total
    assert double.region_factor == 2.0


@pytest.mark.parametrize(("changes", "line"), [
    ({"nodes": 4}, "compute"),
    ({"vcpu_per_node": 16}, "compute"),
    ({"memory_gb_per_node": 128}, "compute"),
    ({"storage": replace(SPEC.storage, hot_gb=600)}, "hot"),
    ({"storage": replace(SPEC.storage, warm_gb=1100)}, "warm"),
    ({"storage": replace(SPEC.storage, cold_gb=2100)}, "cold"),
    ({"storage": replace(SPEC.storage, archive_gb=4100)}, "archive"),
])
def test_every_input_changes_its_line_and_the_total(prices: PriceTable, changes: dict[str, Any],
                                                    line: str) -> None:
    base = estimate(SPEC, region_factor=1.0, prices=prices)
    changed = estimate(replace(SPEC, **changes), region_factor=1.0, prices=prices)
    value = changed.compute if line == "compute" else changed.storage[line]
    before = base.compute if line == "compute" else base.storage[line]
    assert value > before and changed.total > base.total


def test_hot_and_warm_changes_move_backups(prices: PriceTable) -> None:
    base = estimate(SPEC, region_factor=1.0, prices=prices)
    hot = estimate(replace(SPEC, storage=replace(SPEC.storage, hot_gb=600)), region_factor=1.0,
                   prices=prices)
    cold = estimate(replace(SPEC, storage=replace(SPEC.storage, cold_gb=2100)),
                    region_factor=1.0, prices=prices)
    assert hot.backups == base.backups + 2.5
    assert cold.backups == base.backups


def test_region_factor_changes_the_estimate(prices: PriceTable) -> None:
    assert (estimate(SPEC, region_factor=1.04, prices=prices).total
            > estimate(SPEC, region_factor=1.0, prices=prices).total)


@pytest.mark.parametrize("factor", [0, -1.0, float("nan"), float("inf"), True, "1.0"])
def test_bad_region_factor_is_refused(prices: PriceTable, factor: Any) -> None:
    with pytest.raises(ValueError, match="region_factor must be a positive number"):
        estimate(SPEC, region_factor=factor, prices=prices)


def test_invalid_quantities_cost_nothing_and_huge_ones_stay_finite(prices: PriceTable) -> None:
    spec = ClusterSpec(nodes=-1, vcpu_per_node=8, memory_gb_per_node=64,
                       storage=TierSizes(hot_gb=-1, warm_gb=0, cold_gb=0, archive_gb=10**40))
    result = estimate(spec, region_factor=1.0, prices=prices)
    assert result.compute == 0 and result.storage["hot"] == 0 and result.backups == 0
    assert result.storage["archive"] == 10**9 * 0.004


def test_the_shipped_price_table() -> None:
    table = price_table()
    assert table is price_table()
    assert "Modelled on public" in table.source and "not a quote" in table.source
    assert date.fromisoformat(table.as_of)
    assert (table.currency, table.hours_per_month) == ("USD", 730)
    result = estimate(ClusterSpec(), region_factor=1.0)
    assert result.label == LABEL == "Estimate, not a quote"
    assert (result.source, result.as_of) == (table.source, table.as_of)
    assert 100 < result.total < 10_000


@pytest.mark.parametrize("change", [
    lambda t: t.pop("source"),
    lambda t: t.update(source=""),
    lambda t: t["compute"].pop("vcpu_hour"),
    lambda t: t["storage_gb_month"].update(cold=-0.01),
    lambda t: t["storage_gb_month"].update(cold="cheap"),
    lambda t: t["backup"].update(gb_month=None),
    lambda t: t.update(hours_per_month=0),
    lambda t: t.update(compute=[]),
])
def test_a_broken_price_table_is_a_config_error(change: Any) -> None:
    table = json.loads(json.dumps(TABLE))
    change(table)
    with pytest.raises(ConfigError) as caught:
        load_price_table(json.dumps(table))
    assert caught.value.user_message == "The price table is incomplete or malformed."


def test_a_price_table_that_is_not_json_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        load_price_table("{not json")
