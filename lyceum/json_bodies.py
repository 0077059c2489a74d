"""The one JSON parser of request bodies: bounded nesting, checked before parsing.

Flask's ``request.get_json`` (the API, Dash's callback endpoint, the ingest route) parses
through the app's JSON provider. Python's parser recurses once per nesting level, so a body
such as ``[[[[…]]]]`` 100,000 deep raised ``RecursionError``, which ``get_json(silent=True)``
does not catch: the request ended in a 500. The provider below measures the nesting of the
raw text first (C-speed passes, no recursion: 0.3-0.5 s for 45 MB, less than parsing it)
and refuses anything deeper than :data:`MAX_JSON_DEPTH` with a
:class:`~lyceum.errors.ValidationError` (400, with a message); the size of a body is bounded
by ``MAX_CONTENT_LENGTH`` before it is read.
"""

from __future__ import annotations

from itertools import accumulate
from typing import Any

from flask.json.provider import DefaultJSONProvider

from lyceum.errors import ValidationError

#: The deepest nesting of arrays and objects a request body may have. Every body the app
#: takes is a few levels deep; Dash callback payloads with component trees stay well below.
MAX_JSON_DEPTH = 128
TOO_DEEP = (f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; send flatter "
            "JSON.")
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def nesting_depth(raw: str | bytes) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings ignored).

    Linear and without recursion, in C-speed passes: drop escape pairs (so no quote left is
    escaped), keep only brackets and quotes, drop empty quote pairs (a string with no
    bracket; dropping two adjacent quotes never changes which brackets are inside a string),
    drop what is left between quotes, then add up +1/-1. Exact for valid JSON; invalid text
    makes the parser stop where its reading and this count part ways, so it never nests
    deeper than counted.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    if b"\\" in data:
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    rest = data.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    if b'"' in rest:
        rest = b"".join(rest.split(b'"')[::2])
    return max(accumulate(map(_STEP.__getitem__, rest)), default=0)


def check_depth(raw: str | bytes) -> None:
    """Refuse JSON text nested deeper than :data:`MAX_JSON_DEPTH`."""
    if nesting_depth(raw) > MAX_JSON_DEPTH:
        raise ValidationError(TOO_DEEP)


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, refusing too deeply nested text before parsing it."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON text; :class:`ValidationError` if it nests too deeply."""
        check_depth(s)
        try:
            return super().loads(s, **kwargs)
        except RecursionError as exc:  # a parser hook recursing on its own: same answer
            raise ValidationError(TOO_DEEP) from exc
