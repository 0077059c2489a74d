"""The client's address behind trusted proxies: the header counts only from a trusted peer,
read from the right past the trusted hops; anything garbled falls back to the peer."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from werkzeug.middleware.proxy_fix import ProxyFix

from auth.proxies import ForwardedFor, client_address, wrap
from lyceum.settings import parse_trusted_proxies

LIST = parse_trusted_proxies("10.0.0.5, 10.1.0.0/16")


@pytest.mark.parametrize(("remote", "header", "client"), [
    ("203.0.113.7", "198.51.100.1", "203.0.113.7"),          # an untrusted peer's header
    ("10.0.0.5", "198.51.100.1", "198.51.100.1"),            # one trusted proxy
    ("10.0.0.5", "198.51.100.1, 10.1.2.3", "198.51.100.1"),  # two trusted hops
    ("10.0.0.5", "192.0.2.9, 198.51.100.1", "198.51.100.1"),  # the left is the client's word
    ("10.0.0.5", "198.51.100.1, not-an-ip", "10.0.0.5"),      # garbled: stop at the peer
    ("10.0.0.5", "", "10.0.0.5"),
    ("10.0.0.5", "10.1.0.1", "10.0.0.5"),                    # only proxies in the chain
    ("10.0.0.5", "2001:db8::1", "2001:db8::1"),
])
def test_client_address(remote: str, header: str, client: str) -> None:
    assert client_address(remote, header, LIST) == client


def _app(seen: list[str]) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    def app(environ: dict[str, Any], _start: Callable[..., Any]) -> Iterable[bytes]:
        seen.append(environ["REMOTE_ADDR"])
        return [b""]
    return app


def test_the_middleware_rewrites_the_remote_address() -> None:
    seen: list[str] = []
    ForwardedFor(_app(seen), LIST)({"REMOTE_ADDR": "10.0.0.5",
                                    "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, print)
    ForwardedFor(_app(seen), LIST)({"REMOTE_ADDR": "203.0.113.7",
                                    "HTTP_X_FORWARDED_FOR": "198.51.100.1"}, print)
    assert seen == ["198.51.100.1", "203.0.113.7"]


def test_wrap_picks_the_configured_handling() -> None:
    app = _app([])
    assert wrap(app, parse_trusted_proxies("")) is app
    assert isinstance(wrap(app, parse_trusted_proxies("1")), ProxyFix)
    assert isinstance(wrap(app, LIST), ForwardedFor)
