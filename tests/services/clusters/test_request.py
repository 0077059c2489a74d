"""What an admin asks for: the request's defaults, its storage total and its database name."""

from __future__ import annotations

import pytest

from services.clusters.request import ClusterSpec, TierSizes, database_name_for


@pytest.mark.parametrize(("name", "database"), [
    ("Line 3 — Press Shop", "line_3_press_shop"),
    ("Überlingen Werk 2", "uberlingen_werk_2"),
    ("  spaces   and---dashes  ", "spaces_and_dashes"),
    ("2026 audit", "c_2026_audit"),
    ("ÆØÅ", "a"),  # Å keeps its a; Æ and Ø have no ASCII decomposition
    ("—", ""),
    ("x" * 80, "x" * 63),
    ("a" * 62 + " b", "a" * 62),
])
def test_database_names_are_ascii_lower_case_with_underscores(name: str, database: str) -> None:
    assert database_name_for(name) == database
    assert ClusterSpec(name=name).database_name == database


def test_storage_adds_up_its_tiers_and_defaults_are_the_wizards() -> None:
    assert TierSizes().total_gb == 1800
    assert TierSizes(hot_gb=1, warm_gb=2, cold_gb=3, archive_gb=4).total_gb == 10
    spec = ClusterSpec()
    assert (spec.cluster_type, spec.region_code, spec.nodes) == ("manufacturing", "local", 3)
    assert spec.members == () and not spec.load_sample_data
