"""Call a callback's guarded body as a signed-in account of the access world, the way the
Dash endpoint would (inside a request, flask-login's user set), without the browser."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask_login import login_user

from auth.session import AuthUser
from services.access.accounts import SessionUser
from services.core.runtime import Runtime
from tests.access_world import World


@contextmanager
def signed_in(server: Flask, runtime: Runtime, world: World, key: str) -> Iterator[None]:
    """A request context of ``server`` with the world's account ``key`` signed in."""
    from data.metadata.models import User

    with runtime.db.session() as session:
        user = session.get(User, world.users[key])
        assert user is not None
        email, is_admin = user.email, user.is_admin
    with server.test_request_context("/"):
        login_user(AuthUser(SessionUser(world.users[key], email, email, is_admin, "t")))
        yield


def guarded_body(registered: Callable[..., Any]) -> Callable[..., Any]:
    """The function Dash registered, which is the guard's wrapper (the role check
    included); refuses to hand back a bare body that would skip the check."""
    assert registered.__code__.co_filename.endswith("guard.py"), registered
    return registered


def text(component: Any) -> str:
    """Everything a component (or a list, or None) would draw, as one string."""
    if component is None:
        return ""
    if isinstance(component, (list, tuple)):
        return " ".join(text(c) for c in component)
    if hasattr(component, "to_plotly_json"):
        return str(component.to_plotly_json())
    return str(component)
