"""Job states published for every web process of a deployment (``LYCEUM_WORKERS``).

A job (an outlier ranking, an export) runs in the process that started it, but the page's
polls may reach any process. The starting process publishes each change of the job in the
shared cache (diskcache in the instance folder, or Redis); the others read it from there.
Ids are the ones the server issued (``secrets.token_urlsafe``): anything else is not looked
up at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.core.cache import shared_cache
from services.core.runtime import Runtime

#: The length of an id this server issues (``token_urlsafe(12)``: 16), with room to change.
ID_LENGTHS = range(8, 65)


@dataclass(frozen=True)
class Published:
    """The published states of one kind of job, each kept for ``keep_s`` seconds."""

    kind: str
    keep_s: float

    def put(self, runtime: Runtime, job_id: str, value: Any) -> None:
        """Publish ``value`` (picklable) as job ``job_id``'s state now."""
        shared_cache(runtime).backend.set(self._key(job_id), value, expire=self.keep_s)

    def get(self, runtime: Runtime, job_id: object) -> Any | None:
        """Job ``job_id``'s last published state; ``None`` when there is none, or when
        ``job_id`` is not shaped like an id this server issues."""
        if not isinstance(job_id, str) or len(job_id) not in ID_LENGTHS:
            return None
        return shared_cache(runtime).backend.get(self._key(job_id))

    def _key(self, job_id: str) -> str:
        return f"lyceum:{self.kind}:{job_id}"
