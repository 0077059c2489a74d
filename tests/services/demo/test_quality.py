"""The demo plant's quality settings agree with the plant: limits on features its curves
have, in their units, matching the windows the generator judges by; every starting alert rule
passes the rule check as it is."""

from __future__ import annotations

import pytest

from data.metadata.models_alerts import RULE_KINDS
from services.demo import curves
from services.demo.quality import ALERT_RULES, SPEC_LIMITS
from services.quality import alerts


def test_limits_are_on_features_the_plant_records_in_their_units() -> None:
    for (process, feature), (unit, _lsl, _usl) in SPEC_LIMITS.items():
        assert (feature, unit) in curves.PROCESS_SPECS[process].features


def test_limits_are_the_generators_ok_windows() -> None:
    assert SPEC_LIMITS == {
        (curves.PRESS_FIT, "peak_force"): ("kN", *curves.PEAK_FORCE_OK),
        (curves.SCREW_DRIVING, "final_torque"): ("Nm", *curves.FINAL_TORQUE_OK),
        (curves.TEMPERATURE, "max_temperature"): ("°C", None, curves.MAX_TEMPERATURE_OK),
    }
    for _unit, lsl, usl in SPEC_LIMITS.values():
        assert lsl is not None or usl is not None
        assert lsl is None or usl is None or lsl < usl


@pytest.mark.parametrize(("name", "kind", "params", "severity"), ALERT_RULES)
def test_starting_rules_pass_the_rule_check_unchanged(name: str, kind: str,
                                                      params: dict[str, object],
                                                      severity: str) -> None:
    checked = alerts.validate_rule(kind, dict(params), severity, specs=SPEC_LIMITS)
    assert checked == {k: float(v) if isinstance(v, int) else v for k, v in params.items()}
    assert name.strip() == name and len(name) <= 120


def test_one_rule_of_each_kind() -> None:
    assert sorted(kind for _n, kind, _p, _s in ALERT_RULES) == sorted(RULE_KINDS)
