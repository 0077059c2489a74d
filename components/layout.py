"""Layout factories shared by all pages: navigation bar, headers, empty and error states."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from components.ids.shared import Shell


def make_navbar(*, pages: Iterable[Mapping[str, Any]], user_label: str, user_badge: str,
                csrf: str, active_path: str = "") -> dbc.Navbar:
    """The top bar: brand, one link per page the user may open, the user and sign-out."""
    # Between 992 and 1400 px the links, the user and "Account" show their icons only (the
    # words stay for screen readers, and as the tooltip): brand, links, search and the user
    # menu then fit one row (assets/theme.css).
    links = [
        dbc.NavItem(html.Span(dbc.NavLink(
            [html.I(className=f"bi {page.get('icon', 'bi-circle')} me-1"),
             html.Span(page["name"], className="nav-words")],
            href=page["relative_path"], active="exact",
            id=f"nav-{page['module'].split('.')[-1].replace('_', '-')}-link",
        ), title=page["name"], className="d-block"))
        for page in pages
    ]
    user_menu = html.Div([
        html.Span([html.I(className="bi bi-person-circle me-1"),
                   html.Span(user_label, className="nav-words")],
                  className="text-light small text-truncate nav-user",
                  id="nav-user-label", title=f"{user_label} ({user_badge})"),
        dbc.Badge(user_badge, color="light", text_color="dark", className="nav-badge"),
        html.A([html.I(className="bi bi-gear me-1"), html.Span("Account", className="nav-words")],
               href="/account", title="Account", className="btn btn-outline-light btn-sm",
               id=Shell.account),
        html.Form([
            dcc.Input(type="hidden", name="csrf_token", value=csrf),
            html.Button([html.I(className="bi bi-box-arrow-right me-1"), "Sign out"],
                        type="submit", className="btn btn-outline-light btn-sm text-nowrap",
                        id="nav-signout-button"),
        ], action="/logout", method="POST", className="m-0"),
    ], className="d-flex align-items-center flex-wrap gap-2 nav-user-menu")
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand([html.I(className="bi bi-bezier2 me-2"), "Lyceum Clusters"],
                            href="/", className="fw-semibold"),
            dbc.NavbarToggler(html.Span(className="navbar-toggler-icon", title="Menu"),
                              id=Shell.navbar_toggle, n_clicks=0),
            dbc.Collapse([
                dbc.Nav(links, navbar=True, className="me-auto"),
                make_part_search(),
                user_menu,
            ], id=Shell.navbar_collapse, is_open=False, navbar=True),
        ], fluid=True),
        color="dark", dark=True, expand="lg", className="mb-4", id=Shell.navbar,
    )


_LIVE: dict[str, Any] = {"aria-live": "polite"}  # screen readers read the answer out


def make_part_search() -> html.Div:
    """The navbar's part search: a serial or part id, Enter (or the button) opens that part's
    trace page; several matches or none show below the box (links, reachable with Tab)."""
    return html.Div([
        dcc.Location(id=Shell.part_search_go, refresh="callback-nav"),
        html.Label("Find a part by serial or part id", htmlFor=Shell.part_search,
                   className="visually-hidden"),
        dbc.InputGroup([
            dbc.Input(id=Shell.part_search, type="search", placeholder="Serial or part id",
                      autocomplete="off", maxLength=80, debounce=False, n_submit=0),
            dbc.Button(html.I(className="bi bi-upc-scan"), id=Shell.part_search_button,
                       color="light", outline=True, n_clicks=0, title="Find the part"),
        ], size="sm"),
        html.Div(id=Shell.part_search_result, className="part-search-result", **_LIVE),
    ], role="search", className="part-search me-lg-3 my-2 my-lg-0")


def make_part_search_result(*, message: str, hits: Iterable[Mapping[str, Any]] = ()
                            ) -> html.Div:
    """Below the navbar's search: a message, and a link per matching part when several do."""
    links = [dbc.ListGroupItem([html.Span(h["serial"], className="fw-semibold me-2"),
                                html.Span(f"{h['cluster_name']} · {h['n_curves']} curves",
                                          className="small text-body-secondary")],
                               href=h["href"], action=True, className="py-1")
             for h in hits]
    return html.Div([html.Div(message, className="small px-2 py-1"),
                     dbc.ListGroup(links, flush=True) if links else None],
                    className="part-search-panel shadow bg-body text-body rounded border")


def make_page_header(title: str, subtitle: str | None = None,
                     actions: Any = None) -> html.Div:
    """A page title with an optional one-line explanation and actions on the right."""
    return html.Div([
        html.Div([
            html.H1(title, className="h3 mb-1"),
            html.P(subtitle, className="text-body-secondary mb-0") if subtitle else None,
        ]),
        html.Div(actions) if actions is not None else None,
    ], className="d-flex flex-wrap justify-content-between align-items-end gap-2 mb-4")


def make_empty_state(*, icon: str, title: str, text: str, action: Any = None) -> html.Div:
    """What a page shows when it has nothing yet: what is missing and what to do."""
    return html.Div([
        html.I(className=f"bi {icon} display-6 text-body-tertiary"),
        html.H2(title, className="h5 mt-3"),
        html.P(text, className="text-body-secondary mb-3"),
        action,
    ], className="empty-state text-center py-5")


def make_shown_once(value: str, element_id: str) -> html.Div:
    """A value shown only this once (a token's secret, an invitation's link) with its copy
    button; it breaks anywhere rather than push the page sideways on a phone (a secret
    without a hyphen to break at did, by 56 px)."""
    return html.Div([html.Code(value, id=element_id, className="user-select-all text-break"),
                     dcc.Clipboard(target_id=element_id, className="ms-2 d-inline flex-shrink-0")],
                    className="mt-2 d-flex align-items-center")


def make_error(message: str, *, title: str = "Something went wrong") -> dbc.Alert:
    """A user-facing error: what happened, in words, never a traceback."""
    return dbc.Alert([html.Strong(f"{title}: "), message], color="danger", className="mb-3")


def make_loading_placeholder(text: str = "Loading…") -> html.Div:
    """A quiet placeholder shown until a callback fills the area."""
    return html.Div([dbc.Spinner(size="sm", color="secondary"),
                     html.Span(text, className="ms-2 text-body-secondary")],
                    className="d-flex align-items-center py-4")


def make_denied(message: str) -> html.Div:
    """The page body shown when the user lacks the role a page needs."""
    return make_empty_state(icon="bi-shield-lock", title="Not available to you", text=message,
                            action=dbc.Button("Back to overview", href="/", color="primary"))


def make_cluster_nav(*, cluster_id: int, cluster_name: str,
                     pages: list[tuple[str, str, str]], active_path: str) -> html.Div:
    """Tabs for one cluster's pages: (label, href, icon) each, the current one active."""
    links = [dbc.NavItem(dbc.NavLink([html.I(className=f"bi {icon} me-1"), label], href=href,
                                     active=href == active_path,
                                     id=f"cluster-nav-{label.lower().replace(' ', '-')}-link"))
             for label, href, icon in pages]
    return html.Div([
        html.Div([html.I(className="bi bi-database me-1"), cluster_name],
                 className="small text-body-secondary mb-1"),
        dbc.Nav(links, pills=True, className="mb-3 cluster-nav"),
    ], id=f"cluster-nav-{cluster_id}")
