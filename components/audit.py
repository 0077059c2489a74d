"""Factories for the audit log page (no I/O)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import dash_bootstrap_components as dbc
from dash import html

from components.formatting import when
from components.ids.audit import Audit
from components.layout import make_empty_state

OUTCOME_COLORS = {"success": "success", "denied": "danger", "refused": "warning",
                  "failure": "danger"}
ANY = "any"  # the "no filter" choice (an empty value would show as a blank select)
OUTCOME_OPTIONS = [{"label": "any", "value": ANY}] + [
    {"label": o, "value": o} for o in ("success", "denied", "refused", "failure")]


def make_filters() -> dbc.Row:
    """User, action, cluster, outcome and time filters."""
    def col(label: str, control: Any, xl: int, *, html_for: str) -> dbc.Col:
        # Six in a row on a wide screen, three in a row from 992 px, two below (a twelfth
        # of the card cut the pickers: "any clustei", "a").
        return dbc.Col([dbc.Label(label, html_for=html_for, className="small mb-1"),
                        control], xs=12 if html_for == Audit.user else 6, sm=6, lg=4, xl=xl)
    return dbc.Row([
        col("User", dbc.Input(id=Audit.user, placeholder="e-mail contains…", debounce=True,
                              maxLength=254, size="sm"), 2, html_for=Audit.user),
        col("Action", dbc.Select(id=Audit.action, options=[{"label": "any action",
                                                            "value": ANY}], value=ANY,
                                 size="sm"), 2, html_for=Audit.action),
        col("Cluster", dbc.Select(id=Audit.cluster, options=[{"label": "any cluster",
                                                              "value": ANY}], value=ANY,
                                  size="sm"), 2, html_for=Audit.cluster),
        col("Outcome", dbc.Select(id=Audit.outcome, options=OUTCOME_OPTIONS, value=ANY,
                                  size="sm"), 2, html_for=Audit.outcome),
        col("From", dbc.Input(id=Audit.since, type="date", size="sm"), 2,
            html_for=Audit.since),
        col("Until", dbc.Input(id=Audit.until, type="date", size="sm"), 2,
            html_for=Audit.until),
    ], className="g-2 mb-3", id=Audit.filters)


def _detail(entry: Any) -> html.Div:
    """The entry's detail, at most three lines in the table (a long one made its row 135 px
    tall on a tablet); the whole of it (up to 2,000 characters) on hover."""
    text = json.dumps(entry.detail, sort_keys=True, default=str) if entry.detail else ""
    return html.Div(text if len(text) <= 160 else text[:157] + "…",
                    title=text[:2000] if len(text) > 160 else None, className="audit-detail-text")


def make_table(entries: Sequence[Any], *, cluster_names: dict[int, str]) -> Any:
    """The entries, newest first."""
    if not entries:
        return make_empty_state(icon="bi-journal-text", title="No entries match",
                                text="Change or clear the filters to see more.")
    rows = [html.Tr([
        html.Td(when(e.created_at), className="small text-nowrap"),
        html.Td(e.actor or "—", className="small"), html.Td(html.Code(e.action)),
        html.Td(dbc.Badge(e.outcome, color=OUTCOME_COLORS.get(e.outcome, "secondary"))),
        html.Td(cluster_names.get(e.cluster_id, str(e.cluster_id))
                if e.cluster_id is not None else "—", className="small"),
        html.Td(f"{e.target_type} {e.target_id}".strip() or "—", className="small"),
        html.Td(e.ip or "—", className="small"),
        html.Td(_detail(e), className="small text-body-secondary audit-detail"),
    ]) for e in entries]
    head = html.Thead(html.Tr([html.Th(h) for h in ("Time", "Who", "Action", "Outcome",
                                                    "Cluster", "Target", "From", "Detail")]))
    return dbc.Table([head, html.Tbody(rows)], hover=True, size="sm", responsive=True,
                     className="mb-0 align-middle audit-table")


def make_position(*, offset: int, shown: int, total: int) -> str:
    """"1–50 of 1,234"."""
    if total == 0:
        return "0 entries"
    return f"{offset + 1:,}–{offset + shown:,} of {total:,}"


def make_chain_result(*, ok: bool, checked: int, broken_at: int | None,
                      missing_at_end: int = 0, anchored: bool = True,
                      anchor_entries: int | None = None) -> dbc.Alert:
    """The verdict of the hash-chain check and of the anchor kept apart from the rows."""
    if ok:
        text = f"The chain is intact: all {checked:,} entries match their hashes"
        text += (", and none is missing at the end." if anchored else
                 ". No anchor has been written yet, so entries lost at the end could not be "
                 "checked (it is written with the next audit entry).")
        return dbc.Alert([html.I(className="bi bi-shield-check me-2"), text],
                         color="success", className="mb-0", id="audit-chain-ok")
    problems = []
    if broken_at is not None:
        problems.append(f"The chain is broken at entry {broken_at}: that entry or one before "
                        "it was changed or removed after it was written.")
    if missing_at_end:
        problems.append(f"Entries are missing at the end: the anchor kept apart from the log "
                        f"records {anchor_entries or 0:,} entries, and at least "
                        f"{missing_at_end:,} of them are no longer in the log.")
    return dbc.Alert([html.I(className="bi bi-shield-exclamation me-2"),
                      " ".join(problems) + f" ({checked:,} entries checked.)"],
                     color="danger", className="mb-0", id="audit-chain-broken")
