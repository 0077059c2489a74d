"""require_role: one check for pages, callbacks and API routes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_login import login_user

from auth.roles import Role, has_role, parse_cluster_id, require_role
from auth.session import AuthUser
from data.metadata import memberships
from data.metadata.models import DatabaseCluster
from lyceum.errors import Forbidden, NotAuthenticated, NotFound
from services.access.accounts import SessionUser, create_user
from services.core.runtime import Runtime


@pytest.fixture
def cluster_ids(runtime: Runtime) -> tuple[int, int]:
    with runtime.db.session() as session:
        ids = []
        for name in ("alpha", "beta"):
            row = memberships.add_cluster(session, DatabaseCluster(
                name=name, database_name=name, cluster_type="development", region_code="local",
                status="running"))
            ids.append(row.id)
    return ids[0], ids[1]


def _as(server: Flask, runtime: Runtime, *, role: str | None, cluster: int,
        is_admin: bool = False) -> Iterator[None]:
    user = create_user(runtime.db, runtime.passwords, email=f"{role}-{is_admin}@example.com",
                       password="long enough password", is_admin=is_admin)
    if role:
        with runtime.db.session() as session:
            memberships.set_member(session, cluster_id=cluster, user_id=user.id, role=role,
                                   granted_by=None)
    with server.test_request_context("/"):
        login_user(AuthUser(SessionUser(user.id, user.email, user.email, is_admin, "t")))
        yield


@pytest.mark.parametrize("have", ["viewer", "analyst", "editor", "admin"])
@pytest.mark.parametrize("need", ["viewer", "analyst", "editor", "admin"])
def test_role_order_on_own_cluster_and_denial_on_another(
        server: Flask, runtime: Runtime, cluster_ids: tuple[int, int], have: str,
        need: str) -> None:
    mine, other = cluster_ids
    for _ in _as(server, runtime, role=have, cluster=mine):
        assert has_role(mine, need) == (Role.parse(have) >= Role.parse(need))
        with pytest.raises(Forbidden, match="do not have access"):
            require_role(other, need)
        with pytest.raises(Forbidden, match="Only administrators"):
            require_role(None, Role.ADMIN)


def test_global_admin_is_admin_everywhere(server: Flask, runtime: Runtime,
                                          cluster_ids: tuple[int, int]) -> None:
    for _ in _as(server, runtime, role=None, cluster=cluster_ids[0], is_admin=True):
        assert require_role(cluster_ids[1], Role.ADMIN) is Role.ADMIN
        assert require_role(None, Role.ADMIN) is Role.ADMIN


def test_signed_out_is_refused(server: Flask, runtime: Runtime) -> None:
    with server.test_request_context("/"), pytest.raises(NotAuthenticated):
        require_role(1, Role.VIEWER)


@pytest.mark.parametrize("forged", ["1 OR 1=1", "-1", "0", "", None, "1e3", "../2", True, 1.5,
                                    "９", "1" * 20, [1], {"id": 1}])
def test_forged_cluster_ids_are_not_found(forged: object) -> None:
    with pytest.raises(NotFound):
        parse_cluster_id(forged)


def test_valid_cluster_ids_parse() -> None:
    assert parse_cluster_id("42") == 42 and parse_cluster_id(7) == 7
