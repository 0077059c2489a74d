"""The page address as a view's home (explorer, dashboard): a server callback decides the
address (``{"search": "?…", "replace": bool}`` in a store) and this writes it in the browser.

``replace`` rewrites the current history entry (a page's first view: Back still leaves the
page); otherwise a new entry is pushed, so Back/Forward step through the views. The page's
own ``dcc.Location`` (``refresh=False``) is then told the new search and href: it pushes
nothing itself, and on Back/Forward it reports the address, which the page decodes and
checks on the server like any other input. For 1.5 s after Back/Forward no entry is pushed
(the page is restoring the popped view; see :data:`POP_QUIET_MS`).
"""

from __future__ import annotations

from dash import Input, Output, clientside_callback

_WRITE = """function (wanted) {
    const skip = window.dash_clientside.no_update;
    if (!window.lyceumPopWatch) {
        window.lyceumPopWatch = true;
        window.addEventListener('popstate', () => { window.lyceumPoppedAt = Date.now(); });
    }
    if (!wanted || typeof wanted.search !== 'string' || wanted.search.length > 16000
            || (wanted.search !== '' && wanted.search[0] !== '?')) {
        return [skip, skip];
    }
    if (!wanted.replace && Date.now() - (window.lyceumPoppedAt || 0) < POP_QUIET_MS) {
        return [skip, skip];
    }
    if (window.location.search !== wanted.search) {
        const href = window.location.pathname + wanted.search + window.location.hash;
        if (wanted.replace) { window.history.replaceState({}, '', href); }
        else { window.history.pushState({}, '', href); }
    }
    return [wanted.search, window.location.href];
}"""


#: After Back/Forward the page restores the popped view (sometimes twice: Dash's page router
#: may re-render it too); pushes asked for meanwhile come from that restoring, not from the
#: person, and would cut the forward history: they are dropped.
POP_QUIET_MS = 1500
_WRITE = _WRITE.replace("POP_QUIET_MS", str(POP_QUIET_MS))


def write_address(location_id: str, store_id: str) -> None:
    """Register the browser callback that writes ``store_id``'s address into the page's
    address bar and tells the Location ``location_id``."""
    clientside_callback(_WRITE, Output(location_id, "search"), Output(location_id, "href"),
                        Input(store_id, "data"), prevent_initial_call=True)
