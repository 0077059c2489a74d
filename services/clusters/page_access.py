"""Which of a cluster's pages a user may open, from the page registry's metadata."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from data.metadata import memberships
from lyceum.errors import NotFound
from services.core.roles import rank
from services.core.runtime import Runtime

CLUSTER_PATH = re.compile(r"^/clusters/([0-9]{1,12})(?:/.*)?$")
TEMPLATE_PREFIX = "/clusters/<cluster_id>"


def cluster_id_in(path: str | None) -> int | None:
    """The cluster id of a ``/clusters/<id>/…`` path, or ``None``."""
    found = CLUSTER_PATH.match(path or "")
    return int(found.group(1)) if found else None


def _order(page: Mapping[str, Any]) -> float:
    order = page.get("order")
    return float(order) if isinstance(order, int | float) else 99.0


def cluster_pages(registry: Iterable[Mapping[str, Any]], *, cluster_id: int, role: str
                  ) -> list[tuple[str, str, str]]:
    """(label, href, icon) of every cluster page the role may open, in page order."""
    allowed = rank(role)
    pages = [p for p in registry
             if str(p.get("path_template") or "").startswith(TEMPLATE_PREFIX)
             and "<" not in str(p["path_template"]).removeprefix(TEMPLATE_PREFIX)
             and (rank(str(p.get("cluster_role", "viewer"))) or 1) <= allowed]
    pages.sort(key=_order)
    return [(str(p.get("cluster_tab") or p["name"]),
             str(p["path_template"]).replace("<cluster_id>", str(cluster_id)),
             str(p.get("icon", "bi-circle"))) for p in pages]


def cluster_name(runtime: Runtime, cluster_id: int) -> str:
    """The cluster's name, or :class:`NotFound`."""
    with runtime.db.session() as session:
        cluster = memberships.get_cluster(session, cluster_id)
        if cluster is None:
            raise NotFound("That cluster does not exist.")
        return cluster.name
