"""What an admin asks for when creating a cluster: the wizard's choices as one typed value."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from data.analytics.ch_schema import TierRetention


@dataclass(frozen=True)
class TierSizes:
    """Provisioned storage per tier, in GB."""

    hot_gb: int = 100
    warm_gb: int = 200
    cold_gb: int = 500
    archive_gb: int = 1000

    @property
    def total_gb(self) -> int:
        """All tiers together."""
        return self.hot_gb + self.warm_gb + self.cold_gb + self.archive_gb


@dataclass(frozen=True)
class MemberGrant:
    """A user and the role they get on the new cluster."""

    user_id: int
    role: str


@dataclass(frozen=True)
class ClusterSpec:
    """Every choice of the 4-step wizard (validated by ``services.clusters.rules``)."""

    name: str = ""
    description: str = ""
    cluster_type: str = "manufacturing"
    region_code: str = "local"
    nodes: int = 3
    vcpu_per_node: int = 8
    memory_gb_per_node: int = 64
    storage: TierSizes = field(default_factory=TierSizes)
    retention: TierRetention = field(default_factory=TierRetention)
    members: tuple[MemberGrant, ...] = ()
    load_sample_data: bool = False

    @property
    def database_name(self) -> str:
        """The ClickHouse database this cluster maps to (see :func:`database_name_for`)."""
        return database_name_for(self.name)


def database_name_for(name: str) -> str:
    """``"Hall 3 — Press Shop"`` → ``"hall_3_press_shop"``: ASCII, lower case, underscores."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_")
    if slug and not slug[0].isalpha():
        slug = f"c_{slug}"
    return slug[:63].rstrip("_")
