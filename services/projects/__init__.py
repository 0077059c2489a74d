"""Projects inside a cluster and their assets: dashboards, charts, alerts, reports."""
