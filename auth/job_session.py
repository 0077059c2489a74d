"""Who asked for a background job: the job re-authenticates the requester on the server.

A background callback runs outside the request that started it (a worker thread, or a Celery
worker). Dash hands the job the request's cookies; the job rebuilds a request context that
carries only the session cookie, so flask-login loads the user from the SERVER-SIDE session
exactly as for a request (a forged, expired or revoked session is anonymous), and the
callback's own ``require_role`` then checks the role as usual.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from flask import Flask
from werkzeug.test import EnvironBuilder

#: What a Flask session cookie looks like (URL-safe base64 and dots); nothing else is
#: put into the rebuilt Cookie header, so a cookie value cannot smuggle other cookies.
_COOKIE_VALUE = re.compile(r"[A-Za-z0-9._\-]{1,4096}")
#: The path the rebuilt request claims (Dash's callback endpoint).
JOB_PATH = "/_dash-update-component"


def session_cookie(server: Flask, cookies: Mapping[str, Any]) -> dict[str, str]:
    """Only the session cookie of ``cookies`` (what a job needs to know who asked), or {}."""
    name = str(server.config.get("SESSION_COOKIE_NAME") or "session")
    value = cookies.get(name)
    if isinstance(value, str) and _COOKIE_VALUE.fullmatch(value):
        return {name: value}
    return {}


@contextmanager
def as_requester(server: Flask, *, cookies: Mapping[str, Any],
                 remote: str | None = None) -> Iterator[None]:
    """A request context of ``server`` for the user whose session cookie is in ``cookies``.

    Inside it, ``current_user`` is that user if the server-side session is still valid,
    else anonymous (and ``require_role`` refuses with "Sign in to continue.").
    """
    kept = session_cookie(server, cookies)
    headers = [("Cookie", "; ".join(f"{k}={v}" for k, v in kept.items()))] if kept else []
    builder = EnvironBuilder(path=JOB_PATH, method="POST", headers=headers,
                             environ_base={"REMOTE_ADDR": str(remote or "")[:64]})
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    with server.request_context(environ):
        yield
