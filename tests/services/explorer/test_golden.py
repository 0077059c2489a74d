"""Golden curves: built from profiles by either method with clear refusals, saved as
numbered versions per cluster and process, read back only on their own cluster."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sqlalchemy import select

from data.metadata.models import AuditEntry
from lyceum.errors import NotFound, ValidationError
from services.core.audit import Actor
from services.core.runtime import Runtime
from services.explorer import golden
from services.explorer.curve_queries import Profiles
from tests.access_world import register_cluster

X = np.arange(0.0, 5.0)


def _profiles(rows: list[list[float]]) -> Profiles:
    mean = np.array(rows, dtype=np.float64)
    return Profiles(curve_ids=np.arange(1, len(rows) + 1, dtype=np.int64), x=X, mean=mean,
                    low=mean, high=mean)


FIVE = _profiles([[float(k)] * 5 for k in (1, 2, 3, 4, 100)])


def test_median_percentile_is_robust_to_one_wild_curve() -> None:
    g = golden.build(FIVE, method="median-percentile", band=25)
    assert g.center.tolist() == [3.0] * 5
    assert g.lower.tolist() == [2.0] * 5 and g.upper.tolist() == [4.0] * 5
    assert (g.n_curves, g.method, g.band, g.id) == (5, "median-percentile", 25, None)


@pytest.mark.parametrize("shape", [(300, 80), (4, 9), (1, 5)])
def test_nan_quantiles_match_numpy_with_gaps(shape: tuple[int, int]) -> None:
    """Median and band as numpy's nanmedian/nanpercentile give them: scattered gaps, a bin
    with one value, an empty bin (NaN, no warning to the caller)."""
    rng = np.random.default_rng(7)
    matrix = rng.normal(size=shape)
    matrix[rng.random(shape) < 0.2] = np.nan
    matrix[:, 0] = np.nan
    matrix[1:, 1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = [np.nanmedian(matrix, axis=0),
                    *np.nanpercentile(matrix, [5.0, 95.0], axis=0)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = golden.nan_quantiles(matrix, [0.5, 0.05, 0.95])
    for want, got in zip(expected, found, strict=True):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12, equal_nan=True)


def test_mean_sigma_uses_k_standard_deviations() -> None:
    g = golden.build(_profiles([[1.0] * 5, [3.0] * 5, [5.0] * 5]), method="mean-sigma", band=2)
    sigma = float(np.std([1.0, 3.0, 5.0]))
    assert g.center.tolist() == [3.0] * 5
    assert g.upper.tolist() == pytest.approx([3.0 + 2 * sigma] * 5)


def test_only_the_chosen_curves_and_empty_bins_stay_empty() -> None:
    rows = [[1.0, 1.0, 1.0, 1.0, np.nan]] * 3 + [[50.0] * 5]
    g = golden.build(_profiles(rows), curve_ids=[1, 2, 3])
    assert g.n_curves == 3 and g.center[:4].tolist() == [1.0] * 4 and np.isnan(g.center[4])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"method": "mode"}, "Choose a method: median with percentiles, or mean ± kσ."),
    ({"band": 50}, "The band must be a percentile in (0, 50) or k in (0, 10]."),
    ({"band": 0}, "The band must be a percentile in (0, 50) or k in (0, 10]."),
    ({"method": "mean-sigma", "band": 11}, "The band must be a percentile in (0, 50)"),
    ({"curve_ids": [1, 2]}, "A golden curve needs at least 3 curves; widen the filters."),
])
def test_bad_requests_are_refused_with_a_message(kwargs: dict[str, object],
                                                 message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        golden.build(FIVE, **kwargs)  # type: ignore[arg-type]
    assert refused.value.user_message.startswith(message)


def _audits(runtime: Runtime) -> int:
    with runtime.db.session() as session:
        return len(list(session.scalars(select(AuditEntry).where(
            AuditEntry.action == "golden_curve.save"))))


def test_saved_versions_round_trip_and_stay_on_their_cluster(runtime: Runtime) -> None:
    a, b = register_cluster(runtime, "golden_a"), register_cluster(runtime, "golden_b")
    actor = Actor(label="ed")
    built = golden.build(_profiles([[1.0, 2.0, np.nan, 4.0, 5.0]] * 3))
    first = golden.save(runtime, a, built, process="press-fit", name=" Press #1 ",
                        built_from={"filters": "all"}, actor=actor)
    second = golden.save(runtime, a, built, process="press-fit", name="Press #1",
                         built_from={}, actor=actor)
    assert (first.name, first.version, second.version) == ("Press #1", 1, 2)
    back = golden.get(runtime, a, first.id or 0)
    assert back.center[:2].tolist() == [1.0, 2.0] and np.isnan(back.center[2])
    assert back.band == built.band and back.n_curves == 3
    listed = golden.list_for(runtime, a, process="press-fit")
    assert [(g["name"], g["version"]) for g in listed] == [("Press #1", 2), ("Press #1", 1)]
    assert golden.list_for(runtime, a, process="screw-driving") == []
    assert _audits(runtime) == 2
    with pytest.raises(NotFound, match="That golden curve does not exist on this cluster."):
        golden.get(runtime, b, first.id or 0)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "a;b", "<script>"])
def test_a_bad_name_is_refused_and_nothing_is_saved(runtime: Runtime, name: str) -> None:
    a = register_cluster(runtime, "golden_names")
    with pytest.raises(ValidationError, match="Name the golden curve"):
        golden.save(runtime, a, golden.build(FIVE), process="press-fit", name=name,
                    built_from={}, actor=Actor(label="ed"))
    assert golden.list_for(runtime, a, process="press-fit") == [] and _audits(runtime) == 0
