"""Small helpers every callback module uses: the runtime and the signed-in user."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from auth.session import app_runtime as runtime
from lyceum.errors import NotAuthenticated

__all__ = ["runtime", "signed_in_user"]


def signed_in_user() -> Any:
    """The signed-in user, or :class:`NotAuthenticated`."""
    if not getattr(current_user, "is_authenticated", False):
        raise NotAuthenticated("Sign in to continue.")
    return current_user
