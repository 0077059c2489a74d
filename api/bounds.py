"""Ids in API paths beyond what the metadata database stores (32-bit integers) do not exist."""

from __future__ import annotations

from flask import request

from api.core import bp
from lyceum.errors import NotFound

MAX_ID = 2**31 - 1


@bp.before_request
def refuse_out_of_range_ids() -> None:
    """A 404 for an integer path id no table can hold (instead of a database overflow)."""
    for value in (request.view_args or {}).values():
        if isinstance(value, int) and not isinstance(value, bool) and not 0 < value <= MAX_ID:
            raise NotFound("That does not exist.")
