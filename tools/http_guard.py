"""What the HTTP client may fetch, for how long and how often: the SSRF guard, the total
deadline of a request and per-host rate limits (secrets are redacted in `tools.http_redact`).

The guard's one rule is "refuse what is not a global unicast address" (`not_global`). It is
applied to the host of every hop before the request, and again by `GuardedBackend` to every
address the host resolves to when the socket is opened, so a DNS server that answers
differently the second time (rebinding) still cannot reach an internal address.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# --- which addresses are global -------------------------------------------------------------


def _table(*rows: tuple[str, str]) -> list[tuple[IPNetwork, str]]:
    return [(ipaddress.ip_network(net), label) for net, label in rows]


# The IANA special-purpose registries; the more specific rows come first.
_NOT_GLOBAL = _table(
    ("0.0.0.0/8", "'this network'"), ("10.0.0.0/8", "private"),
    ("100.64.0.0/10", "carrier-grade NAT"), ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"), ("172.16.0.0/12", "private"),
    ("192.0.0.0/24", "IETF protocol assignments"), ("192.0.2.0/24", "documentation"),
    ("192.88.99.0/24", "6to4 relay anycast"), ("192.168.0.0/16", "private"),
    ("198.18.0.0/15", "benchmarking"), ("198.51.100.0/24", "documentation"),
    ("203.0.113.0/24", "documentation"), ("224.0.0.0/4", "multicast"),
    ("255.255.255.255/32", "broadcast"), ("240.0.0.0/4", "reserved"),
    ("::/128", "unspecified"), ("::1/128", "loopback"),
    ("64:ff9b:1::/48", "local-use NAT64"), ("100::/64", "discard-only"),
    ("2001::/32", "Teredo"), ("2001:db8::/32", "documentation"),
    ("2001::/23", "IETF protocol assignments"), ("3fff::/20", "documentation"),
    ("fc00::/7", "unique local"), ("fe80::/10", "link-local"), ("fec0::/10", "site-local"),
    ("ff00::/8", "multicast"),
)  # fmt: skip
_GLOBAL_UNICAST_V6 = ipaddress.IPv6Network("2000::/3")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def not_global(ip: IPAddress) -> str | None:
    """Why `ip` is not a global unicast address ("loopback", "6to4 form of ..."), or None."""
    # :: and ::1 are themselves, not IPv4-compatible forms of 0.0.0.0 and 0.0.0.1.
    if isinstance(ip, ipaddress.IPv6Address) and int(ip) > 1:
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            form, v4 = embedded
            why = not_global(v4)
            return f"{form} of {v4}, {why}" if why else None
    for network, label in _NOT_GLOBAL:
        if ip.version == network.version and ip in network:
            return label
    if isinstance(ip, ipaddress.IPv6Address) and ip not in _GLOBAL_UNICAST_V6:
        return "outside the global unicast range 2000::/3"
    # Python's own registry may know of newer blocks; either list refusing is enough.
    if not ip.is_global or ip.is_multicast:
        return "not global"
    return None


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 transition form carries, named by its form."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped form", ip.ipv4_mapped
    if ip.sixtofour is not None:
        return "6to4 form", ip.sixtofour
    low = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64:
        return "NAT64 form", low
    if int(ip) >> 32 == 0:
        return "IPv4-compatible form", low
    return None


def host_literal(host: str) -> IPAddress | None:
    """The address a host written as an IP means, in any spelling the C resolver accepts
    (`2852039166`, `0xA9FEA9FE`, `0251.0376.0251.0376`, `127.1`, `[fe80::1%eth0]`), or None."""
    host = host.strip("[]").rstrip(".")
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    values = []
    for part in parts:
        if len(part) > 32:
            return None
        if re.fullmatch(r"0[xX][0-9a-fA-F]*", part):
            values.append(int(part[2:] or "0", 16))
        elif re.fullmatch(r"0[0-7]*", part):
            values.append(int(part, 8))
        elif re.fullmatch(r"[1-9][0-9]*", part):
            values.append(int(part))
        else:
            return None
    *head, last = values
    # inet_aton: each leading part is one byte, the last fills the bytes that remain.
    if any(v > 255 for v in head) or last >= 256 ** (4 - len(head)):
        return None
    number = sum(v << (8 * (3 - i)) for i, v in enumerate(head)) + last
    return ipaddress.IPv4Address(number)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


def host_port(url: str) -> str:
    """`host:port` of a URL, the port made explicit from the scheme."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return (
        f"[{parts.hostname}]:{port}"
        if ":" in (parts.hostname or "")
        else f"{parts.hostname}:{port}"
    )


def _normal_host(host: str) -> str:
    """A host as the client connects to it: ASCII (IDNA), lower case, no trailing dot."""
    host = host.strip().strip("[]").lower().rstrip(".")
    if not host.isascii():
        with suppress(httpx.InvalidURL, UnicodeError):
            host = httpx.URL(f"http://{host}/").raw_host.decode("ascii").rstrip(".")
    return host


