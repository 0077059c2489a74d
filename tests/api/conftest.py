"""Fixtures of the API tests."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient


@pytest.fixture
def client(server: Flask) -> FlaskClient:
    """A test client of the app (``server``), not signed in."""
    return server.test_client()
