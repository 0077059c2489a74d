"""Quality: the dashboard, KPIs, SPC, specification limits (LSL/USL) and alerts."""
