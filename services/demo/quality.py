"""The demo plant's quality settings: the specification limits of its features and the alert
rules a demo cluster starts with. Only demo clusters get them (see
:mod:`services.quality.spec_limits` and :func:`services.quality.alerts.ensure_default_rules`);
every other cluster's limits and rules are its own."""

from __future__ import annotations

from typing import Any

from services.demo.curves import PRESS_FIT, SCREW_DRIVING, TEMPERATURE

#: (process, feature) -> (unit, LSL, USL) of the demo plant.
SPEC_LIMITS: dict[tuple[str, str], tuple[str, float | None, float | None]] = {
    (PRESS_FIT, "peak_force"): ("kN", 16.0, 24.0),
    (SCREW_DRIVING, "final_torque"): ("Nm", 8.0, 9.0),
    (TEMPERATURE, "max_temperature"): ("°C", None, 166.0),
}
#: (name, kind, parameters, severity) of the demo plant's starting alert rules.
ALERT_RULES: tuple[tuple[str, str, dict[str, Any], str], ...] = (
    ("Peak force outside spec (1 h)", "feature_spec",
     {"process": PRESS_FIT, "feature": "peak_force", "window_minutes": 60}, "warning"),
    ("Final torque: SPC rule violation (1 h)", "spc_rule",
     {"process": SCREW_DRIVING, "feature": "final_torque", "window_minutes": 60,
      "baseline_days": 7, "rules": ["we1", "we2"]}, "warning"),
    ("Yield below 90 % (1 h)", "yield_below", {"threshold": 90.0, "window_minutes": 60},
     "critical"),
    ("Station stopped longer than 30 min", "station_stopped", {"minutes": 30}, "warning"),
)
