"""The REST API, ``/api/v1``: a second door into the same services, with the same role checks.

Every module in this package that defines routes on :data:`api.core.bp` is imported here.
"""

from __future__ import annotations

import importlib
import pkgutil

from api.core import bp

for _module in pkgutil.iter_modules(__path__):
    if _module.name != "core":
        importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["bp"]
