"""The bounded JSON parser of request bodies."""

from __future__ import annotations

import time

import pytest
from flask import Flask

from lyceum.errors import ValidationError
from lyceum.json_bodies import (
    MAX_JSON_DEPTH,
    TOO_DEEP,
    BoundedJSONProvider,
    check_depth,
    nesting_depth,
)


@pytest.mark.parametrize(("text", "depth"), [
    ("", 0), ("1", 0), ('"[[[["', 0), ("[]", 1), ("{}", 1), ('{"a": [1, {"b": 2}]}', 3),
    ('["]", "\\"[[", "\\\\", []]', 2), (b'{"x": "{\\u005b"}', 1), ("[[], [[]], []]", 3),
])
def test_nesting_depth_ignores_brackets_inside_strings(text: str | bytes, depth: int) -> None:
    assert nesting_depth(text) == depth


def test_a_hundred_thousand_levels_are_measured_quickly_and_refused() -> None:
    text = "[" * 100_000 + "]" * 100_000
    started = time.perf_counter()
    assert nesting_depth(text) == 100_000
    assert time.perf_counter() - started < 1.0
    with pytest.raises(ValidationError) as raised:
        check_depth(text)
    assert raised.value.user_message == TOO_DEEP


def test_the_provider_parses_to_the_limit_and_refuses_beyond() -> None:
    provider = BoundedJSONProvider(Flask("probe"))
    ok = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert isinstance(provider.loads(ok), list)
    with pytest.raises(ValidationError, match="nested more than"):
        provider.loads("[" + ok + "]")
    assert provider.loads(b'{"a": "[[[[[[["}') == {"a": "[[[[[[["}
    with pytest.raises(ValueError):  # ordinary syntax errors stay what they were
        provider.loads("{")
