"""The callback guard: the role is checked before the body, errors become the error output."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from dash import no_update
from dash.exceptions import PreventUpdate
from flask import Flask
from flask_login import login_user

from auth.roles import Role
from auth.session import AuthUser
from callbacks.guard import clicked, guarded
from data.metadata import memberships
from lyceum.errors import ValidationError
from services.access.accounts import SessionUser, create_user
from services.core.runtime import Runtime
from tests.services.import_helpers import make_cluster

Calls = list[tuple[Any, ...]]


def sent(value: object) -> Any:
    """A value as the browser sends it (text); the guard parses it into the callback's type."""
    return str(value)


@pytest.fixture
def cluster(runtime: Runtime, ch_database: str) -> int:
    return make_cluster(runtime, ch_database)


@pytest.fixture
def as_analyst(server: Flask, runtime: Runtime, cluster: int) -> Iterator[None]:
    user = create_user(runtime.db, runtime.passwords, email="analyst@example.com",
                       password="long enough password")
    with runtime.db.session() as session:
        memberships.set_member(session, cluster_id=cluster, user_id=user.id, role="analyst",
                               granted_by=None)
    with server.test_request_context("/"):
        login_user(AuthUser(SessionUser(user.id, user.email, user.email, False, "t")))
        yield


def _text(component: Any) -> str:
    return str(component.to_plotly_json())


def test_the_body_gets_the_parsed_cluster_id_and_the_granted_role(
        as_analyst: None, cluster: int) -> None:
    calls: Calls = []

    @guarded(Role.VIEWER, granted="role")
    def show(_n: Any, cluster_id: int, *, role: Role = Role.VIEWER) -> str:
        calls.append((cluster_id, role))
        return "shown"

    assert show(1, sent(cluster)) == "shown"
    assert calls == [(cluster, Role.ANALYST)]


def test_a_refused_call_runs_nothing_and_fills_the_error_output(
        as_analyst: None, cluster: int) -> None:
    calls: Calls = []

    @guarded(Role.EDITOR, outputs=3, error_output=1, title="Not saved")
    def save(_n: Any, cluster_id: int) -> tuple[Any, Any, Any]:
        calls.append((cluster_id,))
        return 1, 2, 3

    first, error, last = save(1, sent(cluster))
    assert calls == [] and first is no_update and last is no_update
    assert "Not saved" in _text(error)
    assert "This needs the editor role on this cluster; you are analyst." in _text(error)
    forged = save(1, sent("1 OR 1=1"))
    assert calls == [] and "That cluster does not exist." in _text(forged[1])


def test_an_app_error_from_the_body_becomes_the_error_output(as_analyst: None,
                                                               cluster: int) -> None:
    @guarded(Role.ANALYST, outputs=("table", "error"), error_output="error", fill=None)
    def fail(cluster_id: int) -> dict[str, Any]:
        raise ValidationError("Enter a number.")

    result = fail(cluster)
    assert result["table"] is None and "Enter a number." in _text(result["error"])

    @guarded(Role.ANALYST, on_error=lambda exc, cid: ("custom", exc.user_message, cid))
    def custom(cluster_id: int) -> Any:
        raise ValidationError("Enter a number.")

    assert custom(cluster) == ("custom", "Enter a number.", cluster)


def test_when_false_prevents_the_update_before_the_role_check(as_analyst: None,
                                                               cluster: int) -> None:
    @guarded(Role.ADMIN, when=clicked)
    def add(_n: Any, cluster_id: int) -> str:
        raise AssertionError("must not run")

    with pytest.raises(PreventUpdate):
        add(None, sent(cluster))
    assert "This needs the admin role" in _text(add(1, sent(cluster)))


def test_a_global_role_needs_no_cluster(as_analyst: None) -> None:
    @guarded(Role.ADMIN, cluster=None, title="No reset link")
    def reset(_n: Any) -> str:
        raise AssertionError("must not run")

    assert "Only administrators can do this." in _text(reset(1))


def test_a_guard_naming_a_missing_argument_fails_at_import() -> None:
    with pytest.raises(TypeError, match="has no argument 'cluster_id' to guard"):
        @guarded(Role.VIEWER)
        def show(cid: int) -> None:
            """Names its cluster argument ``cid`` without saying so."""


def test_locate_finds_the_cluster_id_inside_a_store(as_analyst: None, cluster: int) -> None:
    @guarded(Role.VIEWER, cluster="store", locate=lambda store: store.get("cluster"))
    def show(store: Any) -> Any:
        return store

    assert show({"cluster": str(cluster), "s": "link"}) == cluster
    assert "That cluster does not exist." in _text(show({"cluster": "1 OR 1=1"}))
