"""No plant's names in the code: the demo plant's processes, stations, lines, products,
features and defect modes appear only in its generator (``services/demo``); pages, filters
and forms read the cluster's catalog. Tests may use them; migrations are history; the bench
scripts measure the demo plant itself."""

from __future__ import annotations

import re
from pathlib import Path

from services.demo import plant
from services.demo.curves import PROCESS_SPECS, PROCESSES

ROOT = Path(__file__).resolve().parents[1]
#: The application's code (every layer, the start-up module and the browser assets).
SCANNED = ("api", "auth", "callbacks", "components", "data", "lyceum", "pages", "services",
           "app.py", "assets")
EXEMPT = ("services/demo/", "data/metadata/migrations/", "assets/vendor/")
SUFFIXES = {".py", ".js", ".css", ".html", ".json", ".md"}


def demo_names() -> set[str]:
    """Every name the demo plant's generator gives its data."""
    names = {*PROCESSES, *plant.LINES, *plant.PRODUCTS}
    for spec in PROCESS_SPECS.values():
        names |= {spec.station, spec.warning_mode, *spec.modes[2:]}
        names |= {name for name, _ in spec.features}
    for reasons in plant.STOP_REASONS:
        names |= set(reasons)
    names |= {s.split(" ", 1)[0] for s in plant.STATIONS}  # the short station codes (OP10)
    return {n for n in names if n}


def _files() -> list[Path]:
    found: list[Path] = []
    for entry in SCANNED:
        path = ROOT / entry
        candidates = [path] if path.is_file() else sorted(path.rglob("*"))
        for file in candidates:
            rel = file.relative_to(ROOT).as_posix()
            if file.is_file() and file.suffix in SUFFIXES and not rel.startswith(EXEMPT):
                found.append(file)
    return found


def test_the_scan_sees_the_code_and_knows_the_demos_names() -> None:
    names = demo_names()
    assert {"press-fit", "Line 1", "OP10 Press-fit", "peak_force", "final_torque",
            "max_temperature", "OP10"} <= names
    files = {f.relative_to(ROOT).as_posix() for f in _files()}
    assert {"pages/dashboard.py", "services/quality/kpis.py",
            "components/dashboard_rules.py", "app.py"} <= files
    assert not any(f.startswith("services/demo/") for f in files)


def test_no_demo_name_appears_in_code_outside_the_demo_generator() -> None:
    pattern = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])"
                                  for n in sorted(demo_names(), key=len, reverse=True)))
    hits = []
    for file in _files():
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
            for match in pattern.finditer(line):
                hits.append(f"{file.relative_to(ROOT)}:{number}: {match.group(0)}")
    assert hits == []
