"""Lyceum Clusters: the shared kernel (settings, errors, command line)."""
