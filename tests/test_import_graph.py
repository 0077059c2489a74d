"""docs/architecture.md's dependency diagram is the one the code has today."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "docs/import_graph.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_diagram_matches_the_code() -> None:
    graph = _script()
    text = (ROOT / "docs/architecture.md").read_text()
    assert graph.block() in text, (
        "The diagram is out of date: run `python docs/import_graph.py --write`.")


def test_boxes_follow_the_layers() -> None:
    graph = _script()
    assert graph.node_of("lyceum.cli") == "lyceum.cli"
    assert graph.node_of("lyceum.settings") == "lyceum.floor"
    assert graph.node_of("services.core.roles") == "services"
    assert graph.node_of("flask") is None
    order = graph.NODES
    upward = [(a, b) for a, b in graph.edges()
              if order.index(a) > order.index(b)]
    assert upward == []
