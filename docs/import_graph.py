"""Print the package dependency diagram of docs/architecture.md, read from the code.

    python docs/import_graph.py           # print the mermaid block
    python docs/import_graph.py --write   # replace the block in docs/architecture.md

Every ``import`` of our own modules (module level or inside a function) counts. ``lyceum/`` is
split as the import contracts split it: the CLI on the roof, the background-callback managers
and the adapter over Dash's private names between the pages and the components, and the
ground floor (settings, errors, clock…).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "architecture.md"
START, END = "<!-- import-graph:start -->", "<!-- import-graph:end -->"
PACKAGES = ("pages", "callbacks", "api", "components", "auth", "services", "data", "lyceum")
#: The diagram's boxes, top layer first (the order of the layers contract in pyproject.toml).
NODES = ("lyceum.cli", "app", "pages", "callbacks", "api", "lyceum.engine",
         "lyceum.background_callbacks",
         "lyceum.dash_adapter", "components", "auth", "services", "data", "lyceum.floor")
LABELS = {"lyceum.floor": "lyceum: settings, errors, clock, secrets, json_bodies",
          "lyceum.cli": "lyceum.cli, lyceum.__main__",
          "lyceum.engine": "lyceum.engine (the engine service)"}


def node_of(module: str) -> str | None:
    """The diagram box of a dotted module name, or ``None`` for outside code."""
    parts = module.split(".")
    if parts[0] == "app" and len(parts) == 1:
        return "app"
    if parts[0] != "lyceum":
        return parts[0] if parts[0] in PACKAGES else None
    if len(parts) > 1 and parts[1] in ("cli", "__main__"):
        return "lyceum.cli"
    if len(parts) > 1 and parts[1] in ("background_callbacks", "dash_adapter", "engine"):
        return f"lyceum.{parts[1]}"
    return "lyceum.floor"


def _modules() -> dict[str, Path]:
    found = {"app": ROOT / "app.py"}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[dotted.removesuffix(".__init__")] = path
    return found


def _imported(module: str, path: Path) -> set[str]:
    names: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.split(".")[: len(module.split(".")) - node.level
                                           + (1 if is_package else 0)]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def edges() -> set[tuple[str, str]]:
    """(importer box, imported box) for every import between two different boxes."""
    found: set[tuple[str, str]] = set()
    for module, path in _modules().items():
        source = node_of(module)
        for name in _imported(module, path):
            target = node_of(name)
            if source and target and source != target:
                found.add((source, target))
    return found


def mermaid() -> str:
    """The diagram as a mermaid block (boxes top-down by layer, one arrow per dependency)."""
    ids = {name: name.replace(".", "_") for name in NODES}
    lines = ["```mermaid", "flowchart TD"]
    lines += [f'    {ids[n]}["{LABELS.get(n, n)}"]' for n in NODES]
    lines += [f"    {ids[a]} --> {ids[b]}" for a, b in
              sorted(edges(), key=lambda e: (NODES.index(e[0]), NODES.index(e[1])))]
    return "\n".join([*lines, "```"])


def block() -> str:
    """The generated block with its markers, as it stands in docs/architecture.md."""
    return f"{START}\n{mermaid()}\n{END}"


def main(argv: list[str]) -> int:
    """Print the block, or with ``--write`` replace it in docs/architecture.md."""
    if "--write" not in argv:
        sys.stdout.write(block() + "\n")
        return 0
    text = DOC.read_text()
    head, rest = text.split(START, 1)
    DOC.write_text(head + block() + rest.split(END, 1)[1])
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
