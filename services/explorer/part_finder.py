"""The navbar's part search: find a serial (or part id) on the clusters a user may read and
say where to go — the trace page of the one part that matches, a short list to choose from,
or a plain "nothing found".

Only the user's *current* memberships are searched (global admins: every cluster), and only
clusters that can be queried; a cluster the user cannot see is never asked, so "no match"
reads the same whether the part does not exist or lives on a cluster the user cannot see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from lyceum.errors import AppError
from services.clusters.listing import visible_clusters
from services.clusters.query_session import QUERYABLE
from services.core.runtime import Runtime
from services.explorer import trace

#: Clusters one search looks through at most (a user's clusters, the current one first),
#: and the matches it lists at most (per cluster and in all).
MAX_CLUSTERS = 20
PER_CLUSTER = 10
MAX_HITS = 10


@dataclass(frozen=True)
class PartHit:
    """A serial found on a cluster, and the trace page that shows it."""

    cluster_id: int
    cluster_name: str
    serial: str
    part_id: int
    n_curves: int
    exact: bool

    @property
    def href(self) -> str:
        """The trace page of this part on its cluster."""
        return f"/clusters/{self.cluster_id}/trace?{urlencode({'serial': self.serial})}"


@dataclass(frozen=True)
class PartSearch:
    """What a search found: ``open`` is the page to go to when one part matches."""

    text: str
    hits: list[PartHit] = field(default_factory=list)
    searched: int = 0
    unavailable: int = 0

    @property
    def open(self) -> str | None:
        """The trace page to open: the only exact match, else the only match at all."""
        exact = [h for h in self.hits if h.exact]
        if len(exact) == 1:
            return exact[0].href
        return self.hits[0].href if len(self.hits) == 1 else None

    @property
    def message(self) -> str:
        """What to tell the user when there is nothing to open right away."""
        if not self.searched:
            return "You have no cluster with parts to search."
        if not self.hits:
            where = "this cluster" if self.searched == 1 else \
                f"the {self.searched} clusters you can see"
            return f"No part with serial or part id “{self.text}” on {where}."
        return f"{len(self.hits)} parts match “{self.text}”: choose one."


def _exact(text: str, serial: str, part_id: int) -> bool:
    return serial == text or (text.isdigit() and part_id == int(text))


def find_part(runtime: Runtime, text: object, *, user_id: int, is_admin: bool,
              scope: tuple[int, str] | None = None,
              current: int | None = None) -> PartSearch:
    """Search ``text`` (the start of a serial, or a whole part id) on the user's readable,
    queryable clusters; only on ``current`` when it is one of them (the cluster page the
    search was typed on). ``ValidationError`` for a text that is no serial."""
    wanted = trace.check_serial(text)
    clusters, roles = visible_clusters(runtime, user_id=user_id, is_admin=is_admin,
                                       scope=scope)
    readable = [c for c in clusters if c.id in roles and c.status in QUERYABLE
                and c.decommissioned_at is None]
    if current is not None and any(c.id == current for c in readable):
        readable = [c for c in readable if c.id == current]
    readable = sorted(readable, key=lambda c: c.id)[:MAX_CLUSTERS]
    hits: list[PartHit] = []
    unavailable = 0
    for cluster in readable:
        try:
            found = trace.search(runtime, cluster.id, wanted, limit=PER_CLUSTER)
        except AppError:
            unavailable += 1
            continue
        hits += [PartHit(cluster_id=cluster.id, cluster_name=cluster.name, serial=r["serial"],
                         part_id=int(r["part_id"]), n_curves=int(r["n_curves"]),
                         exact=_exact(wanted, str(r["serial"]), int(r["part_id"])))
                 for r in found]
    hits.sort(key=lambda h: (not h.exact, h.serial, h.cluster_id))
    return PartSearch(text=wanted, hits=hits[:MAX_HITS], searched=len(readable) - unavailable,
                      unavailable=unavailable)
