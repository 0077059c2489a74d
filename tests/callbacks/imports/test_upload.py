"""The import page's upload callback: editors drop a file and get its mapping and first rows;
a refused or damaged upload says why, writes no file and keeps Start disabled."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from flask import Flask

from callbacks.imports import upload
from services.core.runtime import Runtime
from tests.access_world import World, build_world
from tests.callbacks.signed_in import guarded_body, signed_in, text

receive = guarded_body(upload.receive)
CSV = ("serial,ts,line\nP-1,2026-11-20T08:15:00Z,Assembly A\n"
       "P-2,2026-11-20T08:16:00Z,Assembly B\n")


@pytest.fixture
def world(runtime: Runtime) -> World:
    return build_world(runtime)


def _data_url(text_: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text_.encode()).decode()


def _files(runtime: Runtime) -> list[Path]:
    return sorted(p for p in Path(runtime.settings.instance_path).rglob("*")
                  if p.is_file() and p.suffix in (".csv", ".parquet", ".tsv", ".json"))


def test_an_editor_gets_the_mapping_and_the_first_rows(
        server: Flask, runtime: Runtime, world: World) -> None:
    before = _files(runtime)
    with signed_in(server, runtime, world, "editor"):
        store, mapping, error, start_disabled = receive(_data_url(CSV), "parts", "parts.csv",
                                                        str(world.a))
    assert (error, start_disabled) == (None, False)
    assert [str(p) for p in _files(runtime) if p not in before] == [store["path"]]
    assert store["kind"] == "parts" and store["names"] == ["serial", "ts", "line"]
    assert [row["serial"] for row in store["preview"]] == ["P-1", "P-2"]
    assert store["mapping"]["serial"] == "serial"
    assert "Assembly B" in text(mapping)


@pytest.mark.parametrize("key", ["analyst", "viewer", "outsider", "b_admin"])
def test_an_upload_below_editor_is_refused_and_writes_nothing(
        server: Flask, runtime: Runtime, world: World, key: str) -> None:
    before = _files(runtime)
    with signed_in(server, runtime, world, key):
        store, mapping, error, start_disabled = receive(_data_url(CSV), "parts", "parts.csv",
                                                        str(world.a))
    assert (store, mapping, start_disabled) == (None, None, True)
    assert "Cannot use this file" in text(error)
    assert _files(runtime) == before


@pytest.mark.parametrize(("contents", "kind", "name", "message"), [
    ("data:text/csv;base64,@@not base64@@", "parts", "a.csv",
     "The upload was damaged on the way; try again."),
    (_data_url(CSV), "users; DROP TABLE parts", "a.csv", "The kind of data is parts or curves."),
    (_data_url("serial,ts\n"), "parts", "a.csv", "The file has a header but no rows."),
    (_data_url(CSV), "parts", "../../etc/passwd", "Cannot use this file"),
])
def test_a_bad_upload_is_explained_and_writes_nothing(
        server: Flask, runtime: Runtime, world: World, contents: str, kind: str, name: str,
        message: str) -> None:
    before = _files(runtime)
    with signed_in(server, runtime, world, "editor"):
        store, mapping, error, start_disabled = receive(contents, kind, name, str(world.a))
    assert (store, mapping, start_disabled) == (None, None, True)
    assert message in text(error)
    assert _files(runtime) == before
