"""The page address as a view's home (explorer, dashboard): a server callback decides the
address (``{"search": "?…", "replace": bool, "path": "/clusters/1/explorer"}`` in a store)
and this writes it in the browser, only while the browser is still on ``path``: an answer
that lands after the person went to another page (a search's link, the navbar) must not
write its view into that page's address.

``replace`` rewrites the current history entry (a page's first view: Back still leaves the
page); otherwise a new entry is pushed, so Back/Forward step through the views. The page's
own ``dcc.Location`` (``refresh=False``) is then told the new search and href: it pushes
nothing itself, and on Back/Forward it reports the address, which the page decodes and
checks on the server like any other input. For 1.5 s after Back/Forward no entry is pushed
(the page is restoring the popped view; see :data:`POP_QUIET_MS`), and an answer that names
the ``base`` search it was asked from pushes only while the address still has it: under
load, the answer to a view restored by Back landed after the next Back, more than 1.5 s
later, and pushed that view over the forward history.
"""

from __future__ import annotations

from dash import Input, Output, clientside_callback

#: Notes Back/Forward (``window.lyceumPoppedAt``), once per page, and defines
#: ``lyceumAddress(search)``: whether a search the server sent is one to put in the address.
_POP_WATCH = """
    if (!window.lyceumPopWatch) {
        window.lyceumPopWatch = true;
        window.addEventListener('popstate', () => { window.lyceumPoppedAt = Date.now(); });
    }
    const lyceumAddress = (search) => typeof search === 'string' && search.length <= 16000
        && (search === '' || search[0] === '?');
"""

_WRITE = """function (wanted) {
    const skip = window.dash_clientside.no_update;
    POP_WATCH
    if (!wanted || !lyceumAddress(wanted.search)
            || wanted.path !== window.location.pathname) {
        return [skip, skip];
    }
    if (!wanted.replace && (Date.now() - (window.lyceumPoppedAt || 0) < POP_QUIET_MS
            || (typeof wanted.base === 'string' && wanted.base !== window.location.search))) {
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
_WRITE = _WRITE.replace("POP_QUIET_MS", str(POP_QUIET_MS)).replace("POP_WATCH", _POP_WATCH)

# The address a page's layout opened with replaces the browser's history entry only: the
# page's Location already holds it, so no callback runs for it.
_REPLACE_FIRST = """function (search) {
    POP_WATCH
    if (lyceumAddress(search) && window.location.search !== search) {
        window.history.replaceState({}, '', window.location.pathname + search
                                    + window.location.hash);
    }
    return window.dash_clientside.no_update;
}""".replace("POP_WATCH", _POP_WATCH)


def write_address(location_id: str, store_id: str) -> None:
    """Register the browser callback that writes ``store_id``'s address (made by
    ``components.address.wanted_address``) into the page's address bar and tells the Location
    ``location_id``."""
    clientside_callback(_WRITE, Output(location_id, "search"), Output(location_id, "href"),
                        Input(store_id, "data"), prevent_initial_call=True)


def replace_first_address(store_id: str) -> None:
    """Register the browser callback that puts the search in ``store_id`` (the view a page's
    layout opened) into the current history entry, and starts noting Back/Forward as the
    writer of :func:`write_address` does. (Its own store: Dash runs no first call of a
    callback whose inputs only callbacks that do not run could set.)"""
    clientside_callback(_REPLACE_FIRST, Output(store_id, "modified_timestamp"),
                        Input(store_id, "data"))
