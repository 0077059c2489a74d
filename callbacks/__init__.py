"""Dash callbacks, grouped by domain (``callbacks/explorer/``, ``callbacks/dashboard/``, …);
importing this package registers every module below it."""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
    importlib.import_module(_module.name)
