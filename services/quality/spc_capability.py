"""Process capability of a feature: Cp and Cpk with the within-subgroup σ (R̄/d2, S̄/c4 or
MR̄/d2), Pp and Ppk with the overall sample standard deviation, and the sample size; a
clear reason instead of numbers when the specification limits or the data are missing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lyceum.errors import ValidationError
from services.quality import spc

#: Fewer values than this give no indices at all.
MIN_VALUES = 10
#: Fewer values than this give indices with a warning that they are uncertain (a 95 %
#: interval for Cp spans about ±25 % at n = 30; Montgomery §8.3.4).
ADVISED_VALUES = 30


@dataclass(frozen=True)
class CapabilityStudy:
    """A capability study of ``n`` values: indices (``None`` when not defined), both
    sigmas, the spec limits, and ``note`` saying why indices are missing."""

    n: int
    mean: float | None
    sigma_within: float | None
    sigma_overall: float | None
    lsl: float | None
    usl: float | None
    cp: float | None = None
    cpk: float | None = None
    pp: float | None = None
    ppk: float | None = None
    note: str = ""


def indices(mean: float, sigma: float, *, lsl: float | None,
            usl: float | None) -> tuple[float | None, float]:
    """(Cp, Cpk)-style pair for ``sigma``: the spread index (``None`` when one-sided) and
    the worse one-sided index."""
    cap = spc.capability(mean, sigma, lsl=lsl, usl=usl)
    return cap.cp, math.nan if cap.cpk is None else cap.cpk


def within_sigma(kind: str, groups: Sequence[Sequence[float]] | np.ndarray) -> float:
    """σ within subgroups: R̄/d2 (X̄-R), S̄/c4 (X̄-S), MR̄/d2 (I-MR; ``groups`` one row)."""
    data = np.asarray(groups, dtype=np.float64)
    if kind == "imr":
        flat = data.ravel()
        if len(flat) < 2:
            raise ValidationError("The within σ needs at least 2 values.")
        return float(np.abs(np.diff(flat)).mean() / spc.d2(2))
    if data.ndim != 2 or data.shape[0] < 1 or data.shape[1] < 2:
        raise ValidationError("The within σ needs subgroups of at least 2 values.")
    n = data.shape[1]
    if kind == "xbar_r":
        return float(np.ptp(data, axis=1).mean() / spc.d2(n))
    if kind == "xbar_s":
        return float(data.std(axis=1, ddof=1).mean() / spc.c4(n))
    raise ValidationError("Choose X̄-R, X̄-S or I-MR.")


def study(kind: str, groups: Sequence[Sequence[float]] | np.ndarray, *, lsl: float | None,
          usl: float | None, minimum: int = MIN_VALUES) -> CapabilityStudy:
    """Capability of the values in ``groups`` (rows are subgroups; one row for I-MR)."""
    data = np.asarray(groups, dtype=np.float64)
    flat = data.ravel()
    n = int(flat.size)
    if n == 0:
        return CapabilityStudy(0, None, None, None, lsl, usl,
                               note="No values in this window for a capability study.")
    mean = float(flat.mean())
    overall = float(flat.std(ddof=1)) if n > 1 else None
    within = within_sigma(kind, data) if n >= 2 else None
    base = CapabilityStudy(n, mean, within, overall, lsl, usl)
    if lsl is None and usl is None:
        return _with(base, note="No specification limits for this feature: set LSL or USL "
                                "to see Cp, Cpk, Pp and Ppk.")
    if n < minimum:
        return _with(base, note=f"Capability needs at least {minimum} values; this window "
                                f"has {n}.")
    if not within or not overall or not math.isfinite(within) or not math.isfinite(overall):
        return _with(base, note="The values do not vary: σ is 0, so no index is defined.")
    cp, cpk = indices(mean, within, lsl=lsl, usl=usl)
    pp, ppk = indices(mean, overall, lsl=lsl, usl=usl)
    warning = (f"Only {n} values: the indices are uncertain; {ADVISED_VALUES} or more are "
               "advised." if n < ADVISED_VALUES else "")
    return CapabilityStudy(n, mean, within, overall, lsl, usl, cp, cpk, pp, ppk, warning)


def _with(base: CapabilityStudy, *, note: str) -> CapabilityStudy:
    return CapabilityStudy(base.n, base.mean, base.sigma_within, base.sigma_overall,
                           base.lsl, base.usl, note=note)
