"""What the HTTP client may fetch and how often: the SSRF guard, per-host rate limits, and
the redaction of secrets from URLs that appear in messages, logs and cache metadata."""

from __future__ import annotations

import ipaddress
import socket
import threading
from collections.abc import Callable, Collection, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "signature", "auth", "credential")


def redact_url(url: str) -> str:
    """`url` with userinfo and secret-looking query values (key, token...) replaced."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "REDACTED@" + netloc.rpartition("@")[2]
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(_is_secret(name) for name, _ in pairs):
        query = urlencode([(n, "REDACTED" if _is_secret(n) else v) for n, v in pairs])
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return any(word in lowered for word in _SECRET_WORDS)


def host_port(url: str) -> str:
    """`host:port` of a URL, the port made explicit from the scheme."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (
        f"[{parts.hostname}]:{port}"
        if ":" in (parts.hostname or "")
        else f"{parts.hostname}:{port}"
    )


class Guard:
    """Refuses non-HTTP schemes and hosts on private, loopback or otherwise internal addresses."""

    def __init__(self, trusted: Collection[str], *, resolve: bool) -> None:
        self._hosts: set[str] = set()
        self._host_ports: set[tuple[str, int]] = set()
        for entry in trusted:
            parts = urlsplit("//" + entry.strip())
            if not parts.hostname:
                continue
            if parts.port is None:
                self._hosts.add(parts.hostname)
            else:
                self._host_ports.add((parts.hostname, parts.port))
        self._resolve = resolve

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched, or None when it may."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            return "malformed host or port"
        if parts.scheme not in ("http", "https"):
            return f"only http and https are fetched, not {parts.scheme or 'no scheme'}"
        if not host:
            return "no host"
        if host in self._hosts or (host, port) in self._host_ports:
            return None
        try:
            literal = ipaddress.ip_address(host)
        except ValueError:
            literal = None
        if literal is not None:
            return f"{host} is a private or loopback address" if _internal(literal) else None
        if not self._resolve:
            return None
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            return f"cannot resolve {host} ({exc})"
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            if _internal(address):
                return f"{host} resolves to {address}, a private or loopback address"
        return None


def _internal(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


class RateLimiter:
    """A minimum interval between requests to one host, shared by all threads."""

    def __init__(
        self,
        rates: Mapping[str, float],
        default: float,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        self._intervals = {host.lower(): 1.0 / rate for host, rate in rates.items() if rate > 0}
        self._default = 1.0 / default
        self._next: dict[str, float] = {}
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()

    def wait(self, host: str) -> None:
        """Block until `host` may be asked again; each caller reserves its own slot."""
        interval = self._intervals.get(host.lower(), self._default)
        with self._lock:
            now = self._clock()
            start = max(now, self._next.get(host, now))
            self._next[host] = start + interval
        # Sleep outside the lock so other hosts' requests are not held up.
        if start > now:
            self._sleep(start - now)
