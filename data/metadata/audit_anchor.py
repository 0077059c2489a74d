"""The audit chain's anchor: the newest entry's hash and the entry count, kept in a file apart
from the rows (in the instance folder), so that entries cut from the end of the log — which
leave a shorter chain that still verifies — are noticed.

The file only moves forward: each committed audit write offers its head, and a head with no
more entries than the one on file is ignored (threads and processes finish their commits in
any order). A writer does not move it past a log that no longer holds the anchored entry
(see :mod:`data.metadata.audit`), so a cut end stays noticed after new entries. Writes go to a
temporary file that replaces the anchor in one step. Like the SQLite database (WAL,
``synchronous=NORMAL``) it is not synced to disk on every write: an anchor that outlived a
power cut the rows did not would report their loss as entries missing at the end.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lyceum.errors import AppError

ANCHOR_FILE = "audit-anchor.json"
_HASH = re.compile(r"[0-9a-f]{64}")
log = logging.getLogger(__name__)


class AnchorUnreadable(AppError):
    """The anchor file exists but is not an anchor this app wrote."""

    status_code = 500
    code = "audit_anchor_unreadable"


@dataclass(frozen=True)
class Anchor:
    """How many entries the log had, and the id and hash of the newest one, after a commit."""

    entries: int
    last_id: int
    last_hash: str


class AnchorFile:
    """The anchor file of one instance folder (safe across threads and processes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def read(self) -> Anchor | None:
        """The anchor on file, ``None`` if none was written yet; :class:`AnchorUnreadable`
        if the file is not one."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise AnchorUnreadable(f"The audit anchor {self.path.name} cannot be read.",
                                   detail=str(exc)) from exc
        try:
            found = json.loads(text)
            entries, last_id, last_hash = found["entries"], found["last_id"], found["last_hash"]
        except (ValueError, TypeError, KeyError) as exc:
            raise AnchorUnreadable(f"The audit anchor {self.path.name} is not valid.") from exc
        if (not all(isinstance(n, int) and not isinstance(n, bool) and n > 0
                    for n in (entries, last_id))
                or not isinstance(last_hash, str) or not _HASH.fullmatch(last_hash)):
            raise AnchorUnreadable(f"The audit anchor {self.path.name} is not valid.")
        return Anchor(entries=entries, last_id=last_id, last_hash=last_hash)

    def advance(self, anchor: Anchor) -> bool:
        """Record ``anchor`` if it is newer (more entries) than the one on file; True if so."""
        with self._lock, self._exclusive():
            try:
                current = self.read()
            except AnchorUnreadable:
                log.warning("audit anchor %s was unreadable; writing a new one", self.path)
                current = None
            if current is not None and current.entries >= anchor.entries:
                return False
            self._write(anchor)
            return True

    @contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Hold the lock file beside the anchor (other processes on this instance folder)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"),
                     os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _write(self, anchor: Anchor) -> None:
        body = json.dumps({"entries": anchor.entries, "last_id": anchor.last_id,
                           "last_hash": anchor.last_hash})
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.",
                                    suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(body)
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
