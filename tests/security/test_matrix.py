"""The access matrix: 4 roles × 2 clusters (member of A, not of B), a global admin and the
unauthenticated caller, against every page, every callback and every API route.

Everything runs in-process through the Flask test client. "Denied" means a 401, or a refusal
that was audited; "allowed" means neither. A refused request must change nothing.
"""

from __future__ import annotations

import re
from typing import Any

import dash
import pytest
from flask import Flask
from flask.testing import FlaskClient

from services.core.runtime import Runtime
from tests.access_world import World, snapshot
from tests.http import json_body
from tests.security.conftest import PRINCIPALS
from tests.security.matrix import (
    FAKE_ID,
    ORIGIN,
    SIGNED_IN,
    allowed,
    api_routes,
    api_rule,
    api_url,
    callback_payload,
    denials,
    dependencies,
    first_output,
    is_cluster_bound,
    rule_for,
)

TARGETS = ("A", "B")
#: Dash's own bookkeeping callback (pages → document title); it reads nothing of ours.
DASH_INTERNAL = frozenset({"_pages_dummy"})


def _cluster(world: World, target: str) -> int:
    return world.a if target == "A" else world.b


def _check(runtime: Runtime, *, expected: bool | None, response: Any, before_denials: int,
           before: dict[str, Any], what: str, problems: list[str],
           unknown: bool = False) -> None:
    """Compare a response with the expectation; a 204 (nothing done, nothing read) counts as
    refused for callbacks this matrix has no rule for."""
    text = response.get_data(as_text=True)[:200].replace("\n", " ")
    if response.status_code == 500:
        problems.append(f"{what}: server error {text}")
        return
    denied = response.status_code == 401 or denials(runtime) > before_denials
    if expected and denied:
        problems.append(f"{what} should be allowed: {response.status_code} {text}")
    elif expected is False and not denied and not (unknown and response.status_code == 204):
        problems.append(f"{what} should be denied (and audited): {response.status_code} {text}")
    elif expected is False and snapshot(runtime) != before:
        problems.append(f"{what} changed something although refused")


# --- pages -------------------------------------------------------------------------------

def _pages() -> list[dict[str, Any]]:
    return [p for p in dash.page_registry.values()]


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_page(mod_server: Flask, mod_runtime: Runtime, world: World,
                    clients: dict[str, FlaskClient], principal: str, target: str) -> None:
    client = clients[principal]
    deps = dependencies(mod_server, clients["root"])
    pages_dep = next(d for d in deps if first_output(d) == "_pages_content")
    problems: list[str] = []
    for page in _pages():
        template = page.get("path_template") or page["path"]
        bound = "<cluster_id>" in template
        if target == "B" and not bound:
            continue
        path = re.sub(r"<[a-z_]+>", str(FAKE_ID),
                      template.replace("<cluster_id>", str(_cluster(world, target))))
        needs = ("global" if page.get("access") == "admin" else
                 "audit" if page.get("audience") == "cluster admins" else
                 page.get("cluster_role", "viewer") if bound else SIGNED_IN)
        expected = allowed(principal, needs=needs, bound=bound, target_is_a=target == "A")
        get = client.get(path)
        if principal == "anon":
            assert get.status_code == 302 and get.headers["Location"].startswith("/login")
        before, count = snapshot(mod_runtime), denials(mod_runtime)
        response = client.post("/_dash-update-component", headers=ORIGIN,
                               json=callback_payload(pages_dep, cluster="", path=path))
        _check(mod_runtime, expected=expected, response=response, before_denials=count,
               before=before, what=f"page {path} as {principal}", problems=problems)
        if expected is False and principal != "anon" and response.status_code == 200:
            assert "Not available to you" in response.get_data(as_text=True)
    assert not problems, "\n".join(problems)


