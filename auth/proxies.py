"""The client's address behind trusted reverse proxies (``LYCEUM_TRUSTED_PROXIES``).

Without configuration ``X-Forwarded-For`` is ignored: anyone can send it. With a hop count the
address that many entries from the right is the client (werkzeug's ProxyFix); with a list of
proxy addresses the header is read only when the request comes from one of them, walking it
from the right past the trusted proxies.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any

from werkzeug.middleware.proxy_fix import ProxyFix

from lyceum.settings import TrustedProxies

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _parse(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


def client_address(remote: str, forwarded_for: str, trusted: TrustedProxies) -> str:
    """The client's address given the socket peer and ``X-Forwarded-For`` (list mode)."""
    def is_trusted(address: IPv4Address | IPv6Address | None) -> bool:
        return address is not None and any(address in net for net in trusted.networks)

    if not is_trusted(_parse(remote)):
        return remote
    chain = [part.strip() for part in forwarded_for.split(",") if part.strip()]
    for entry in reversed(chain):
        found = _parse(entry)
        if found is None:
            return remote  # a forged or garbled entry: do not trust what lies beyond it
        if not is_trusted(found):
            return str(found)
    return remote


class ForwardedFor:
    """WSGI middleware that sets ``REMOTE_ADDR`` from trusted proxies' ``X-Forwarded-For``."""

    def __init__(self, app: WsgiApp, trusted: TrustedProxies) -> None:
        self.app = app
        self.trusted = trusted

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        remote = environ.get("REMOTE_ADDR", "")
        environ["REMOTE_ADDR"] = client_address(
            remote, environ.get("HTTP_X_FORWARDED_FOR", ""), self.trusted)
        return self.app(environ, start_response)


def wrap(app: Any, trusted: TrustedProxies) -> Any:
    """``app`` behind the configured proxy handling (unchanged when no proxy is trusted)."""
    if trusted.hops:
        return ProxyFix(app, x_for=trusted.hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)
    if trusted.networks:
        return ForwardedFor(app, trusted)
    return app
