"""The team and token callbacks' own rules, posted as the browser would."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from services.core.runtime import Runtime
from tests.access_world import PASSWORD, World, snapshot
from tests.security.matrix import ORIGIN, callback_payload, denials, dependencies, first_output


def _create_token_payload(server: Flask, client: FlaskClient, world: World, *, role: str,
                          expiry: str = "30") -> dict[str, Any]:
    dep = next(d for d in dependencies(server, client)
               if first_output(d).startswith("tokens-version-store")
               and d["inputs"][0]["id"] == "tokens-create-button")
    payload = callback_payload(dep, cluster=str(world.a))
    values = {"tokens-name-input": "script", "tokens-role-select": role,
              "tokens-expiry-select": expiry}
    for item in payload["state"]:
        item["value"] = values.get(item["id"], item["value"])
    return payload


def test_a_token_role_cannot_exceed_the_creators(mod_server: Flask, mod_runtime: Runtime,
                                                 world: World,
                                                 clients: dict[str, FlaskClient]) -> None:
    analyst = clients["analyst"]
    before, count = snapshot(mod_runtime), denials(mod_runtime)
    text = analyst.post("/_dash-update-component", headers=ORIGIN, json=_create_token_payload(
        mod_server, analyst, world, role="admin")).get_data(as_text=True)
    assert "This needs the admin role on this cluster; you are analyst." in text
    assert snapshot(mod_runtime) == before and denials(mod_runtime) == count + 1
    text = analyst.post("/_dash-update-component", headers=ORIGIN, json=_create_token_payload(
        mod_server, analyst, world, role="analyst", expiry="365")).get_data(as_text=True)
    assert "Choose 1, 7, 30 or 90 days, or never." in text
    assert snapshot(mod_runtime) == before
    text = analyst.post("/_dash-update-component", headers=ORIGIN, json=_create_token_payload(
        mod_server, analyst, world, role="analyst", expiry="never")).get_data(as_text=True)
    secret = re.search(r"lyc_[\w-]{40,}", text)
    assert secret and "will not be shown again" in text
    response = mod_server.test_client().get(f"/api/v1/clusters/{world.a}/members",
                                            headers={"Authorization": f"Bearer {secret[0]}"})
    assert response.status_code == 200


def test_invite_without_smtp_shows_the_link_and_the_invite_form_needs_csrf(
        mod_server: Flask, mod_runtime: Runtime, world: World,
        clients: dict[str, FlaskClient]) -> None:
    admin = clients["admin"]
    dep = next(d for d in dependencies(mod_server, admin)
               if d["inputs"][0]["id"] == "team-invite-button")
    payload = callback_payload(dep, cluster=str(world.a))
    for item in payload["state"]:
        item["value"] = {"team-invite-email-input": "csrf@example.com",
                         "team-invite-role-select": "viewer"}.get(item["id"], item["value"])
    text = admin.post("/_dash-update-component", headers=ORIGIN,
                      json=payload).get_data(as_text=True).replace("\\u002f", "/")
    assert "E-mail is not configured on this server." in text
    link = re.search(r"http://localhost(/invite/inv_[\w-]+)", text)
    assert link, text[:1500]
    before = snapshot(mod_runtime)
    forged = mod_server.test_client().post(link[1], data={
        "password": PASSWORD, "password_again": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400 and "The form expired" in forged.get_data(as_text=True)
    assert snapshot(mod_runtime) == before


def _reset_payload(server: Flask, client: FlaskClient, world: World, user_id: int
                   ) -> dict[str, Any]:
    dep = next(d for d in dependencies(server, client)
               if first_output(d) == "team-reset-result-div")
    payload = callback_payload(dep, cluster=str(world.a))
    payload["inputs"][0][0]["id"]["user"] = user_id
    payload["changedPropIds"] = [f'{{"type":"team-member-reset","user":{user_id}}}.n_clicks']
    return payload


def test_reset_links_are_for_global_admins_only(mod_server: Flask, mod_runtime: Runtime,
                                                world: World,
                                                clients: dict[str, FlaskClient]) -> None:
    viewer = world.users["viewer"]
    before, count = snapshot(mod_runtime), denials(mod_runtime)
    text = clients["admin"].post("/_dash-update-component", headers=ORIGIN, json=_reset_payload(
        mod_server, clients["admin"], world, viewer)).get_data(as_text=True)
    assert "Only administrators can do this." in text and "rst_" not in text
    assert snapshot(mod_runtime) == before and denials(mod_runtime) == count + 1
    text = clients["root"].post("/_dash-update-component", headers=ORIGIN, json=_reset_payload(
        mod_server, clients["root"], world, viewer)).get_data(as_text=True).replace(
        "\\u002f", "/")
    assert "Reset link for viewer@example.com created." in text
    link = re.search(r"http://localhost(/reset/rst_[\w-]+)", text)
    assert link, text[:1500]
    assert "viewer@example.com" in mod_server.test_client().get(link[1]).get_data(as_text=True)
