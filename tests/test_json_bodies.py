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


def _reference_depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max(map(_reference_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(_reference_depth, value), default=0)
    return 0


def test_nesting_depth_matches_the_parsed_value_on_tricky_strings() -> None:
    import json
    import random

    pieces = ["[", "]", "{}", '\\"[', "\\", 1, None, "x\\\\", '"]"', '""', "", "é]"]
    rng = random.Random(14)

    def make(level: int) -> object:
        pick = rng.random()
        if level > 6 or pick < 0.3:
            return rng.choice(pieces)
        if pick < 0.65:
            return [make(level + 1) for _ in range(rng.randint(0, 3))]
        return {f"{rng.choice(pieces)}{i}": make(level + 1) for i in range(rng.randint(0, 3))}

    for _ in range(3000):
        value = make(0)
        text = json.dumps(value, ensure_ascii=rng.random() < 0.5)
        assert nesting_depth(text) == _reference_depth(value), text
