"""Clusters: the list, the wizard and its request, costs, console, health, usage, queries."""
