"""Every use of Dash's private names, in one module: Dash 4.4.1 has no public API for them.

- ``dash.callback`` parks callbacks in ``dash._callback.GLOBAL_CALLBACK_MAP``/``_LIST`` until
  the first app serves a request, then that app takes and clears them; a second app of the
  process (tests, the CLI) would get none. :func:`registered_callbacks`,
  :func:`forget_registered_callbacks` and :func:`add_callbacks` (``Dash._callback_list``)
  hand the same callbacks to every app.
- Dash's background managers run a callback through a private ``_make_job_fn`` that stores
  its result, progress and ``set_props`` where Dash's poll looks for them:
  :func:`disk_job_fn`, :func:`celery_job_fn`; :func:`progress_key` and
  :func:`set_props_key` name those entries.
- Dash finishes setting an app up (``Dash._setup_server``) in a ``before_request`` hook that
  checks a flag, sets it, and then works: two first requests at once both pass the check and
  one iterates the callback map while the other adds to it (``RuntimeError: dictionary
  changed size during iteration``, a 500). :func:`serialize_setup` puts a lock around it.

:func:`check` verifies that each of them still exists with the signature used here, and
``tests/test_dash_adapter.py`` checks their behaviour: a Dash upgrade that changes
them fails there, naming the Dash version, instead of somewhere in a running app.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import dash
from dash import _callback
from dash.background_callback.managers import (
    BaseBackgroundCallbackManager,
    celery_manager,
    diskcache_manager,
)

#: The Dash version whose internals this module was written and tested against.
TESTED_DASH = "4.4.1"

#: What is used here: (owner, attribute, the parameters it must take; ``None``: not called).
USED: tuple[tuple[Any, str, tuple[str, ...] | None], ...] = (
    (_callback, "GLOBAL_CALLBACK_MAP", None),
    (_callback, "GLOBAL_CALLBACK_LIST", None),
    (diskcache_manager, "_make_job_fn", ("fn", "cache", "progress")),
    (celery_manager, "_make_job_fn", ("fn", "celery_app", "progress", "key")),
    (BaseBackgroundCallbackManager, "_make_progress_key", ("key",)),
    (BaseBackgroundCallbackManager, "_make_set_props_key", ("key",)),
    (dash.Dash, "_setup_server", ("self",)),
)


class DashChanged(RuntimeError):
    """A Dash internal this app relies on is gone or different (a Dash upgrade)."""


def _changed(what: str) -> DashChanged:
    return DashChanged(f"Dash {dash.__version__} changed {what}; lyceum/dash_adapter.py was "
                       f"written for Dash {TESTED_DASH}: adapt it before upgrading Dash.")


def check() -> None:
    """Raise :class:`DashChanged` unless every internal in :data:`USED` exists, with the same
    parameters, and each app has its own callback list."""
    for owner, name, params in USED:
        where = f"{getattr(owner, '__name__', owner)}.{name}"
        if not hasattr(owner, name):
            raise _changed(f"{where} (it is gone)")
        if params is None:
            continue
        found = tuple(inspect.signature(getattr(owner, name)).parameters)
        if found != params:
            raise _changed(f"{where} (parameters {found}, expected {params})")
    for name, kind in (("GLOBAL_CALLBACK_MAP", dict), ("GLOBAL_CALLBACK_LIST", list)):
        if not isinstance(getattr(_callback, name), kind):
            raise _changed(f"dash._callback.{name} (no longer a {kind.__name__})")
    if not isinstance(getattr(dash.Dash(__name__), "_callback_list", None), list):
        raise _changed("Dash._callback_list (no longer a list on each app)")


def registered_callbacks() -> tuple[dict[str, Any], list[Any]]:
    """Copies of the callbacks ``dash.callback`` registered so far (not yet taken by an app):
    the callback map (output → entry) and the list sent to the browser."""
    return dict(_callback.GLOBAL_CALLBACK_MAP), list(_callback.GLOBAL_CALLBACK_LIST)


def forget_registered_callbacks() -> None:
    """Empty Dash's module-level registry, so that no app takes those callbacks on its own."""
    _callback.GLOBAL_CALLBACK_MAP.clear()
    _callback.GLOBAL_CALLBACK_LIST.clear()


def add_callbacks(app: dash.Dash, callback_map: Mapping[str, Any],
                  callback_list: Sequence[Any]) -> None:
    """Give ``app`` these callbacks (as if each had been registered with ``app.callback``)."""
    app.callback_map.update(callback_map)
    try:
        own: list[Any] = app._callback_list
    except AttributeError:
        raise _changed("Dash._callback_list (it is gone)") from None
    own.extend(callback_list)


def serialize_setup(app: dash.Dash, server: Any) -> None:
    """Make Dash's own first-request set-up of ``app`` (a hook on the Flask ``server``) run
    once, under a lock: concurrent first requests wait for it instead of racing it."""
    hooks: list[Any] = server.before_request_funcs.setdefault(None, [])
    setup = app._setup_server
    at = next((i for i, hook in enumerate(hooks) if hook == setup), None)
    if at is None:
        raise _changed("Dash._setup_server (no longer a before_request hook of the server)")
    lock = threading.Lock()

    def setup_once() -> None:
        with lock:
            setup()

    hooks[at] = setup_once


def disk_job_fn(fn: Callable[..., Any], cache: Any, progress: bool) -> Callable[..., Any]:
    """Dash's job for ``fn`` that keeps its result, progress and ``set_props`` in ``cache``
    (``cache.set(key, value)``), called as ``job(result_key, progress_key, args, context)``."""
    made: Callable[..., Any] = diskcache_manager._make_job_fn(fn, cache, progress)
    return made


def celery_job_fn(fn: Callable[..., Any], celery_app: Any, progress: bool,
                  key: str | None) -> Any:
    """Dash's Celery task ``background_callback_<key>`` for ``fn``, registered through
    ``celery_app.task(name=...)``, keeping its result in ``celery_app.backend``."""
    return celery_manager._make_job_fn(fn, celery_app, progress, key)


def progress_key(key: str) -> str:
    """Where a job's progress is kept, next to its result ``key``."""
    found: str = BaseBackgroundCallbackManager._make_progress_key(key)
    return found


def set_props_key(key: str) -> str:
    """Where a job's ``set_props`` updates are kept, next to its result ``key``."""
    found: str = BaseBackgroundCallbackManager._make_set_props_key(key)
    return found
