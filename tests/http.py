"""Typed reading of test responses: a JSON body that must be there."""

from __future__ import annotations

from typing import Any, Protocol


class HasJson(Protocol):
    """A test response (Flask's or Werkzeug's)."""

    @property
    def json(self) -> Any | None: ...


def json_body(response: HasJson) -> Any:
    """The response's JSON body; fails the test when the response has none."""
    data = response.json
    assert data is not None, "the response has no JSON body"
    return data
