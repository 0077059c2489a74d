"""The live dashboard's view as plain choices, in its address and its saved views: what each
choice may be (allow lists: the windows, the cluster's lines, stations and features, the
chart kinds and baselines), read from a query string and written back to one.

Every choice from a client (an address, a saved view) is checked here before the dashboard
uses it; anything unknown is refused with one message, and the page opens its default view.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from lyceum.errors import ValidationError
from services.clusters import catalog as catalogs
from services.core.runtime import Runtime
from services.quality import spec_limits
from services.quality.kpis import WINDOWS
from services.quality.spc import CHART_TYPES
from services.quality.spc_attributes import ATTRIBUTE_KINDS
from services.quality.spc_baseline import CHOICES as BASELINE_CHOICES

#: The choices, in the order the address lists them, and their defaults ("all": every line
#: or station; ``None``: the cluster's first feature).
DEFAULTS: dict[str, str | None] = {
    "window": "24h", "line": "all", "station": "all", "spc_feature": None,
    "spc_kind": "xbar_r", "spc_baseline": "7d", "attribute": "p"}
VIEW_KEYS = tuple(DEFAULTS)
ALL = "all"
#: Longest query string read, and longest value.
MAX_QUERY = 2_000
MAX_VALUE = 200
#: Baselines an address may name (subgroup and date baselines take their two fields
#: from the page, as when they are chosen there).
BASELINES = BASELINE_CHOICES
_REFUSED = "This dashboard link names choices this cluster does not have"


def parse_query(search: Any) -> dict[str, str]:
    """The view's choices in a query string (``"?window=7d&line=…"``); other parameters
    are left to their owners. Raises ``ValidationError`` on an oversized or repeated one."""
    if not isinstance(search, str) or search in ("", "?"):
        return {}
    if len(search) > MAX_QUERY:
        raise ValidationError("This dashboard link is too long.", fields={"search": "long"})
    found: dict[str, str] = {}
    for key, value in parse_qsl(search.lstrip("?"), keep_blank_values=True):
        if key not in DEFAULTS:
            continue
        if key in found or len(value) > MAX_VALUE:
            raise ValidationError(f"{_REFUSED} ({key}).", fields={key: "invalid"})
        found[key] = value
    return found


def checked_view(runtime: Runtime, cluster_id: int,
                 wanted: Mapping[str, Any]) -> dict[str, str]:
    """``wanted`` choices checked against what this cluster offers (absent ones take their
    defaults; the first feature when none is named). Raises ``ValidationError`` naming the
    first choice that is not offered."""
    catalog = catalogs.catalog(runtime, cluster_id)
    features = [f.key for f in spec_limits.feature_list(runtime, cluster_id)]
    chosen = {k: wanted.get(k) if wanted.get(k) not in (None, "") else DEFAULTS[k]
              for k in VIEW_KEYS}
    line = chosen["line"]
    allowed: dict[str, tuple[Any, ...]] = {
        "window": tuple(WINDOWS), "line": (ALL, *catalog.lines),
        "station": (ALL, *catalog.stations_of("" if line == ALL else str(line))),
        "spc_feature": (None, *features), "spc_kind": CHART_TYPES,
        "spc_baseline": BASELINES, "attribute": ATTRIBUTE_KINDS}
    for key in VIEW_KEYS:
        if chosen[key] not in allowed[key]:
            raise ValidationError(f"{_REFUSED} ({key.replace('spc_', '')}); the default view "
                                  "is shown.", fields={key: "unknown"})
    if chosen["spc_feature"] is None and features:
        chosen["spc_feature"] = features[0]
    return {k: str(v) for k, v in chosen.items() if v is not None}


def dashboard_path(cluster_id: int) -> str:
    """The address path of ``cluster_id``'s live dashboard."""
    return f"/clusters/{int(cluster_id)}/dashboard"


def view_query(choices: Mapping[str, Any]) -> str:
    """The query string of ``choices`` (defaults left out; ``""`` for the default view).
    Only the view's own keys with short text values are written."""
    kept = {k: str(choices[k]) for k in VIEW_KEYS
            if isinstance(choices.get(k), str) and choices[k] and choices[k] != DEFAULTS[k]
            and len(choices[k]) <= MAX_VALUE}
    return f"?{urlencode(kept)}" if kept else ""


@dataclass(frozen=True)
class OpeningView:
    """What the page draws first: the checked choices (the default view when the wanted
    ones are refused: the page's open callback then says why) and every choice offered."""

    choices: dict[str, str]
    lines: tuple[str, ...]
    stations: tuple[str, ...]
    features: tuple[spec_limits.SpecLimit, ...]
    refused: bool = False


def opening_view(runtime: Runtime, cluster_id: int,
                 wanted: Mapping[str, Any]) -> OpeningView:
    """The view a page opens with, for its first draw (the caller checked the role): so the
    panels, the SPC job among them, start with the page instead of a round later. Raises
    ``AppError`` only when the cluster's catalog cannot be read."""
    refused = False
    try:
        chosen = checked_view(runtime, cluster_id, wanted)
    except ValidationError:
        chosen, refused = checked_view(runtime, cluster_id, {}), True
    catalog = catalogs.catalog(runtime, cluster_id)
    line = chosen.get("line", ALL)
    return OpeningView(chosen, tuple(catalog.lines),
                       tuple(catalog.stations_of("" if line == ALL else line)),
                       tuple(spec_limits.feature_list(runtime, cluster_id)), refused)
