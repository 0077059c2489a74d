"""The live dashboard's callbacks: panels, alert rules, SPC, spec limits, the
saved view."""
