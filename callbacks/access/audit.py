"""Audit log page callbacks: filter choices, search with paging, export link, chain check.

Global admins see every entry; cluster admins only their clusters' entries (enforced on the
server by the filter, whatever the browser sends); others are refused.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from dash import Input, Output, State, callback, ctx

from auth.roles import Role, parse_cluster_id
from auth.session import current_actor
from callbacks.common import runtime, signed_in_user
from callbacks.guard import guarded
from components import audit as ui
from components.ids.audit import Audit
from components.layout import make_error
from services.core import audit_reader

PAGE_SIZE = 50


def _visible() -> frozenset[int] | None:
    user = signed_in_user()
    return audit_reader.administered_clusters(runtime(), user_id=user.id,
                                           is_admin=bool(user.is_admin), actor=current_actor())


@callback(Output(Audit.action, "options"), Output(Audit.cluster, "options"),
          Output(Audit.verify_card, "style"), Output(Audit.error, "children"),
          Input(Audit.load, "data"))
@guarded(Role.VIEWER, cluster=None, on_error=lambda exc, *_: (
    [], [], {"display": "none"}, make_error(exc.user_message)))
def choices(_load: Any) -> tuple[Any, ...]:
    """The filters' choices; the chain check only for global admins."""
    visible = _visible()
    actions, clusters = audit_reader.filter_choices(runtime(), visible)
    return ([{"label": "any action", "value": ui.ANY}]
            + [{"label": a, "value": a} for a in actions],
            [{"label": "any cluster", "value": ui.ANY}]
            + [{"label": n, "value": str(i)} for i, n in clusters.items()],
            {} if visible is None else {"display": "none"}, None)


@callback(Output(Audit.table, "children"), Output(Audit.position, "children"),
          Output(Audit.export, "href"), Output(Audit.page, "data"),
          Output(Audit.error, "children", allow_duplicate=True),
          Input(Audit.user, "value"), Input(Audit.action, "value"),
          Input(Audit.cluster, "value"), Input(Audit.outcome, "value"),
          Input(Audit.since, "value"), Input(Audit.until, "value"),
          Input(Audit.prev, "n_clicks"), Input(Audit.next, "n_clicks"),
          State(Audit.page, "data"), prevent_initial_call="initial_duplicate")
@guarded(Role.VIEWER, cluster=None, on_error=lambda exc, *_: (
    None, "", "/api/v1/audit.csv", 0, make_error(exc.user_message)))
def search(user: Any, action: Any, cluster: Any, outcome: Any, since: Any, until: Any,
           _prev: Any, _next: Any, page: Any) -> tuple[Any, ...]:
    """One page of matching entries; filters start again at the newest."""
    action, cluster, outcome = (None if v == ui.ANY else v for v in (action, cluster, outcome))
    step = {Audit.prev: -1, Audit.next: 1}.get(str(ctx.triggered_id), None)
    number = max(0, (page if isinstance(page, int) else 0) + step) if step else 0
    flt = audit_reader.make_filter(user=user or "", action=action or "",
                                   cluster_id=parse_cluster_id(cluster) if cluster else None,
                                   outcome=outcome or "", since=since, until=until,
                                   visible=_visible())
    found = audit_reader.search(runtime(), flt, limit=PAGE_SIZE, offset=number * PAGE_SIZE)
    if not found.entries and number > 0:
        number = max(0, (found.total - 1) // PAGE_SIZE)
        found = audit_reader.search(runtime(), flt, limit=PAGE_SIZE, offset=number * PAGE_SIZE)
    query = {k: v for k, v in (("user", user), ("action", action), ("cluster_id", cluster),
                               ("outcome", outcome), ("since", since), ("until", until)) if v}
    return (ui.make_table(found.entries, cluster_names=found.cluster_names),
            ui.make_position(offset=number * PAGE_SIZE, shown=len(found.entries),
                             total=found.total),
            "/api/v1/audit.csv" + (f"?{urlencode(query)}" if query else ""), number, None)


@callback(Output(Audit.verify_result, "children"), Input(Audit.verify, "n_clicks"),
          prevent_initial_call=True)
@guarded(Role.ADMIN, cluster=None)
def verify(_n: Any) -> Any:
    """Recompute the hash chain (global admins only)."""
    report = audit_reader.check_chain(runtime())
    return ui.make_chain_result(ok=report.ok, checked=report.checked,
                                broken_at=report.broken_at,
                                missing_at_end=report.missing_at_end,
                                anchored=report.anchored, anchor_entries=report.anchor_entries)
