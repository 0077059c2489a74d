"""Call a callback's guarded body as a signed-in account of the access world, the way the
Dash endpoint would (inside a request, flask-login's user set), without the browser."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user

from auth.session import AuthUser
from services.access.accounts import SessionUser
from services.core.runtime import Runtime
from tests.access_world import ORIGIN, World
from tests.security.matrix import callback_payload, dependencies


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


def post(server: Flask, client: FlaskClient, output: str, *, cluster: str,
         values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Post the callback whose outputs name ``output`` (text inside the output spec) as the
    browser would, the cluster store holding ``cluster``, inputs and states from ``values``
    by id (a dict id as its JSON); its response by output id (``{}`` when nothing changes)."""
    dep = next(d for d in dependencies(server, client) if output in d["output"])
    payload = callback_payload(dep, cluster=cluster)
    given = values or {}
    for item in payload["state"] + [i for i in payload["inputs"] if isinstance(i, dict)]:
        key = (json.dumps(item["id"], sort_keys=True, separators=(",", ":"))
               if isinstance(item["id"], dict) else item["id"])
        if key in given:
            item["value"] = given[key]
    answer = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
    assert answer.status_code in (200, 204), answer.get_data(as_text=True)[:500]
    found: dict[str, Any] = answer.json["response"] if answer.status_code == 200 \
        and answer.json else {}
    return found


def id_key(ident: str | dict[str, Any]) -> str:
    """A component id as the Dash endpoint keys it in a response."""
    return (json.dumps(ident, sort_keys=True, separators=(",", ":"))
            if isinstance(ident, dict) else ident)
