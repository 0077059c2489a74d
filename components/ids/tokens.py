"""Ids of a cluster's API tokens page."""

from __future__ import annotations


class Tokens:
    """A cluster's API tokens page."""

    cluster = "tokens-cluster-store"
    version = "tokens-version-store"
    header = "tokens-header-div"
    table = "tokens-table-div"
    error = "tokens-error-div"
    name = "tokens-name-input"
    role = "tokens-role-select"
    expiry = "tokens-expiry-select"
    create = "tokens-create-button"
    secret_box = "tokens-secret-div"
    alert = "tokens-alert-div"
    REVOKE = "tokens-revoke"


def tokens_revoke(token_id: int) -> dict[str, str | int]:
    """The revoke button of one token row."""
    return {"type": Tokens.REVOKE, "token": token_id}
