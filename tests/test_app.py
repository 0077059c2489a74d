"""The application factory: how the page's assets are addressed and kept by the browser."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from app import ASSETS, VERSIONED_ASSET_MAX_AGE, vendor_stylesheets


def _signed_in(server: Any, login: tuple[str, str]) -> FlaskClient:
    assert isinstance(server, Flask)
    client = server.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page
    client.post("/login", data={"email": login[0], "password": login[1],
                                 "csrf_token": token.group(1)})
    return client


def test_vendor_stylesheets_carry_their_files_version() -> None:
    found = vendor_stylesheets()
    assert [address.split("?")[0] for address in found] == [
        "/assets/vendor/bootstrap.min.css", "/assets/vendor/bootstrap-icons.min.css"]
    mtime = int((ASSETS / "vendor" / "bootstrap.min.css").stat().st_mtime)
    assert found[0].endswith(f"?m={mtime}")


def test_every_stylesheet_is_linked_once_bootstrap_before_ours(
        server: Any, admin: tuple[str, str]) -> None:
    page = _signed_in(server, admin).get("/").get_data(as_text=True)
    links = re.findall(r'<link rel="stylesheet" href="([^"?]+)', page)
    assert links, page[:500]
    assert len(links) == len(set(links)), links
    assert links.index("/assets/vendor/bootstrap.min.css") < links.index("/assets/theme.css")


def test_versioned_assets_are_kept_unversioned_ones_revalidated(server: Any) -> None:
    assert isinstance(server, Flask)
    client = server.test_client()
    versioned = client.get(vendor_stylesheets()[0])
    assert versioned.status_code == 200
    control = versioned.headers["Cache-Control"]
    assert f"max-age={VERSIONED_ASSET_MAX_AGE}" in control and "immutable" in control
    assert "no-cache" not in control
    plain = client.get("/assets/theme.css")
    assert plain.status_code == 200
    assert "max-age=31536000" not in plain.headers.get("Cache-Control", "")
    missing = client.get("/assets/nothing-here.css?m=1")
    assert missing.status_code == 404
    assert "immutable" not in missing.headers.get("Cache-Control", "")
