"""Bounds on statements running at once: per cluster and overall, refused at once."""

from __future__ import annotations

import pytest

from lyceum.engine.admission import Admission
from lyceum.engine.protocol import EngineFailure


def test_a_cluster_beyond_its_bound_is_refused_while_others_run() -> None:
    admission = Admission(overall=3, per_cluster=1)
    release = admission.enter("1", bounded=True)
    with pytest.raises(EngineFailure) as found:
        admission.enter("1", bounded=True)
    assert found.value.name == "TOO_MANY_SIMULTANEOUS_QUERIES" and found.value.status == 503
    other = admission.enter("2", bounded=True)
    release()
    release()  # giving a place back twice changes nothing
    admission.enter("1", bounded=True)
    other()
    assert admission.running() == 1


def test_the_overall_bound_holds_for_the_app_too() -> None:
    admission = Admission(overall=2, per_cluster=1)
    admission.enter("None", bounded=False)
    admission.enter("None", bounded=False)
    with pytest.raises(EngineFailure):
        admission.enter("None", bounded=False)
