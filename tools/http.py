"""The one HTTP client every source uses: timeouts, a total deadline per request, retries,
per-host rate limits, an SSRF guard on every redirect hop and every socket, a size cap, a
content-type check and an on-disk conditional cache.

Every failure is an `agent.errors.FetchError` with a one-line message that names the URL (with
secrets redacted by `redact_url`) and the reason. Tests and the demo inject a transport (httpx
`MockTransport`, `tools.replay.ReplayTransport`) instead of the network.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential,
)
from tenacity.stop import stop_base

from agent.atomic import write_atomic
from agent.config import Settings
from agent.errors import FetchError, ParseError
from tools.http_guard import (
    Deadline,
    DeadlinePassed,
    Guard,
    RateLimiter,
    Refused,
    guard_sockets,
    host_port,
)
from tools.http_redact import redact_text, redact_url
from tools.json_input import load_json
from tools.retry import retry_after, waiting

log = logging.getLogger("dossier.http")

JSON_TYPES = frozenset({"application/json", "text/json"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
    }
)
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
CSV_TYPES = frozenset({"text/csv", "application/csv", "text/plain"})
_TYPE_NAMES = {JSON_TYPES: "JSON", FEED_TYPES: "a feed", HTML_TYPES: "HTML", CSV_TYPES: "CSV"}

#: SEC EDGAR's fair-access policy allows at most 10 requests per second.
SEC_HOSTS = frozenset({"data.sec.gov", "www.sec.gov"})
SEC_RATE = 10.0
DEFAULT_RATE = 5.0
MAX_REDIRECTS = 5
#: How much of a POST's reply is kept (a webhook answers "ok" or a short error).
_REPLY_BYTES = 65_536
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
# Credentials must never reach the disk; encoding and length describe the wire, not the
# decoded body we store.
_UNCACHED_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "content-encoding",
     "content-length", "transfer-encoding", "connection"}
)  # fmt: skip


@dataclass(frozen=True)
class Response:
    """A fetched (or cached) response, its body read in full."""

    url: str
    status: int
    headers: Mapping[str, str]
    content: bytes
    from_cache: bool = False

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower case ("" when absent)."""
        return _media_type(self.headers.get("content-type", ""))

    def text(self) -> str:
        """The body decoded with the declared charset, else UTF-8; bad bytes become U+FFFD."""
        charset = _charset(self.headers.get("content-type", "")) or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body parsed as JSON (the one JSON reader, depth-limited); `ParseError` with a
        one-line reason naming the URL when it is not."""
        try:
            return load_json(self.content)
        except ParseError as exc:
            raise ParseError(f"{self.url}: malformed JSON ({exc})") from None


class _Transient(Exception):
    """A failure worth another attempt (429, 5xx, timeout, connection error)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class HttpClient:
    """The one HTTP client (see the module docstring); use it as a context manager."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.BaseTransport | None = None,
        allow_hosts: Collection[str] = (),
        offline: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 20.0,
        connect_timeout: float = 5.0,
        attempts: int = 3,
        max_bytes: int = 10_000_000,
        rate_limits: Mapping[str, float] | None = None,
    ) -> None:
        self.settings = settings
        self.offline = offline
        self.user_agent = user_agent(settings.contact_email)
        self._sleep = sleep
        self._clock = clock
        self._deadline_s = settings.http_deadline_s
        self._attempts = max(1, attempts)
        self._max_bytes = max_bytes
        endpoints = [
            settings.greenhouse_url, settings.lever_url, settings.ashby_url,
            settings.google_news_url, settings.gdelt_url,
            settings.sec_data_url, settings.sec_archives_url,
            *([settings.slack_webhook_url] if settings.slack_webhook_url else []),
        ]  # fmt: skip
        # A mirror or replay server configured as an endpoint may live on a private address.
        trusted = [*allow_hosts, *_hosts(endpoints)]
        # An injected transport never opens a socket, so DNS answers would guard nothing.
        self._guard = Guard(trusted, resolve=transport is None)
        sec = SEC_HOSTS | {
            urlsplit(u).hostname or "" for u in (settings.sec_data_url, settings.sec_archives_url)
        }
        rates = {**dict.fromkeys(sec - {""}, SEC_RATE), **(rate_limits or {})}
        self._limiter = RateLimiter(rates, DEFAULT_RATE, clock=clock, sleep=sleep)
        self._cache = _Cache(settings.home / "cache" / "http")
        # Redirects are followed by hand so that every hop passes the guard.
        self._client = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(connect_timeout, timeout)),
            follow_redirects=False,
        )
        if transport is None and not guard_sockets(self._client, self._guard):
            log.warning("httpx pools not found: deadline checked between reads, DNS not pinned")
        if not settings.contact_email:
            log.debug("no contact_email configured; SEC asks every client for one")

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        accept: Collection[str] | None = None,
        max_bytes: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """GET `url` (plus `params`) through guard, rate limit, cache and retries."""
        try:
            target = httpx.URL(url)
            full = str(target.copy_merge_params(dict(params)) if params else target)
        except (httpx.InvalidURL, TypeError) as exc:
            raise _failure(redact_url(url), f"invalid URL ({exc})") from None
        shown = redact_url(full)
        allowed = frozenset(t.lower() for t in accept) if accept else None
        cap = self._max_bytes if max_bytes is None else max_bytes
        cached = self._cache.load(full)
        if self.offline:
            if cached is None:
                raise _failure(shown, "offline and not in cache")
            _check_type(shown, cached.content_type, allowed)
            return cached
        # One deadline covers every attempt, redirect and wait of this call.
        deadline = Deadline.start(self._deadline_s, self._clock)
        request_headers = self._headers(headers, allowed, cached)
        response = self._retried(
            shown, deadline, self._follow, full, request_headers, allowed, cap, cached, deadline
        )
        if response.status == 200 and not response.from_cache:
            self._cache.store(full, response)
        elif response.from_cache:
            self._cache.store(full, response, body=False)
        return response

    def get_json(self, url: str, **kw: Any) -> Any:
        """GET a JSON document (`accept` defaults to JSON_TYPES) and parse it."""
        kw.setdefault("accept", JSON_TYPES)
        return self.get(url, **kw).json()

    def post_json(self, url: str, payload: Any, *, shown: str | None = None) -> Response:
        """POST a JSON body to a configured endpoint (an alert webhook) through guard, rate
        limit and retries (429, 5xx and connection errors, Retry-After honoured).

        Never cached and sent even offline (offline means no source is fetched); a redirect
        is not followed. `shown` names the URL in errors: a webhook's path is its credential,
        so by default the reason names only what `redact_url` leaves.
        """
        shown = shown or redact_url(url)
        body = json.dumps(payload).encode("utf-8")
        headers = httpx.Headers({"Content-Type": "application/json", "User-Agent": self.user_agent})
        deadline = Deadline.start(self._deadline_s, self._clock)
        return self._retried(shown, deadline, self._post, url, shown, body, headers, deadline)

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _headers(
        self,
        extra: Mapping[str, str] | None,
        allowed: frozenset[str] | None,
        cached: Response | None,
    ) -> httpx.Headers:
        headers = httpx.Headers(dict(extra or {}))
        if allowed and "accept" not in headers:
            headers["Accept"] = ", ".join(sorted(allowed)) + ", */*;q=0.1"
        if cached is not None:
            if etag := cached.headers.get("etag"):
                headers["If-None-Match"] = etag
            if modified := cached.headers.get("last-modified"):
                headers["If-Modified-Since"] = modified
        headers["User-Agent"] = self.user_agent
        return headers

    def _retried(
        self, shown: str, deadline: Deadline, attempt: Callable[..., Response], *args: Any
    ) -> Response:
        """`attempt(*args)` until it succeeds, fails for good, runs out of attempts or would
        end past `deadline` (which every socket operation meanwhile observes)."""
        retrying = Retrying(
            stop=stop_after_attempt(self._attempts) | _NoTimeLeft(deadline),
            wait=waiting(BACKOFF, _asked),
            retry=retry_if_exception_type(_Transient),
            sleep=self._sleep,
            before_sleep=lambda state: log.debug(
                "retrying %s: %s", shown, state.outcome and state.outcome.exception()
            ),
            reraise=True,
        )
        try:
            with deadline.applied():
                response: Response = retrying(attempt, *args)
        except _Transient as exc:
            tried = int(retrying.statistics.get("attempt_number", self._attempts))
            reason = f"{exc.reason} after {tried} attempt{'s' if tried > 1 else ''}"
            if tried < self._attempts:
                reason += f"; another would end past the {deadline.seconds:g} s deadline"
            raise _failure(shown, reason) from exc
        return response

    def _follow(
        self,
        url: str,
        headers: httpx.Headers,
        allowed: frozenset[str] | None,
        cap: int,
        cached: Response | None,
        deadline: Deadline,
    ) -> Response:
        """One attempt: the request and its redirects, each hop guarded and rate limited."""
        shown, hop, headers = redact_url(url), url, httpx.Headers(headers)
        for _ in range(MAX_REDIRECTS + 1):
            via = "" if hop == url else f"redirect to {redact_url(hop)} "
            refusal = self._guard.refusal(hop)
            if refusal:
                raise _failure(shown, f"{via}refused: {refusal}")
            self._limiter.wait(urlsplit(hop).hostname or "")
            if deadline.remaining() <= 0:
                raise _late(shown, deadline)
            with (
                _as_failures(shown, deadline, via),
                self._client.stream("GET", hop, headers=headers) as reply,
            ):
                log.debug("GET %s -> %s", redact_url(hop), reply.status_code)
                location = reply.headers.get("location")
                if reply.status_code in _REDIRECTS and location:
                    following = urljoin(hop, location)
                    if _origin(following) != _origin(hop):
                        # Credentials are for the origin the caller named, not the next one.
                        for name in ("authorization", "cookie"):
                            headers.pop(name, None)
                    hop = following
                    continue
                return self._read(shown, hop, reply, allowed, cap, cached, deadline)
        raise _failure(shown, f"too many redirects ({MAX_REDIRECTS})")

    def _post(
        self, url: str, shown: str, body: bytes, headers: httpx.Headers, deadline: Deadline
    ) -> Response:
        """One attempt of a POST; only the status and a short reply are kept."""
        refusal = self._guard.refusal(url)
        if refusal:
            raise _failure(shown, f"refused: {refusal}")
        self._limiter.wait(urlsplit(url).hostname or "")
        if deadline.remaining() <= 0:
            raise _late(shown, deadline)
        # the text of an httpx error may quote the URL, whose path is the webhook's secret
        with (
            _as_failures(shown, deadline, detail=False),
            self._client.stream("POST", url, content=body, headers=headers) as reply,
        ):
            status = reply.status_code
            log.debug("POST %s -> %s", shown, status)
            if status == 429 or 500 <= status <= 599:
                raise _Transient(f"HTTP {status}", retry_after(reply.headers.get("retry-after")))
            if not 200 <= status <= 299:
                raise _failure(shown, f"HTTP {status}")
            content = b""
            for chunk in reply.iter_bytes():
                content += chunk[: _REPLY_BYTES - len(content)]
                if len(content) >= _REPLY_BYTES:
                    break
        return Response(shown, status, {k.lower(): v for k, v in reply.headers.items()}, content)

    def _read(
        self,
        shown: str,
        hop: str,
        reply: httpx.Response,
        allowed: frozenset[str] | None,
        cap: int,
        cached: Response | None,
        deadline: Deadline,
    ) -> Response:
        status = reply.status_code
        if status == 304:
            if cached is None:
                raise _failure(shown, "HTTP 304 but nothing is cached")
            _check_type(shown, cached.content_type, allowed)
            fresh = {k: v for k, v in reply.headers.items() if k in ("etag", "last-modified")}
            return replace(cached, headers={**cached.headers, **fresh})
        if status == 429 or 500 <= status <= 599:
            raise _Transient(f"HTTP {status}", retry_after(reply.headers.get("retry-after")))
        if not 200 <= status <= 299:
            raise _failure(shown, f"HTTP {status}")
        declared = reply.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > cap:
            too_big = f"response larger than {_size(cap)} cap (declared {_size(int(declared))})"
            raise _failure(shown, too_big)
        headers = {k.lower(): v for k, v in reply.headers.items()}
        _check_type(shown, _media_type(headers.get("content-type", "")), allowed)
        chunks, size = [], 0
        for chunk in reply.iter_bytes():
            size += len(chunk)
            if size > cap:
                raise _failure(shown, f"response larger than {_size(cap)} cap")
            # The socket layer enforces the deadline too; this covers injected transports.
            if deadline.remaining() <= 0:
                raise _late(shown, deadline)
            chunks.append(chunk)
        # The address stays usable as a source's link: only named secrets are hidden.
        return Response(redact_url(hop, keep_ids=True), status, headers, b"".join(chunks))


#: Exponential backoff between attempts, shared by every client that retries.
BACKOFF = wait_exponential(multiplier=0.5, max=8)


def _asked(failure: BaseException) -> float | None:
    """The wait a transient failure's Retry-After asked for."""
    return failure.retry_after if isinstance(failure, _Transient) else None


