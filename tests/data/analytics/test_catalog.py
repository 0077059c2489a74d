"""What a cluster's data holds, on a small known plant: processes with axes and places,
(line, station, product) combinations, features with units, results with defect modes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from data.analytics import catalog
from lyceum.errors import ValidationError
from services.clusters.query_session import ClusterSession


def test_an_empty_cluster_holds_nothing(cluster_session: ClusterSession) -> None:
    assert catalog.processes(cluster_session) == []
    assert catalog.places(cluster_session) == []
    assert catalog.features(cluster_session) == []
    assert catalog.outcomes(cluster_session) == []


def test_catalog_of_the_plant(plant: ClusterSession) -> None:
    assert [tuple(r) for r in catalog.processes(plant)] == [
        ("press", "position", "mm", "force", "kN", 4, ["OP10", "OP20"], ["L1", "L2"]),
        ("screw", "angle", "deg", "torque", "Nm", 2, ["OP10", "OP20"], ["L1", "L2"])]
    assert catalog.places(plant) == [
        ("L1", "OP10", "P1"), ("L1", "OP20", "P2"), ("L2", "OP10", "P1"),
        ("L2", "OP20", "P2")]
    assert catalog.features(plant) == [
        ("press", "knee", "mm", 1), ("press", "peak", "kN", 4), ("screw", "final", "Nm", 2)]
    assert catalog.outcomes(plant) == [
        ("NOK", "burr", 2), ("NOK", "crack", 2), ("OK", "", 5), ("WARNING", "", 2)]


def test_the_database_name_must_be_an_identifier(cluster_session: ClusterSession) -> None:
    bad = replace(cluster_session, database="x; DROP DATABASE system")
    with pytest.raises(ValidationError):
        catalog.features(bad)
