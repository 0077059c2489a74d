"""Dash callbacks, one module per page; importing this package registers them all."""

from callbacks import cluster_detail, clusters, engine, overview, wizard

__all__ = ["cluster_detail", "clusters", "engine", "overview", "wizard"]