def user_agent(contact_email: str | None) -> str:
    """dossier's one User-Agent; SEC EDGAR asks for a contact address in it."""
    try:
        version = metadata.version("dossier")
    except metadata.PackageNotFoundError:
        version = "0"
    contact = " ".join((contact_email or "").split())
    if contact:
        return f"dossier/{version} (+contact: {contact})"
    return f"dossier/{version} (contact not configured)"


@contextmanager
def _as_failures(
    shown: str, deadline: Deadline, via: str = "", detail: bool = True
) -> Iterator[None]:
    """What a request can raise, as the client's own failures: a refused address, the deadline,
    transient trouble (retried) and any other httpx error (with its text only when `detail`)."""
    try:
        yield
    except Refused as exc:
        # the socket layer's check: DNS answered differently than for the guard
        raise _failure(shown, f"{via}refused: {exc.reason}") from None
    except DeadlinePassed:
        raise _late(shown, deadline) from None
    except httpx.TimeoutException:
        raise _Transient("timed out") from None
    except httpx.TransportError as exc:
        raise _Transient(f"connection failed ({type(exc).__name__})") from None
    except httpx.HTTPError as exc:
        raise _failure(
            shown, f"{type(exc).__name__}: {exc}" if detail else type(exc).__name__
        ) from None


