"""Capability studies: within and overall sigma, the four indices, the reasons for none."""

from __future__ import annotations

import numpy as np
import pytest

from lyceum.errors import ValidationError
from services.quality import spc
from services.quality.spc_capability import study, within_sigma

RNG = np.random.default_rng(7)
GROUPS = RNG.normal(10.0, 1.0, (20, 5))


def test_indices_use_within_sigma_for_cp_and_overall_sigma_for_pp() -> None:
    result = study("xbar_r", GROUPS, lsl=7.0, usl=14.0)
    within = np.ptp(GROUPS, axis=1).mean() / 2.326
    overall = GROUPS.std(ddof=1)
    mean = GROUPS.mean()
    assert result.n == 100 and not result.note
    assert result.sigma_within == pytest.approx(within)
    assert result.sigma_overall == pytest.approx(overall)
    assert result.cp == pytest.approx(7 / (6 * within))
    assert result.cpk == pytest.approx(min(14 - mean, mean - 7) / (3 * within))
    assert result.pp == pytest.approx(7 / (6 * overall))
    assert result.ppk == pytest.approx(min(14 - mean, mean - 7) / (3 * overall))


def test_within_sigma_of_each_chart() -> None:
    wide = RNG.normal(0.0, 2.0, (10, 10))
    assert within_sigma("xbar_s", wide) == pytest.approx(
        wide.std(axis=1, ddof=1).mean() / spc.c4(10))
    flat = [1.0, 3.0, 2.0, 4.0]
    assert within_sigma("imr", [flat]) == pytest.approx(np.mean([2, 1, 2]) / 1.128)
    with pytest.raises(ValidationError, match="X̄-R, X̄-S or I-MR"):
        within_sigma("cusum", GROUPS)


def test_one_sided_specification_has_no_cp() -> None:
    result = study("xbar_r", GROUPS, lsl=None, usl=14.0)
    assert result.cp is None and result.pp is None
    assert result.cpk is not None and result.ppk is not None


def test_clear_reasons_instead_of_numbers() -> None:
    missing = study("xbar_r", GROUPS, lsl=None, usl=None)
    assert missing.cp is None and missing.note.startswith("No specification limits")
    assert missing.n == 100
    few = study("xbar_r", GROUPS[:5], lsl=7.0, usl=14.0)
    assert few.note == "Only 25 values: the indices are uncertain; 30 or more are advised."
    assert few.cpk is not None
    too_few = study("xbar_r", GROUPS[:1], lsl=7.0, usl=14.0)
    assert too_few.note == "Capability needs at least 10 values; this window has 5."
    assert too_few.cpk is None
    flat = study("xbar_r", np.full((10, 5), 3.0), lsl=1.0, usl=5.0)
    assert flat.note.startswith("The values do not vary") and flat.cp is None
    empty = study("imr", np.empty((1, 0)), lsl=1.0, usl=5.0)
    assert empty.n == 0 and empty.note.startswith("No values")
