"""The one guard every callback uses: check the role, parse the cluster id, show the error.

``@guarded(Role.EDITOR, outputs=2, error_output=1, title="Not saved")`` under ``@callback``
replaces the block each callback used to repeat::

    try:
        require_role(cluster_id, Role.EDITOR)      # on the server, on every call
        result = service(parse_cluster_id(cluster_id), ...)
    except AppError as exc:
        return no_update, make_error(exc.user_message, title="Not saved")

The decorated function receives the cluster id already parsed (an ``int``) in the argument
named by ``cluster``; it runs only once the role is granted, so a refused call executes
nothing of it. Any :class:`AppError` it raises becomes the error output: ``make_error`` in the
output ``error_output`` (a position, or a key for dict-shaped outputs) and ``fill`` (by default
``no_update``) in the others; ``on_error(exc, *arguments)`` replaces that when a callback
shows errors its own way. ``when`` is checked before anything else: when it is false the call
is not a user action (a form redrawn, a pattern-matched list refreshed) and raises
``PreventUpdate``, as before the role check, so a redraw never produces a refusal.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from dash import ctx, no_update
from dash.exceptions import PreventUpdate

from auth.roles import Role, parse_cluster_id, require_role
from components.layout import make_error
from lyceum.errors import AppError

F = TypeVar("F", bound=Callable[..., Any])


def guarded(role: Role, *, cluster: str | None = "cluster_id",
            outputs: int | Sequence[str] = 1, error_output: int | str = 0,
            title: str | None = None, fill: Any = no_update,
            when: Callable[..., object] | None = None,
            on_error: Callable[..., Any] | None = None,
            granted: str | None = None,
            locate: Callable[[Any], Any] | None = None) -> Callable[[F], F]:
    """Guard a Dash callback: ``role`` on the cluster in argument ``cluster`` (``None``: a
    global role), parsed before the body runs; an ``AppError`` becomes the error output.

    ``outputs`` is the number of positional outputs or the keys of dict-shaped ones;
    ``granted`` names a keyword argument that receives the role the user holds; ``locate``
    finds the cluster id inside the ``cluster`` argument (a store holding more than the id).
    """
    def error_result(exc: AppError, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if on_error is not None:
            return on_error(exc, *args, **kwargs)
        return error_outputs(exc, outputs=outputs, error_output=error_output, title=title,
                             fill=fill)

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        for name in (cluster, granted):
            if name and name not in signature.parameters:
                raise TypeError(f"{function.__qualname__} has no argument {name!r} to guard")

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if when is not None and not when(*args, **kwargs):
                raise PreventUpdate
            bound = signature.bind(*args, **kwargs)
            try:
                raw = bound.arguments[cluster] if cluster else None
                if locate is not None:
                    raw = locate(raw)
                have = require_role(raw, role)
                if cluster:
                    bound.arguments[cluster] = parse_cluster_id(raw)
                if granted:
                    bound.arguments[granted] = have
                return function(*bound.args, **bound.kwargs)
            except AppError as exc:
                return error_result(exc, args, kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def error_outputs(exc: AppError, *, outputs: int | Sequence[str], error_output: int | str,
                  title: str | None, fill: Any) -> Any:
    """``make_error`` in output ``error_output`` and ``fill`` in the others (a tuple, a dict
    for dict-shaped outputs, or the error alone for a single output)."""
    shown = make_error(exc.user_message, **({"title": title} if title else {}))
    if isinstance(outputs, int):
        if outputs == 1:
            return shown
        return tuple(shown if i == error_output else fill for i in range(outputs))
    return {key: shown if key == error_output else fill for key in outputs}


def clicked(n: Any, *_rest: Any, **_kw: Any) -> bool:
    """``when=`` for a button: its first input, ``n_clicks``, counts a real click."""
    return bool(n)


def item_clicked(*_args: Any, **_kw: Any) -> bool:
    """``when=`` for a pattern-matched button or switch: one of them was really used."""
    trigger = ctx.triggered_id
    return (isinstance(trigger, dict) and bool(ctx.triggered)
            and bool(ctx.triggered[0]["value"]))


def item_changed(*_args: Any, **_kw: Any) -> bool:
    """``when=`` for a pattern-matched picker: one of them holds a value (not a redraw)."""
    trigger = ctx.triggered_id
    return (isinstance(trigger, dict) and bool(ctx.triggered)
            and ctx.triggered[0]["value"] is not None)


def unchanged(_exc: AppError, *_args: Any, **_kw: Any) -> Any:
    """``on_error=`` for a panel that keeps what it shows when refused (the refusal itself is
    audited by ``require_role``): no update at all."""
    raise PreventUpdate from None
