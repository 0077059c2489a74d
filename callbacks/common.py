"""Small helpers every callback module uses: the runtime and the signed-in user."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user

from lyceum.errors import NotAuthenticated
from services.core.runtime import Runtime


def runtime() -> Runtime:
    """The process's :class:`Runtime` (settings, databases)."""
    found: Runtime = current_app.extensions["lyceum"]
    return found


def signed_in_user() -> Any:
    """The signed-in user, or :class:`NotAuthenticated`."""
    if not getattr(current_user, "is_authenticated", False):
        raise NotAuthenticated("Sign in to continue.")
    return current_user
