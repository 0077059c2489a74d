"""docs/architecture.md names only what exists: every file path, every dotted module of
ours, and every function named right after a file in the five traces."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("app", "api", "auth", "bench", "callbacks", "components", "data", "lyceum", "pages",
            "services", "tests")
#: A code span: `…`.
_SPAN = re.compile(r"`([^`\n]+)`")
#: A file of ours followed by the names it holds: `path.py` `name`, `other`.
_FILE_THEN_NAMES = re.compile(r"`([\w/]+\.py)`((?:,? (?:and )?`\w+`)+)")


def _spans() -> list[str]:
    return _SPAN.findall(DOC.read_text())


def _is_template(text: str) -> bool:
    return any(mark in text for mark in ("<", "…", "*"))


def _defined(path: Path) -> set[str]:
    """Top-level functions, classes and assignments of a module, and its classes' members."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom):
            names.update(a.asname or a.name for a in node.names)
    return names


def _module(dotted: str) -> tuple[Path | None, list[str]]:
    """The file of the longest prefix of ``dotted`` that is a module, and the rest."""
    parts = dotted.split(".")
    for end in range(len(parts), 0, -1):
        base = ROOT.joinpath(*parts[:end])
        for found in (base.with_suffix(".py"), base / "__init__.py"):
            if found.is_file():
                return found, parts[end:]
    return None, parts


def test_every_file_path_exists() -> None:
    paths = {span.split(" ")[0].rstrip(",") for span in _spans()
             if "/" in span and not _is_template(span) and not span.startswith(("/", "http"))
             and span.split("/")[0] in (*PACKAGES, "docs", "assets") or span == "app.py"}
    assert len(paths) > 40  # the traces and the tables
    missing = sorted(p for p in paths if not (ROOT / p).exists())
    assert missing == []


def test_every_dotted_module_exists_with_the_names_it_is_said_to_hold() -> None:
    dotted = {span for span in _spans()
              if re.fullmatch(r"[a-z_]+(\.[A-Za-z_]+)+", span) and span.split(".")[0] in PACKAGES
              and not span.endswith((".py", ".md", ".json"))}
    assert len(dotted) > 20
    wrong = []
    for name in sorted(dotted):
        path, rest = _module(name)
        if path is None or (rest and rest[0] not in _defined(path)):
            wrong.append(name)
    assert wrong == []


def test_every_function_named_after_a_file_is_in_that_file() -> None:
    pairs = [(path, name) for path, names in _FILE_THEN_NAMES.findall(DOC.read_text())
             for name in re.findall(r"`(\w+)`", names)]
    assert len(pairs) > 15
    wrong = [(path, name) for path, name in pairs
             if not (ROOT / path).is_file() or name not in _defined(ROOT / path)]
    assert wrong == []


def test_the_five_traces_are_there() -> None:
    text = DOC.read_text()
    for title in ("The wizard's live cost estimate", "The explorer's zoom",
                  "The dashboard's 30-second refresh", "An API token check",
                  "A CSV import's validation"):
        assert f"**{title}**" in text
