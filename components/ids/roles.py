"""Ids of the role matrix page."""

from __future__ import annotations


class Roles:
    """The role matrix page."""

    table = "roles-matrix-table"
