"""Who is at the other end: the client's address, with ``X-Forwarded-For`` believed only from the
hall's own proxies.

Behind nginx every request comes from the proxy, so the login throttle, the phone rule "one rating
per address" and the pairing limits would all see one address. But anyone can send the header, so
it counts only when the immediate peer (``REMOTE_ADDR``) is one of ``TRUSTED_PROXIES``
(LIANGBIPING_TRUSTED_PROXIES, IPs or CIDR networks; none by default). Then, like werkzeug's
ProxyFix, ``TrustedProxies`` rewrites the request before anything reads it: ``REMOTE_ADDR`` becomes
the nearest address in the header that is not a trusted proxy itself (what the client wrote further
left is not believed), and ``X-Forwarded-Proto`` sets the scheme (``request.is_secure``, external
URLs). The proxy's own address stays in ``environ["liangbiping.proxy_peer"]``.

Code asks ``client_address()``, never the header or ``REMOTE_ADDR`` itself.
"""

from __future__ import annotations

from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address, ip_address, ip_network

from flask import request

PEER_KEY = "liangbiping.proxy_peer"


def client_address() -> str:
    """This request's client (with a trusted proxy in front, the address it forwarded), or ""."""
    return request.remote_addr or ""


@lru_cache(maxsize=8)
def parse_networks(entries: tuple[str, ...]) -> tuple:
    """The networks of ``TRUSTED_PROXIES``; a ValueError names a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ValueError(f"LIANGBIPING_TRUSTED_PROXIES: {entry!r} is not an IP address or network") from None
    return tuple(networks)


def _address(text: str) -> IPv4Address | IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        found = ip_address(text)
    except ValueError:
        return None
    if isinstance(found, IPv6Address) and found.ipv4_mapped:  # "::ffff:10.0.0.1" from a dual-stack socket
        return found.ipv4_mapped
    return found


def _trusted(address, networks) -> bool:
    return address is not None and any(address.version == n.version and address in n for n in networks)


def forwarded_client(peer: str, forwarded_for: str, networks) -> str | None:
    """The client a trusted ``peer`` forwarded for, or None when ``peer`` is not trusted.

    The header's hops are read from the right (the one the nearest proxy added) and each trusted
    proxy is passed over; the first other address is the client. Hops left of it were written by
    the client and are ignored, and so is a hop that is not an address (the last good one wins)."""
    here = _address(peer)
    if not _trusted(here, networks):
        return None
    client = here
    for hop in reversed(forwarded_for.split(",")):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)


class TrustedProxies:
    """WSGI middleware: ProxyFix for the proxies of ``app.config["TRUSTED_PROXIES"]`` only (read on
    each request, so a test may change it); nothing happens when there are none."""

    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app = wsgi_app
        self.config = flask_app.config

    def __call__(self, environ, start_response):
        entries = self.config.get("TRUSTED_PROXIES")
        if entries:
            networks = parse_networks(tuple(entries))
            peer = environ.get("REMOTE_ADDR", "")
            client = forwarded_client(peer, environ.get("HTTP_X_FORWARDED_FOR", ""), networks)
            if client is not None:
                environ[PEER_KEY] = peer
                environ["REMOTE_ADDR"] = client
                proto = environ.get("HTTP_X_FORWARDED_PROTO", "").rsplit(",", 1)[-1].strip().lower()
                if proto in ("http", "https"):
                    environ["wsgi.url_scheme"] = proto
        return self.wsgi_app(environ, start_response)


def init_app(app) -> None:
    """Put ``TrustedProxies`` in front of everything (Socket.IO included); a bad entry of
    LIANGBIPING_TRUSTED_PROXIES stops the start with its name."""
    parse_networks(tuple(app.config.get("TRUSTED_PROXIES") or ()))
    app.wsgi_app = TrustedProxies(app.wsgi_app, app)
