"""The explorer's shareable state: round trips, and hostile or oversized links refused."""

from __future__ import annotations

import base64
import json
import random
import zlib
from datetime import UTC, datetime

import pytest

from lyceum.errors import ValidationError
from services.explorer.state import (
    MAX_ENCODED,
    MAX_HIGHLIGHTS,
    EvalObject,
    ExplorerState,
    decode_state,
    encode_state,
    explorer_url,
    parse_object,
    query_link,
    with_view,
)

FULL = ExplorerState(
    process="press-fit", lines=("Line 1", "Line 2"), stations=("OP10 Press-fit",),
    products=("PH-200 Pump housing",), batches=("LOT-261013-102",), results=("NOK", "OK"),
    start=datetime(2026, 10, 1, tzinfo=UTC), end=datetime(2026, 11, 1, tzinfo=UTC),
    color_by="line", x_range=(1.5, 8.25), y_range=(-1.0, 30.0),
    highlight=tuple(range(MAX_HIGHLIGHTS)), golden_id=7,
    objects=(EvalObject(kind="window", name="W1", x0=3, x1=4, y0=2, y1=9, entry="bottom"),
             EvalObject(kind="threshold", name="T", x0=1, x1=9, y0=20, y1=20,
                        direction="down"),
             EvalObject(kind="envelope", name="E", x0=2, x1=11, margin=0.5)))


def _raw(data: object) -> str:
    packed = zlib.compress(json.dumps(data).encode())
    return "1" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def test_round_trip_keeps_every_field() -> None:
    text = encode_state(FULL)
    assert decode_state(text) == FULL
    assert len(text) < 2_000  # 500 highlighted ids still make a short link
    assert decode_state(encode_state(ExplorerState())) == ExplorerState()


def test_explorer_url_is_relative_and_reopens_the_state() -> None:
    assert explorer_url(3) == "/clusters/3/explorer"
    url = explorer_url(3, FULL)
    assert url.startswith("/clusters/3/explorer?s=")
    assert decode_state(url.split("?s=", 1)[1]) == FULL
    with pytest.raises(ValidationError, match="Unknown cluster"):
        explorer_url(0, FULL)