# --- callbacks ---------------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_callback(mod_server: Flask, mod_runtime: Runtime, world: World,
                        clients: dict[str, FlaskClient], principal: str, target: str) -> None:
    client = clients[principal]
    problems: list[str] = []
    for dep in dependencies(mod_server, clients["root"]):
        if first_output(dep) in DASH_INTERNAL or dep.get("clientside_function"):
            continue  # Dash's bookkeeping, or runs only in the browser (see below)
        bound = is_cluster_bound(dep)
        if target == "B" and not bound:
            continue
        rule = rule_for(dep)
        if rule is None:  # another page's callback: the matrix knows only the generic rules
            expected = False if principal == "anon" or (bound and target == "B"
                                                        and principal != "root") else None
        else:
            needs, scope = rule
            expected = allowed(principal, needs=needs, bound=scope == "cluster",
                               target_is_a=target == "A")
        before, count = snapshot(mod_runtime), denials(mod_runtime)
        payload = callback_payload(dep, cluster=str(_cluster(world, target)))
        response = client.post("/_dash-update-component", json=payload, headers=ORIGIN)
        _check(mod_runtime, expected=expected, response=response, before_denials=count,
               before=before, what=f"callback {first_output(dep)} as {principal} on {target}",
               problems=problems, unknown=rule is None)
    assert not problems, "\n".join(problems)


def test_the_matrix_covers_the_callbacks_of_this_feature(mod_server: Flask,
                                                         clients: dict[str, FlaskClient]) -> None:
    names = {first_output(d) for d in dependencies(mod_server, clients["root"])}
    for mine in ("team-header-div", "tokens-header-div", "audit-table-div",
                 "audit-verify-result-div"):
        assert any(n.startswith(mine) or mine in n for n in names), mine


# --- API ---------------------------------------------------------------------------------

@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("principal", PRINCIPALS)
def test_every_api_route(mod_server: Flask, mod_runtime: Runtime, world: World,
                         clients: dict[str, FlaskClient], principal: str, target: str) -> None:
    client = clients[principal]
    problems: list[str] = []
    for rule, method, _endpoint, view in api_routes(mod_server):
        if getattr(view, "public_route", False):
            continue  # authenticates its own credential (tested with the SQL gateway)
        bound = "<int:cluster_id>" in rule
        if target == "B" and not bound:
            continue
        url = api_url(rule, cluster=_cluster(world, target))
        found = api_rule(view, rule)
        if found is None:
            expected = False if principal == "anon" or (bound and target == "B"
                                                        and principal != "root") else None
        else:
            expected = allowed(principal, needs=found[0], bound=found[1],
                               target_is_a=target == "A")
        before, count = snapshot(mod_runtime), denials(mod_runtime)
        body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
        response = client.open(url, method=method, json=body, headers=ORIGIN)
        _check(mod_runtime, expected=expected, response=response, before_denials=count,
               before=before, what=f"{method} {url} as {principal}", problems=problems)
        if response.status_code in (401, 403):
            assert json_body(response)["error"]["code"] in ("not_authenticated", "forbidden")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_browser_only_and_forged_callbacks_are_refused_with_a_message(
        mod_server: Flask, clients: dict[str, FlaskClient], principal: str) -> None:
    deps = dependencies(mod_server, clients["root"])
    browser_only = [d for d in deps if d.get("clientside_function")]
    assert browser_only, "the explorer has a clientside callback"
    forged = dict(browser_only[0])
    for dep in (browser_only[0], {**forged, "output": "no-such-div.children"},
                {**forged, "output": ["not", "a", "string"]}):
        payload = callback_payload(dep, cluster="1") if isinstance(dep["output"], str) \
            else {"output": dep["output"], "inputs": [], "changedPropIds": []}
        response = clients[principal].post("/_dash-update-component", json=payload,
                                           headers=ORIGIN)
        if principal == "anon":
            assert response.status_code == 401
        else:
            assert response.status_code == 400
            assert response.json == {"error": {"code": "unknown_callback",
                                               "message": "No such callback."}}
