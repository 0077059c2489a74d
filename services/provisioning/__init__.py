"""Provisioning a cluster: the deploy job and its steps with their rollback."""
