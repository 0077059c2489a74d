"""Dragging an evaluation object: only numeric corners of existing rows move, envelopes keep
their height, windows stay ordered, and nothing moves without access to the cluster."""

from __future__ import annotations

from typing import Any

import pytest
from dash.exceptions import PreventUpdate
from flask import Flask

from callbacks.explorer import drag
from callbacks.explorer.drag import moved_rows
from services.core.runtime import Runtime
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in

on_drag = guarded_body(drag.drag)
ROWS: list[dict[str, Any]] = [
    {"kind": "window", "x0": 1.0, "x1": 2.0, "y0": 10.0, "y1": 20.0},
    {"kind": "envelope", "x0": 0.0, "x1": 5.0, "y0": None, "y1": None},
]


def test_a_dragged_corner_moves_rounded_and_the_rest_is_kept() -> None:
    changed = moved_rows({"shapes[0].x1": 3.123456789}, ROWS)
    assert changed == [{**ROWS[0], "x1": 3.1235}, ROWS[1]]
    assert ROWS[0]["x1"] == 2.0  # the browser's rows are not edited in place


def test_a_window_dragged_past_its_other_edge_stays_ordered() -> None:
    changed = moved_rows({"shapes[0].x0": 4.0, "shapes[0].y1": 5.0}, ROWS)
    assert changed is not None
    assert (changed[0]["x0"], changed[0]["x1"]) == (2.0, 4.0)
    assert (changed[0]["y0"], changed[0]["y1"]) == (5.0, 10.0)


def test_an_envelope_only_moves_sideways() -> None:
    assert moved_rows({"shapes[1].y0": 3.0}, ROWS) is None
    changed = moved_rows({"shapes[1].y0": 3.0, "shapes[1].x1": 6.0}, ROWS)
    assert changed == [ROWS[0], {**ROWS[1], "x1": 6.0}]


@pytest.mark.parametrize("relayout", [
    None, "shapes[0].x0", {"xaxis.range[0]": 1.0}, {"shapes[0].x0": "1; DROP"},
    {"shapes[0].x0": True}, {"shapes[0].x0": float("nan")}, {"shapes[0].x0": float("inf")},
    {"shapes[9].x0": 1.0}, {"shapes[100].x0": 1.0}, {"shapes[-1].x0": 1.0},
    {"shapes[0].fillcolor": 1.0}, {"shapes[0].x0 ": 1.0}])
def test_hostile_or_unrelated_events_move_nothing(relayout: Any) -> None:
    assert moved_rows(relayout, ROWS) is None


def test_rows_that_are_not_a_list_move_nothing() -> None:
    assert moved_rows({"shapes[0].x0": 1.0}, {"0": ROWS[0]}) is None
    assert moved_rows({"shapes[0].x0": 1.0}, ["not a row"]) is None


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def test_a_viewer_drags_through_the_callback(server: Flask, runtime: Runtime,
                                             world: World) -> None:
    with signed_in(server, runtime, world, "viewer"):
        changed = on_drag({"shapes[0].x1": 2.5}, ROWS, {"cluster": world.a, "s": ""})
    assert changed == [{**ROWS[0], "x1": 2.5}, ROWS[1]]


@pytest.mark.parametrize(("key", "cluster"), [("outsider", "a"), ("b_admin", "a"),
                                              ("viewer", "../1"), ("viewer", None)])
def test_without_access_nothing_moves(server: Flask, runtime: Runtime, world: World,
                                      key: str, cluster: Any) -> None:
    store = {"cluster": world.a if cluster == "a" else cluster, "s": ""}
    with signed_in(server, runtime, world, key), pytest.raises(PreventUpdate):
        on_drag({"shapes[0].x1": 2.5}, ROWS, store)