class Refused(Exception):
    """The guard refused the address a socket was about to open."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Guard:
    """Refuses non-HTTP schemes and every host that is or resolves to a non-global address,
    unless the host (or host:port) is trusted: a configured endpoint or `--allow-host`."""

    def __init__(self, trusted: Collection[str], *, resolve: bool) -> None:
        self._hosts: set[str] = set()
        self._host_ports: set[tuple[str, int]] = set()
        for entry in trusted:
            try:
                parts = urlsplit("//" + entry.strip())
                host, port = _normal_host(parts.hostname or ""), parts.port
            except ValueError:
                continue
            if not host:
                continue
            if port is None:
                self._hosts.add(host)
            else:
                self._host_ports.add((host, port))
        self._resolve = resolve

    def trusts(self, host: str, port: int) -> bool:
        """Whether `host:port` was configured or allowed by the operator."""
        host = _normal_host(host)
        return host in self._hosts or (host, port) in self._host_ports

    def refusal(self, url: str) -> str | None:
        """Why `url` may not be fetched, or None when it may."""
        try:
            parsed = httpx.URL(url)
            host = _normal_host(parsed.raw_host.decode("ascii"))
        except (httpx.InvalidURL, TypeError, UnicodeError) as exc:
            return f"malformed URL ({exc})"
        if parsed.scheme not in ("http", "https"):
            return f"only http and https are fetched, not {parsed.scheme or 'no scheme'}"
        if not host:
            return "no host"
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        if self.trusts(host, port):
            return None
        if not self._resolve and host_literal(host) is None:
            # Without a socket there is no DNS answer to judge; only reserved names are known.
            if host == "localhost" or host.endswith(".localhost"):
                return f"{host} is a loopback name"
            return None
        try:
            self.addresses(host, port)
        except Refused as exc:
            return exc.reason
        except OSError as exc:
            return f"cannot resolve {host} ({exc})"
        return None

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host:port`, each checked; `Refused` if any is
        not global (a trusted host is handed to the resolver as it is)."""
        host = _normal_host(host)
        if self.trusts(host, port):
            return [host]
        literal = host_literal(host)
        if literal is not None:
            why = not_global(literal)
            if why:
                named = host if _is_ip(host) else f"{host} ({literal})"
                raise Refused(f"{named} is not a public address: {why}")
            return [str(literal)]
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except UnicodeError as exc:
            raise OSError(str(exc)) from None
        found = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
        for address in found:
            why = not_global(ipaddress.ip_address(address))
            if why:
                raise Refused(f"{host} resolves to {address}, not a public address: {why}")
        return found


# --- the total deadline and the guarded socket layer ----------------------------------------


class DeadlinePassed(Exception):
    """A request's total deadline passed while it waited on the network."""


@dataclass(frozen=True)
class Deadline:
    """The moment, on `clock`, by which a whole request must be done."""

    seconds: float
    at: float
    clock: Callable[[], float]

    @classmethod
    def start(cls, seconds: float, clock: Callable[[], float]) -> Deadline:
        """A deadline `seconds` from now."""
        return cls(seconds, clock() + seconds, clock)

    def remaining(self) -> float:
        """Seconds left (zero or less once passed)."""
        return self.at - self.clock()

    def cap(self, timeout: float | None) -> float:
        """`timeout` shortened to the time left; `DeadlinePassed` when none is."""
        left = self.remaining()
        if left <= 0:
            raise DeadlinePassed
        return left if timeout is None else min(timeout, left)

    @contextmanager
    def applied(self) -> Iterator[None]:
        """Make this the deadline of every socket operation of this thread meanwhile."""
        token = _CURRENT.set(self)
        try:
            yield
        finally:
            _CURRENT.reset(token)


# A pooled connection serves whichever request uses it, so the deadline travels with the
# request's thread rather than with the socket.
_CURRENT: ContextVar[Deadline | None] = ContextVar("dossier_http_deadline", default=None)
_T = TypeVar("_T")


def _bounded(operation: Callable[[float | None], _T], timeout: float | None) -> _T:
    deadline = _CURRENT.get()
    if deadline is None:
        return operation(timeout)
    try:
        return operation(deadline.cap(timeout))
    except (httpcore.TimeoutException, TimeoutError):
        if deadline.remaining() <= 0:
            raise DeadlinePassed from None
        raise


class _Stream(httpcore.NetworkStream):
    """A socket stream whose every read, write and handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return _bounded(functools.partial(self._inner.read, max_bytes), timeout)

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        _bounded(functools.partial(self._inner.write, buffer), timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        handshake = functools.partial(self._inner.start_tls, ssl_context, server_hostname)
        return _Stream(_bounded(handshake, timeout))

    def get_extra_info(self, info: str) -> object:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """httpcore's socket layer with the guard checked on connect (None: a proxy's pool,
    whose sockets go to the proxy) and the request's deadline on every operation."""

    def __init__(self, guard: Guard | None) -> None:
        self._guard = guard
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            targets = [host] if self._guard is None else self._guard.addresses(host, port)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from None
        failure: Exception = httpcore.ConnectError(f"no address for {host}")
        # Connecting to the checked address itself pins it: the name is not resolved again.
        for address in targets:
            connect = functools.partial(
                self._inner.connect_tcp,
                address,
                port,
                local_address=local_address,
                socket_options=socket_options,
            )
            try:
                return _Stream(_bounded(connect, timeout))
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        connect = functools.partial(
            self._inner.connect_unix_socket, path, socket_options=socket_options
        )
        return _Stream(_bounded(connect, timeout))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def guard_sockets(client: httpx.Client, guard: Guard) -> int:
    """Route every connection pool of `client` through `GuardedBackend`; how many there are.

    httpx builds its pools (and one per proxy from the environment) without a way to pass a
    network backend, so it is set on each pool httpx made.
    """
    transports = [client._transport, *client._mounts.values()]
    pools = [getattr(t, "_pool", None) for t in transports]
    guarded = 0
    for pool in pools:
        if isinstance(pool, httpcore.ConnectionPool):
            proxied = isinstance(pool, httpcore.HTTPProxy | httpcore.SOCKSProxy)
            pool._network_backend = GuardedBackend(None if proxied else guard)
            guarded += 1
    return guarded


# --- rate limits ----------------------------------------------------------------------------


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
