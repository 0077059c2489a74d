"""The dashboard's view in its address: choices read, checked against the cluster's own
(allow lists), written back; forged or oversized addresses refused with one message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lyceum.errors import ValidationError
from services.clusters import catalog as catalogs
from services.core.runtime import Runtime
from services.quality import spec_limits
from services.quality.dashboard_view import (
    MAX_QUERY,
    checked_view,
    opening_view,
    parse_query,
    view_query,
)
from tests.access_world import register_cluster

DB = "dashboard_view_test"
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
def cluster_id(runtime: Runtime, demo_db: str) -> int:
    return register_cluster(runtime, demo_db, name="View plant", is_demo=False)


def test_the_query_string_round_trips_and_leaves_defaults_out() -> None:
    view = {"window": "7d", "line": "all", "station": "all", "spc_feature": "a::b",
            "spc_kind": "imr", "spc_baseline": "7d", "attribute": "u"}
    search = view_query(view)
    assert search == "?window=7d&spc_feature=a%3A%3Ab&spc_kind=imr&attribute=u"
    assert parse_query(search) == {"window": "7d", "spc_feature": "a::b", "spc_kind": "imr",
                                   "attribute": "u"}
    assert view_query({"window": "24h"}) == ""
    assert parse_query("?asset=3&rule=4") == {}  # other parameters belong to others


@pytest.mark.parametrize("search, message", [
    ("?window=7d&window=1h", "does not have"),
    ("?line=" + "x" * 300, "does not have"),
    ("?line=" + "x" * MAX_QUERY, "too long"),
])
def test_forged_query_strings_are_refused(search: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_query(search)


def test_choices_are_checked_against_the_cluster(runtime: Runtime, cluster_id: int) -> None:
    catalog = catalogs.catalog(runtime, cluster_id)
    first = spec_limits.feature_list(runtime, cluster_id)[0].key
    line = catalog.lines[0]
    station = catalog.stations_of(line)[0]
    assert checked_view(runtime, cluster_id, {}) == {
        "window": "24h", "line": "all", "station": "all", "spc_feature": first,
        "spc_kind": "xbar_r", "spc_baseline": "7d", "attribute": "p"}
    chosen = checked_view(runtime, cluster_id, {"window": "7d", "line": line,
                                                "station": station, "spc_kind": "imr"})
    assert (chosen["window"], chosen["line"], chosen["station"]) == ("7d", line, station)


@pytest.mark.parametrize("wanted, named", [
    ({"window": "1y"}, "(window)"), ({"line": "Line 99"}, "(line)"),
    ({"station": "OP99 Nowhere"}, "(station)"), ({"spc_feature": "x::y"}, "(feature)"),
    ({"spc_kind": "pareto"}, "(kind)"), ({"spc_baseline": "90d"}, "(baseline)"),
    ({"attribute": "z"}, "(attribute)"), ({"line": "' OR 1=1 --"}, "(line)"),
])
def test_a_choice_the_cluster_does_not_offer_is_refused(runtime: Runtime, cluster_id: int,
                                                        wanted: dict[str, str],
                                                        named: str) -> None:
    with pytest.raises(ValidationError, match=r"does not have .*" + named.replace(
            "(", r"\(").replace(")", r"\)")):
        checked_view(runtime, cluster_id, wanted)


def test_the_opening_view_offers_the_cluster_choices_with_the_checked_ones(
        runtime: Runtime, cluster_id: int) -> None:
    catalog = catalogs.catalog(runtime, cluster_id)
    line = catalog.lines[0]
    opened = opening_view(runtime, cluster_id, {"line": line, "spc_kind": "imr"})
    assert opened.choices == checked_view(runtime, cluster_id, {"line": line,
                                                                "spc_kind": "imr"})
    assert opened.lines == catalog.lines
    assert opened.stations == catalog.stations_of(line)  # the chosen line's stations
    assert [f.key for f in opened.features] == [
        f.key for f in spec_limits.feature_list(runtime, cluster_id)]
    assert opened.choices["spc_feature"] == opened.features[0].key  # the SPC starts at once
    assert not opened.refused


def test_a_refused_opening_view_opens_the_default_one(runtime: Runtime,
                                                       cluster_id: int) -> None:
    opened = opening_view(runtime, cluster_id, {"line": "' OR 1=1 --", "window": "7d"})
    assert opened.choices == checked_view(runtime, cluster_id, {})  # nothing of it is kept
    assert opened.refused  # the page's open callback says why
    assert opened.stations == catalogs.catalog(runtime, cluster_id).stations_of("")
