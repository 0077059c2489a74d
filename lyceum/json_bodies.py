"""The one JSON parser of request bodies: bounded nesting, checked before parsing.

Flask's ``request.get_json`` (the API, Dash's callback endpoint, the ingest route) parses
through the app's JSON provider. Python's parser recurses once per nesting level, so a body
such as ``[[[[…]]]]`` 100,000 deep raised ``RecursionError``, which ``get_json(silent=True)``
does not catch: the request ended in a 500. The provider below measures the nesting of the
raw text first (in C-speed passes, no recursion) and refuses anything deeper than
:data:`MAX_JSON_DEPTH` with a :class:`~lyceum.errors.ValidationError` (400, with a message);
the size of a body is bounded by ``MAX_CONTENT_LENGTH`` before it is read.
"""

from __future__ import annotations

import re
from itertools import accumulate
from typing import Any

from flask.json.provider import DefaultJSONProvider

from lyceum.errors import ValidationError

#: The deepest nesting of arrays and objects a request body may have. Every body the app
#: takes is a few levels deep; Dash callback payloads with component trees stay well below.
MAX_JSON_DEPTH = 128
TOO_DEEP = (f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; send flatter "
            "JSON.")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(rb"[^\[\]{}]+")
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1


def nesting_depth(raw: str | bytes) -> int:
    """How deeply arrays and objects nest in JSON text (brackets inside strings ignored).

    Text that is not valid JSON may be over-counted, never under-counted.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else bytes(raw)
    brackets = _NOT_BRACKET.sub(b"", _STRING.sub(b"", data))
    if not brackets:
        return 0
    return max(accumulate(map(_STEP.__getitem__, brackets)))


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