def _failure(shown_url: str, reason: str) -> FetchError:
    # A reason may quote a URL (an exception's text, a redirect target): none leaks a secret.
    return FetchError(" ".join(f"{shown_url}: {redact_text(reason)}".split()))


def _late(shown_url: str, deadline: Deadline) -> FetchError:
    seconds = f"{deadline.seconds:g} s deadline (DOSSIER_HTTP_DEADLINE_S)"
    return _failure(shown_url, f"no complete response within the {seconds}")


class _NoTimeLeft(stop_base):
    """Stops retrying when the wait before the next attempt would use up the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def __call__(self, retry_state: RetryCallState) -> bool:
        return (retry_state.upcoming_sleep or 0.0) >= self.deadline.remaining()


def _hosts(urls: Iterable[str]) -> Iterator[str]:
    """`host:port` of each URL that names one (a malformed setting fails where it is used)."""
    for url in urls:
        with suppress(ValueError):
            yield host_port(url)


def _media_type(value: str) -> str:
    return value.split(";", 1)[0].strip().lower()


def _charset(value: str) -> str | None:
    for part in value.split(";")[1:]:
        name, _, charset = part.partition("=")
        if name.strip().lower() == "charset":
            return charset.strip().strip("\"'") or None
    return None


def _check_type(shown: str, media_type: str, allowed: frozenset[str] | None) -> None:
    if allowed and media_type not in allowed:
        wanted = _TYPE_NAMES.get(allowed) or " or ".join(sorted(allowed))
        raise _failure(shown, f"expected {wanted}, got {media_type or 'no content type'}")


def _size(n: int) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n} bytes"


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, parts.hostname or "", parts.port


class _Cache:
    """200 responses on disk by sha256 of the request URL: `<key>.body` and `<key>.json`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _paths(self, url: str) -> tuple[Path, Path]:
        key = hashlib.sha256(url.encode("utf-8")).hexdigest()
        return self.folder / f"{key}.json", self.folder / f"{key}.body"

    def load(self, url: str) -> Response | None:
        """The cached response for `url`, or None."""
        meta_path, body_path = self._paths(url)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        # The two files are replaced one after the other; a mismatch means a torn update.
        if meta.get("sha256") != hashlib.sha256(body).hexdigest():
            return None
        return Response(meta["url"], meta["status"], meta["headers"], body, from_cache=True)

    def store(self, url: str, response: Response, *, body: bool = True) -> None:
        """Write `response` atomically; a failure to write only costs the next revalidation."""
        meta_path, body_path = self._paths(url)
        meta = {
            "url": redact_url(response.url, keep_ids=True),
            "request_url": redact_url(url),
            "status": response.status,
            "headers": {
                k: v for k, v in response.headers.items() if k.lower() not in _UNCACHED_HEADERS
            },
            "fetched_at": datetime.now(UTC).isoformat(),
            "sha256": hashlib.sha256(response.content).hexdigest(),
        }
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if body:
                write_atomic(body_path, response.content)
            write_atomic(meta_path, json.dumps(meta, indent=2).encode("utf-8"))
        except OSError as exc:
            log.debug("could not cache %s: %s", redact_url(url), exc)
