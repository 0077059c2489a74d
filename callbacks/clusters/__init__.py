"""Cluster pages' callbacks: overview, list, wizard, console, SQL console, engine."""
