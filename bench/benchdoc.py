"""docs/benchmarks.md: each bench script owns one ``## `` section (or one ``### `` part of a
section) and replaces it, keeping everything else."""

from __future__ import annotations

import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def _pattern(heading: str) -> re.Pattern[str]:
    return re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.M | re.S)


def read_section(heading: str, *, doc: Path = DOC) -> str:
    """The ``## heading`` section's text (``""`` when absent)."""
    current = doc.read_text() if doc.exists() else ""
    found = _pattern(heading).search(current)
    return found.group(0) if found else ""


def replace_section(heading: str, text: str, *, doc: Path = DOC) -> None:
    """Put ``text`` (starting with ``heading``) in place of the ``## heading`` section, or
    append it."""
    current = doc.read_text() if doc.exists() else "# Benchmarks\n"
    pattern = _pattern(heading)
    if pattern.search(current):
        updated = pattern.sub(lambda _: text.rstrip() + "\n\n", current, count=1)
    else:
        updated = current.rstrip() + "\n\n" + text
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(updated.rstrip() + "\n")


def replace_head(heading: str, text: str, *, doc: Path = DOC) -> None:
    """Put ``text`` (starting with ``heading``) in place of the ``## heading`` section's
    head, the text before its first ``### `` part; its parts (other benches', or notes)
    are kept after it."""
    kept = parts(heading, doc=doc)
    replace_section(heading, "\n".join([text.rstrip() + "\n", *kept]), doc=doc)


def replace_part(heading: str, part: str, text: str, *, doc: Path = DOC) -> None:
    """Put ``text`` (starting with ``part``, a ``### `` heading) at the end of the
    ``## heading`` section in place of the old ``part`` and whatever followed it."""
    body = read_section(heading, doc=doc) or heading + "\n"
    body = body[:body.index(part)] if part in body else body
    replace_section(heading, body.rstrip() + "\n\n" + text.rstrip() + "\n", doc=doc)


def parts(heading: str, *, doc: Path = DOC) -> list[str]:
    """The ``### `` parts of the ``## heading`` section, in order, each from its heading to
    the next ``### `` (or the section's end); ``[]`` when there are none."""
    body = read_section(heading, doc=doc)
    found = re.split(r"^(?=### )", body, flags=re.M)[1:]
    return [part.rstrip() + "\n" for part in found]


def put_part(heading: str, part: str, text: str, *, doc: Path = DOC) -> None:
    """Put ``text`` (starting with ``part``, a ``### `` heading) in place of the old
    ``part`` of the ``## heading`` section, keeping the parts after it; appended at the
    section's end when the section has no such part."""
    body = read_section(heading, doc=doc) or heading + "\n"
    head = re.split(r"^(?=### )", body, flags=re.M)[0]
    kept = parts(heading, doc=doc)
    line = part.rstrip()
    if any(p.splitlines()[0].rstrip() == line for p in kept):
        kept = [text.rstrip() + "\n" if p.splitlines()[0].rstrip() == line else p
                for p in kept]
    else:
        kept.append(text.rstrip() + "\n")
    replace_section(heading, "\n".join([head.rstrip() + "\n", *kept]), doc=doc)