@pytest.mark.parametrize("text, message", [
    ("", "empty"),
    ("x" * 20_000, "too long"),
    ("2abc", "not valid"),
    ("1<script>", "not valid"),
    ("1AAAA", "not valid"),
    (_raw([1, 2]), "not valid"),
    (_raw({"zz": 1}), "unknown fields"),
    (_raw({"p": "x') OR 1=1 --"}), "process"),
    (_raw({"l": "Line 1"}), "expected a list"),
    (_raw({"l": ["ok", {"a": 1}]}), "lines"),
    (_raw({"h": list(range(501))}), "At most 500"),
    (_raw({"h": [-1]}), "curve id"),
    (_raw({"h": [True]}), "curve id"),
    (_raw({"xr": [5, 1]}), "low end"),
    (_raw({"xr": [0, "Infinity"]}), "finite number"),
    (_raw({"t0": "2026-11-02", "t1": "2026-11-01"}), "backwards"),
    (_raw({"t0": "yesterday"}), "ISO date"),
    (_raw({"c": "__class__"}), "color_by"),
    (_raw({"r": ["MAYBE"]}), "results"),
    (_raw({"o": [{"k": "window", "n": "W", "x0": 2, "x1": 1}]}), "x0 must be below"),
    (_raw({"o": [{"k": "circle", "n": "W", "x0": 1, "x1": 2}]}), "object kind"),
    (_raw({"o": [{"k": "window", "n": "W", "x0": 1, "x1": 2, "zz": 1}]}), "malformed"),
    (_raw({"o": [{"k": "window", "n": "W"}]}), "malformed"),
    (_raw({"o": [{"k": "window", "n": "W", "x0": 1}]}), "malformed"),
    (_raw({"o": [{"k": "window", "n": "W", "x0": "1", "x1": 2}]}), "object x0"),
    (_raw({"o": [{"k": "window", "n": "W", "x0": 0, "x1": 1, "y1": None}]}), "object y1"),
    (_raw({"o": [{"k": "window", "n": "W", "x0": 0, "x1": 1, "y1": 1}] * 2}), "own name"),
])
def test_hostile_links_raise_a_clear_validation_error(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        decode_state(text)


def test_a_compressed_bomb_is_refused_without_inflating_it() -> None:
    bomb = zlib.compress(b"[" + b"0," * 2_000_000 + b"0]", 9)
    text = "1" + base64.urlsafe_b64encode(bomb).decode().rstrip("=")
    assert len(text) < MAX_ENCODED
    with pytest.raises(ValidationError, match="too large"):
        decode_state(text)


def test_with_validates_changes() -> None:
    with pytest.raises(ValidationError, match="At most 500"):
        FULL.with_(highlight=tuple(range(600)))
    assert FULL.with_(x_range=None).x_range is None


def test_parse_object_fills_absent_fields_with_the_defaults() -> None:
    parsed = parse_object({"kind": "threshold", "name": "T", "x0": 1, "x1": 9.5, "y1": 3})
    assert parsed == EvalObject(kind="threshold", name="T", x0=1.0, x1=9.5, y0=0.0, y1=3.0)
    assert isinstance(parsed.x0, float)


@pytest.mark.parametrize("fields, message", [
    ({"name": "W", "x0": 0, "x1": 1}, "object kind: must be one of"),
    ({"kind": "window", "x0": 0, "x1": 1}, "object name: expected a short name"),
    ({"kind": "window", "name": "W", "x1": 1}, "object x0: expected a finite number"),
    ({"kind": "window", "name": "W", "x0": 0, "x1": "2"}, "object x1: expected a finite number"),
    ({"kind": "window", "name": "W", "x0": 0, "x1": 1, "y1": 1, "entry": 3}, "object entry"),
    ({"kind": "envelope", "name": "E", "x0": 0, "x1": 1, "margin": -1}, "margin cannot be"),
])
def test_parse_object_refuses_loose_values_with_a_validation_error(
        fields: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        parse_object(fields)


def test_a_relative_range_round_trips_and_excludes_dates() -> None:
    relative = ExplorerState(process="press-fit", relative="shift")
    assert decode_state(encode_state(relative)) == relative
    with pytest.raises(ValidationError, match="range: must be one of"):
        decode_state(_raw({"rt": "1y"}))
    with pytest.raises(ValidationError, match="either a relative range or dates"):
        decode_state(_raw({"rt": "24h", "t0": "2026-11-01"}))


def test_with_view_takes_the_zoom_the_click_and_the_drawn_objects() -> None:
    base = ExplorerState(process="press-fit", x_range=(1.0, 2.0))
    window = EvalObject(kind="window", name="W1", x0=1, x1=2, y0=0, y1=1)
    shown = with_view(base, {"x": [0.5, 3.0], "y": None}, selected=42, objects=(window,))
    assert (shown.x_range, shown.y_range, shown.highlight) == ((0.5, 3.0), None, (42,))
    assert shown.objects == (window,)
    assert with_view(base, None) == base  # no zoom yet: the state's own
    with pytest.raises(ValidationError, match="low end"):
        with_view(base, {"x": [3, 1]})
    with pytest.raises(ValidationError, match="curve id"):
        with_view(base, {}, selected=-5)


@pytest.mark.parametrize("search, link", [
    ("", ""), (None, ""), ("?", ""), ("?s=1abc", "1abc"), ("?asset=3&s=1a-b_c", "1a-b_c"),
    ("?s=1abc&x=1", "1abc"), ("?t=1", ""), ("?s=<script>", ""),
])
def test_query_link_reads_only_a_well_formed_s(search: object, link: str) -> None:
    assert query_link(search) == link


def test_an_oversized_address_is_refused() -> None:
    with pytest.raises(ValidationError, match="too long"):
        query_link("?s=" + "a" * 20_000)


def test_a_view_too_large_for_a_link_is_refused_with_a_message() -> None:
    draw = random.Random(7)
    huge = FULL.with_(highlight=tuple(draw.randrange(2**62) for _ in range(MAX_HIGHLIGHTS)),
                      batches=tuple(f"LOT-{draw.randrange(10**15)}" for _ in range(150)))
    assert len(encode_state(huge)) > MAX_ENCODED
    with pytest.raises(ValidationError, match="too large for a link"):
        explorer_url(1, huge)
