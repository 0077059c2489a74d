"""The monthly cost estimate of a cluster, from the price table kept next to this module.

Arithmetic is done in :class:`~decimal.Decimal` and each line is rounded to cents, so the total
is exactly the sum of the lines the user sees. An estimate is never a quote.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from importlib import resources
from typing import Any

from lyceum.errors import ConfigError
from services.clusters.request import ClusterSpec

TIERS: tuple[str, ...] = ("hot", "warm", "cold", "archive")
LABEL = "Estimate, not a quote"
PRICE_TABLE_FILE = "price_table.json"
#: Quantities above this (a tampered spec) are priced as this, so arithmetic stays finite.
MAX_QUANTITY = 10**9
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class PriceTable:
    """Unit prices: compute per hour, storage and backups per GB-month."""

    source: str
    as_of: str
    currency: str
    hours_per_month: int
    vcpu_hour: Decimal
    gb_ram_hour: Decimal
    storage_gb_month: Mapping[str, Decimal]
    backup_gb_month: Decimal
    #: The part of the hot and warm capacity that backups hold.
    backup_share: Decimal


@dataclass(frozen=True)
class CostEstimate:
    """A cluster's monthly cost, by line, in ``currency``; each amount rounded to cents."""

    compute: float
    storage: dict[str, float]
    backups: float
    total: float
    currency: str
    hours_per_month: int
    region_factor: float
    source: str
    as_of: str
    label: str = LABEL

    @property
    def storage_total(self) -> float:
        """All storage tiers together."""
        return float(sum(Decimal(str(v)) for v in self.storage.values()))


def load_price_table(text: str) -> PriceTable:
    """Parse a price table (the JSON of ``price_table.json``); raises :class:`ConfigError`."""
    try:
        data = json.loads(text, parse_float=Decimal)
        compute, storage, backup = data["compute"], data["storage_gb_month"], data["backup"]
        table = PriceTable(
            source=str(data["source"]), as_of=str(data["as_of"]),
            currency=str(data["currency"]), hours_per_month=int(data["hours_per_month"]),
            vcpu_hour=_price(compute["vcpu_hour"]), gb_ram_hour=_price(compute["gb_ram_hour"]),
            storage_gb_month={tier: _price(storage[tier]) for tier in TIERS},
            backup_gb_month=_price(backup["gb_month"]),
            backup_share=_price(backup["share_of_hot_warm"]),
        )
    except (ValueError, TypeError, KeyError, InvalidOperation) as exc:
        raise ConfigError("The price table is incomplete or malformed.",
                          detail=f"price table: {exc!r}") from exc
    if not table.source or not table.as_of or table.hours_per_month <= 0:
        raise ConfigError("The price table is incomplete or malformed.",
                          detail="price table: empty source/as_of or bad hours_per_month")
    return table


@cache
def price_table() -> PriceTable:
    """The price table shipped with the app (read once)."""
    path = resources.files("services.clusters").joinpath(PRICE_TABLE_FILE)
    text = path.read_text(encoding="utf-8")
    return load_price_table(text)


def estimate(spec: ClusterSpec, *, region_factor: float,
             prices: PriceTable | None = None) -> CostEstimate:
    """The monthly cost of ``spec`` in a region whose prices are ``region_factor`` × the table.

    - compute: nodes × (vCPU × vCPU-hour + GB RAM × GB-RAM-hour) × hours per month;
    - storage: each tier's GB × that tier's GB-month price;
    - backups: (hot + warm GB) × the backed-up share × the backup GB-month price.

    Every line is multiplied by ``region_factor`` and rounded to cents. Negative or non-integer
    quantities (an invalid spec, still being edited) count as 0, so this never fails on a spec.
    ``prices`` defaults to :func:`price_table`.
    """
    if not _is_positive_number(region_factor):
        raise ValueError(f"region_factor must be a positive number, got {region_factor!r}")
    table = prices or price_table()
    factor = Decimal(str(region_factor))
    node_hour = (_quantity(spec.vcpu_per_node) * table.vcpu_hour
                 + _quantity(spec.memory_gb_per_node) * table.gb_ram_hour)
    compute = _cents(_quantity(spec.nodes) * node_hour * table.hours_per_month * factor)
    sizes = {tier: _quantity(getattr(spec.storage, f"{tier}_gb", 0)) for tier in TIERS}
    storage = {tier: _cents(sizes[tier] * table.storage_gb_month[tier] * factor)
               for tier in TIERS}
    backed_up = (sizes["hot"] + sizes["warm"]) * table.backup_share
    backups = _cents(backed_up * table.backup_gb_month * factor)
    total = compute + sum(storage.values(), Decimal(0)) + backups
    return CostEstimate(
        compute=float(compute), storage={tier: float(v) for tier, v in storage.items()},
        backups=float(backups), total=float(total), currency=table.currency,
        hours_per_month=table.hours_per_month, region_factor=float(region_factor),
        source=table.source, as_of=table.as_of,
    )


def _is_positive_number(value: object) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value) and value > 0


def _price(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError(f"a price must be a number, got {value!r}")
    price = Decimal(value)
    if not price.is_finite() or price < 0:
        raise ValueError(f"a price must be 0 or more, got {value!r}")
    return price


def _quantity(value: object) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int):
        return Decimal(0)
    return Decimal(min(max(value, 0), MAX_QUANTITY))


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)
