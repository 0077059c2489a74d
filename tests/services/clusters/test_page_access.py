"""Cluster tabs come from the page registry, filtered by the user's role."""

from __future__ import annotations

from typing import Any

from services.clusters.page_access import cluster_id_in, cluster_pages

REGISTRY: list[dict[str, Any]] = [
    {"path_template": "/clusters/<cluster_id>", "name": "Cluster", "cluster_tab": "Console",
     "order": 12, "cluster_role": "viewer", "icon": "bi-sliders"},
    {"path_template": "/clusters/<cluster_id>/tokens", "name": "Tokens", "order": 30,
     "cluster_role": "admin"},
    {"path_template": "/clusters/<cluster_id>/explorer", "name": "Explorer", "order": 20},
    {"path_template": None, "path": "/clusters", "name": "Clusters", "order": 10},
    {"path_template": "/clusters/<cluster_id>/projects/<project_id>", "name": "Project"},
]


def test_tabs_follow_order_and_role() -> None:
    viewer = cluster_pages(REGISTRY, cluster_id=7, role="viewer")
    assert [label for label, _, _ in viewer] == ["Console", "Explorer"]
    assert viewer[1][1] == "/clusters/7/explorer"
    admin = cluster_pages(REGISTRY, cluster_id=7, role="admin")
    assert [label for label, _, _ in admin] == ["Console", "Explorer", "Tokens"]


def test_cluster_ids_in_paths() -> None:
    assert cluster_id_in("/clusters/12/explorer") == 12
    assert cluster_id_in("/clusters/12") == 12
    for other in ("/clusters/new", "/clusters", "/clusters/1x", None, "/clusters/９"):
        assert cluster_id_in(other) is None
