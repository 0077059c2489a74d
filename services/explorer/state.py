"""The curve explorer's shareable state: filters, colouring, zoom, highlights, golden curve,
evaluation objects — encoded into one URL-safe string and decoded with full validation.

The API (``ExplorerState``, ``EvalObject``, ``encode_state``, ``decode_state``, ``explorer_url``)
is used by other pages (alerts, saved charts) and stays stable.

Encoding: compact JSON (short keys, defaults omitted) → zlib → base64url without padding,
prefixed by a version letter. Decoding bounds the input length and the decompressed size
before parsing, then validates every field; any problem raises ``ValidationError``.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
import zlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from lyceum.errors import ValidationError

#: Version prefix of the encoded form.
_VERSION = "1"
#: Longest accepted encoded state (characters) and decompressed JSON (bytes).
#: (the web server reads request lines up to 8190 bytes: a link must fit in one, with its
#: path; see ``lyceum.serve``)
MAX_ENCODED = 7_600
MAX_JSON = 64_000
MAX_HIGHLIGHTS = 500
MAX_FILTER_VALUES = 200
MAX_OBJECTS = 20
MAX_TEXT = 80
COLOR_BY = ("result", "line", "station", "product", "batch")
#: Relative time ranges (resolved against the clock at each query; see
#: :mod:`services.explorer.time_ranges`).
RELATIVE = ("1h", "24h", "7d", "shift")
RESULTS = ("OK", "WARNING", "NOK")
OBJECT_KINDS = ("window", "envelope", "threshold")
#: Fields every evaluation object must have; the others take :class:`EvalObject`'s defaults.
REQUIRED_OBJECT_FIELDS = ("kind", "name", "x0", "x1")
SIDES = ("left", "right", "top", "bottom")
DIRECTIONS = ("up", "down")
_TEXT = re.compile(r"^[\w .:/#()+\-]{1,80}$")
_FILTER_KEYS = ("lines", "stations", "products", "batches", "results")


@dataclass(frozen=True)
class EvalObject:
    """One evaluation object drawn on the chart.

    - ``window``: rectangle ``x0..x1 × y0..y1``; the curve must enter through ``entry`` and
      leave through ``exit`` (sides ``left``/``right``/``top``/``bottom``).
    - ``envelope``: between ``x0`` and ``x1`` the curve must stay inside the golden band
      widened by ``margin`` (y units) on both sides.
    - ``threshold``: the segment ``(x0, y0)–(x1, y1)`` (``x0 < x1``); the curve must cross it
      going ``direction`` (``up``: from below to above).
    """

    kind: str
    name: str
    x0: float
    x1: float
    y0: float = 0.0
    y1: float = 0.0
    entry: str = "left"
    exit: str = "right"
    direction: str = "up"
    margin: float = 0.0


@dataclass(frozen=True)
class ExplorerState:
    """Everything the explorer shows, enough to reopen the same view (``hidden``: colour
    groups switched off)."""

    process: str | None = None
    lines: tuple[str, ...] = ()
    stations: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    batches: tuple[str, ...] = ()
    results: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    #: A relative range ("1h", "24h", "7d", "shift") instead of ``start``/``end``.
    relative: str | None = None
    color_by: str = "result"
    hidden: tuple[str, ...] = ()
    x_range: tuple[float, float] | None = None
    y_range: tuple[float, float] | None = None
    highlight: tuple[int, ...] = ()
    golden_id: int | None = None
    objects: tuple[EvalObject, ...] = field(default_factory=tuple)

    def with_(self, **changes: Any) -> ExplorerState:
        """A copy with ``changes`` applied, validated."""
        return validate_state(replace(self, **changes))


# ----------------------------------------------------------------------------- validation

def _bad(message: str, name: str) -> ValidationError:
    return ValidationError(message, fields={name: message})


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _TEXT.match(value):
        raise _bad(f"{name}: expected a short name (letters, digits, spaces, . : / # ( ) + -).",
                   name)
    return value


def _texts(values: Any, name: str) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        raise _bad(f"{name}: expected a list of values.", name)
    if len(values) > MAX_FILTER_VALUES:
        raise _bad(f"{name}: at most {MAX_FILTER_VALUES} values.", name)
    return tuple(dict.fromkeys(_text(v, name) for v in values))


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _bad(f"{name}: expected a finite number.", name)
    return float(value)


def _range(value: Any, name: str) -> tuple[float, float] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise _bad(f"{name}: expected two numbers [low, high].", name)
    low, high = (_number(v, name) for v in value)
    if not low < high:
        raise _bad(f"{name}: the low end must be below the high end.", name)
    return (low, high)


def _curve_id(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**63:
        raise _bad(f"{name}: expected a curve id (a non-negative integer).", name)
    return value


def _time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        stamp = value
    elif isinstance(value, str) and len(value) <= 40:
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            raise _bad(f"{name}: expected an ISO date or time.", name) from None
    else:
        raise _bad(f"{name}: expected an ISO date or time.", name)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def _choice(value: Any, allowed: tuple[str, ...], name: str) -> str:
    if value not in allowed:
        raise _bad(f"{name}: must be one of {', '.join(allowed)}.", name)
    return str(value)


def parse_object(fields: Mapping[str, Any]) -> EvalObject:
    """An evaluation object from loose values (a table row, a decoded link), every field
    checked: known kind and sides, finite ordered coordinates; absent fields take the
    defaults of :class:`EvalObject`. Raises ``ValidationError``, never another exception."""
    def get(key: str) -> Any:
        return fields.get(key, getattr(_DEFAULT_OBJ, key) if key in _OPTIONAL else None)

    kind = _choice(get("kind"), OBJECT_KINDS, "object kind")
    name = _text(get("name"), "object name")
    x0, x1 = _number(get("x0"), "object x0"), _number(get("x1"), "object x1")
    y0, y1 = _number(get("y0"), "object y0"), _number(get("y1"), "object y1")
    if not x0 < x1:
        raise _bad(f"Object {name}: x0 must be below x1.", "objects")
    if kind == "window" and not y0 < y1:
        raise _bad(f"Object {name}: y0 must be below y1.", "objects")
    margin = _number(get("margin"), "object margin")
    if margin < 0:
        raise _bad(f"Object {name}: the margin cannot be negative.", "objects")
    return EvalObject(kind=kind, name=name, x0=x0, x1=x1, y0=y0, y1=y1,
                      entry=_choice(get("entry"), SIDES, "object entry"),
                      exit=_choice(get("exit"), SIDES, "object exit"),
                      direction=_choice(get("direction"), DIRECTIONS, "object direction"),
                      margin=margin)


def validate_object(obj: EvalObject) -> EvalObject:
    """``obj`` checked: known kind and sides, finite ordered coordinates."""
    return parse_object(asdict(obj))


def validate_state(state: ExplorerState) -> ExplorerState:
    """``state`` with every field checked and normalised; raises ``ValidationError``."""
    process = None if state.process is None else _text(state.process, "process")
    filters = {key: _texts(getattr(state, key), key) for key in _FILTER_KEYS}
    for value in filters["results"]:
        _choice(value, RESULTS, "results")
    start, end = _time(state.start, "start"), _time(state.end, "end")
    if start and end and start > end:
        raise _bad("The date range is backwards: the start is after the end.", "start")
    relative = None if state.relative is None else _choice(state.relative, RELATIVE, "range")
    if relative and (start or end):
        raise _bad("Choose either a relative range or dates, not both.", "range")
    if not isinstance(state.highlight, list | tuple):
        raise _bad("highlight: expected a list of curve ids.", "highlight")
    if len(state.highlight) > MAX_HIGHLIGHTS:
        raise _bad(f"At most {MAX_HIGHLIGHTS} highlighted curves.", "highlight")
    objects = state.objects
    if not isinstance(objects, list | tuple) or len(objects) > MAX_OBJECTS:
        raise _bad(f"objects: at most {MAX_OBJECTS} evaluation objects.", "objects")
    names = [o.name for o in objects if isinstance(o, EvalObject)]
    if len(names) != len(objects):
        raise _bad("objects: expected evaluation objects.", "objects")
    if len(set(names)) != len(names):
        raise _bad("objects: every evaluation object needs its own name.", "objects")
    return ExplorerState(
        process=process, **filters, start=start, end=end, relative=relative,
        color_by=_choice(state.color_by, COLOR_BY, "color_by"),
        hidden=_texts(state.hidden, "hidden"),
        x_range=_range(state.x_range, "x_range"), y_range=_range(state.y_range, "y_range"),
        highlight=tuple(dict.fromkeys(_curve_id(c, "highlight") for c in state.highlight)),
        golden_id=None if state.golden_id is None else _curve_id(state.golden_id, "golden_id"),
        objects=tuple(validate_object(o) for o in objects),
    )


# ----------------------------------------------------------------------------- codec

_OBJ_KEYS = {"k": "kind", "n": "name", "x0": "x0", "x1": "x1", "y0": "y0", "y1": "y1",
             "en": "entry", "ex": "exit", "d": "direction", "m": "margin"}
_KEYS = {"p": "process", "l": "lines", "s": "stations", "pr": "products", "b": "batches",
         "r": "results", "t0": "start", "t1": "end", "rt": "relative", "c": "color_by",
         "hd": "hidden",
         "xr": "x_range", "yr": "y_range", "h": "highlight", "g": "golden_id", "o": "objects"}
_DEFAULT = ExplorerState()
_DEFAULT_OBJ = EvalObject(kind="window", name="w", x0=0.0, x1=1.0)
#: Fields of an evaluation object that may be left out (they take the defaults).
_OPTIONAL = ("y0", "y1", "entry", "exit", "direction", "margin")


def _short(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, tuple):
        return [_short(v) for v in value]
    return value


def _object_dict(obj: EvalObject) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for short, name in _OBJ_KEYS.items():
        value = getattr(obj, name)
        if short in ("k", "n", "x0", "x1") or value != getattr(_DEFAULT_OBJ, name):
            out[short] = _short(value)
    return out


def state_to_dict(state: ExplorerState) -> dict[str, Any]:
    """The compact JSON-ready form (short keys, defaults left out)."""
    out: dict[str, Any] = {}
    for short, name in _KEYS.items():
        value = getattr(state, name)
        if value == getattr(_DEFAULT, name):
            continue
        out[short] = ([_object_dict(o) for o in value] if name == "objects" else _short(value))
    return out


def state_from_dict(data: Any) -> ExplorerState:
    """The validated state from its compact form; unknown keys are refused."""
    if not isinstance(data, dict):
        raise _bad("The explorer link is not valid.", "s")
    unknown = set(data) - set(_KEYS)
    if unknown:
        raise _bad("The explorer link contains unknown fields.", "s")
    values = {_KEYS[k]: v for k, v in data.items()}
    raw_objects = values.pop("objects", [])
    if not isinstance(raw_objects, list) or len(raw_objects) > MAX_OBJECTS:
        raise _bad(f"objects: at most {MAX_OBJECTS} evaluation objects.", "objects")
    objects = []
    for raw in raw_objects:
        if (not isinstance(raw, dict) or set(raw) - set(_OBJ_KEYS)
                or not {"k", "n", "x0", "x1"} <= set(raw)):
            raise _bad("objects: an evaluation object is malformed.", "objects")
        objects.append(parse_object({_OBJ_KEYS[k]: v for k, v in raw.items()}))
    for key in (*_FILTER_KEYS, "highlight", "hidden"):
        if key in values and not isinstance(values[key], list):
            raise _bad(f"{key}: expected a list.", key)
    try:
        state = ExplorerState(**values, objects=tuple(objects))
    except TypeError:
        raise _bad("The explorer link is not valid.", "s") from None
    return validate_state(state)


def encode_state(state: ExplorerState) -> str:
    """``state`` (validated) as a compact URL-safe string."""
    state = validate_state(state)
    raw = json.dumps(state_to_dict(state), separators=(",", ":"), ensure_ascii=True)
    packed = zlib.compress(raw.encode("ascii"), 9)
    return _VERSION + base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode_state(text: str) -> ExplorerState:
    """The state from ``encode_state``'s string; any malformed or oversized input raises
    ``ValidationError`` with a clear message (never another exception)."""
    if not isinstance(text, str) or not text:
        raise _bad("The explorer link is empty.", "s")
    if len(text) > MAX_ENCODED:
        raise _bad("The explorer link is too long.", "s")
    if text[0] != _VERSION or not re.fullmatch(r"[A-Za-z0-9_\-]+", text[1:]):
        raise _bad("The explorer link is not valid.", "s")
    body = text[1:]
    try:
        packed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj()
        raw = inflater.decompress(packed, MAX_JSON + 1)
        if len(raw) > MAX_JSON or inflater.unconsumed_tail:
            raise _bad("The explorer link is too large.", "s")
        data = json.loads(raw.decode("ascii"))
    except ValidationError:
        raise
    except (binascii.Error, zlib.error, UnicodeDecodeError, ValueError, RecursionError):
        raise _bad("The explorer link is not valid.", "s") from None
    return state_from_dict(data)


def explorer_url(cluster_id: int, state: ExplorerState | None = None) -> str:
    """The explorer page of ``cluster_id`` opened on ``state`` (a relative URL)."""
    if isinstance(cluster_id, bool) or not isinstance(cluster_id, int) or cluster_id < 1:
        raise _bad("Unknown cluster.", "cluster_id")
    base = f"/clusters/{cluster_id}/explorer"
    if state is None or state == _DEFAULT:
        return base
    encoded = encode_state(state)
    if len(encoded) > MAX_ENCODED:
        raise _bad("This view is too large for a link: drop some highlighted curves or "
                   "evaluation objects.", "s")
    return f"{base}?s={encoded}"


def with_view(state: ExplorerState, view: Any, *, selected: Any = None,
              objects: tuple[EvalObject, ...] | None = None) -> ExplorerState:
    """``state`` as the page shows it: the zoom of ``view`` (``{"x": [lo, hi] | None, "y":
    …}``, an absent key keeps the state's range), the clicked curve ``selected`` as its
    highlight (``None``: the state's), ``objects`` drawn (``None``: the applied ones).
    Everything is validated; bad client data raises ``ValidationError``."""
    view = view if isinstance(view, dict) else {}
    changes: dict[str, Any] = {
        "x_range": view.get("x", state.x_range), "y_range": view.get("y", state.y_range)}
    if selected is not None:
        changes["highlight"] = (_curve_id(selected, "highlight"),)
    if objects is not None:
        changes["objects"] = objects
    return state.with_(**changes)


def query_link(search: Any) -> str:
    """The encoded state of a page address's query string (``"?s=…"``; ``""`` when it has
    none). Only a bounded, single ``s`` parameter is read."""
    if not isinstance(search, str) or not search or search == "?":
        return ""
    if len(search) > MAX_ENCODED + 16:
        raise _bad("The explorer link is too long.", "s")
    found = re.fullmatch(r"\?(?:[^&]*&)*?s=([A-Za-z0-9_\-]*)(?:&.*)?", search)
    return found.group(1) if found else ""
