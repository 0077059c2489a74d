"""The SQL gateway: read-only SQL on a cluster's tables with the cluster's credential."""
