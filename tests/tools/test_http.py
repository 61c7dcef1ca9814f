"""The one HTTP client against the local replay server: retries, caps, guard, cache, secrets."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from agent.config import Settings
from agent.errors import FetchError, ParseError
from tests.replay_server import ReplayServer, Reply
from tools.http import (
    HTML_TYPES,
    JSON_TYPES,
    HttpClient,
    redact_url,
    user_agent,
)
from tools.http_guard import RateLimiter

EMAIL = "csm@example.com"


class FakeTime:
    """A clock that only moves when the client sleeps; records every wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as server:
        yield server


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def settings(home: Path) -> Settings:
    return Settings(home=home, contact_email=EMAIL)


def netloc(server: ReplayServer) -> str:
    return urlsplit(server.base_url).netloc


def make(
    settings: Settings, server: ReplayServer, fake: FakeTime, allow: bool = True, **kw: Any
) -> HttpClient:
    allow_hosts = {netloc(server)} if allow else set()
    return HttpClient(
        settings, allow_hosts=allow_hosts, sleep=fake.sleep, clock=fake.monotonic, **kw
    )


def header(seen_headers: dict[str, str], name: str) -> str | None:
    return {k.lower(): v for k, v in seen_headers.items()}.get(name.lower())


def test_retry_after_seconds_is_honoured(settings, server, fake):
    server.route("/x", Reply(429, b"slow down", headers={"Retry-After": "2"}), Reply(200, b"{}"))
    with make(settings, server, fake) as http:
        response = http.get(server.url("/x"))
    assert response.status == 200
    assert fake.sleeps == [2.0]


def test_retry_after_http_date_is_capped(home, server, fake):
    later = format_datetime(datetime.now(UTC) + timedelta(hours=1), usegmt=True)
    server.route("/x", Reply(503, headers={"Retry-After": later}), Reply(200, b"{}"))
    # A deadline longer than the cap, so the capped wait is taken.
    settings = Settings(home=home, contact_email=EMAIL, http_deadline_s=120)
    with make(settings, server, fake) as http:
        assert http.get(server.url("/x")).status == 200
    assert fake.sleeps == [60.0]


def test_server_errors_are_retried_with_backoff(settings, server, fake):
    server.route("/x", Reply(500), Reply(502), Reply(200, b'{"ok": true}'))
    with make(settings, server, fake) as http:
        assert http.get_json(server.url("/x")) == {"ok": True}
    assert fake.sleeps == [0.5, 1.0]
    assert len(server.requests_to("/x")) == 3


def test_persistent_server_error_fails_in_one_line(settings, server, fake):
    server.route("/x", Reply(500))
    with make(settings, server, fake) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/x"))
    message = str(caught.value)
    assert message == f"{server.url('/x')}: HTTP 500 after 3 attempts"
    assert "\n" not in message
    assert len(server.requests_to("/x")) == 3


def test_other_client_errors_fail_at_once(settings, server, fake):
    with make(settings, server, fake) as http, pytest.raises(FetchError, match=r"HTTP 404$"):
        http.get(server.url("/missing"))
    assert len(server.seen) == 1
    assert fake.sleeps == []


def test_timeout_is_retried_then_reported(settings, server, fake):
    server.route("/slow", Reply(200, b"{}", delay=0.5))
    with (
        make(settings, server, fake, timeout=0.1, attempts=2) as http,
        pytest.raises(FetchError, match="timed out after 2 attempts"),
    ):
        http.get(server.url("/slow"))
    assert len(server.requests_to("/slow")) == 2


def test_connection_refused_is_reported(settings, fake):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    http = HttpClient(
        settings, allow_hosts={f"127.0.0.1:{port}"}, sleep=fake.sleep, clock=fake.monotonic
    )
    with http, pytest.raises(FetchError, match=r"connection failed .* after 3 attempts"):
        http.get(f"http://127.0.0.1:{port}/x")


def test_declared_oversize_body_is_refused_without_reading(settings, server, fake):
    server.route("/big", Reply(200, b"x" * 10, "text/html", content_length=50_000_000))
    # The server sends 10 of 50 MB declared bytes: reading the body would hang until timeout.
    with make(settings, server, fake, timeout=5) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/big"))
    assert str(caught.value).endswith("response larger than 10 MB cap (declared 50 MB)")


def test_streamed_oversize_body_is_refused(settings, server, fake):
    server.route("/big", Reply(200, b"x" * 300_000, "text/html", stream=True))
    with make(settings, server, fake) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/big"), max_bytes=100_000)
    assert str(caught.value).endswith("response larger than 100 kB cap")


def test_streamed_body_under_the_cap_is_read(settings, server, fake):
    server.route("/page", Reply(200, b"<p>hi</p>" * 1000, "text/html; charset=utf-8", stream=True))
    with make(settings, server, fake) as http:
        response = http.get(server.url("/page"), accept=HTML_TYPES)
    assert response.content_type == "text/html"
    assert response.text().startswith("<p>hi</p>")


def test_unexpected_content_type_names_both(settings, server, fake):
    server.route("/doc", Reply(200, b"%PDF-1.7", "application/pdf"))
    with make(settings, server, fake) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/doc"), accept=HTML_TYPES)
    assert str(caught.value).endswith(": expected HTML, got application/pdf")


def test_redirect_is_followed_on_an_allowed_host(settings, server, fake):
    server.route("/old", Reply(302, headers={"Location": "/new"}))
    server.route("/new", Reply(200, b"{}"))
    with make(settings, server, fake) as http:
        response = http.get(server.url("/old"))
    assert response.url == server.url("/new")


def test_redirect_to_a_loopback_host_is_refused(settings, server, fake):
    port = urlsplit(server.base_url).port
    # 127.0.0.1:PORT is allow-listed; localhost:PORT is the same server under a name that is not.
    server.route("/start", Reply(302, headers={"Location": f"http://localhost:{port}/x"}))
    server.route("/x", Reply(200, b"{}"))
    with make(settings, server, fake) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/start"))
    message = str(caught.value)
    assert f"redirect to http://localhost:{port}/x refused: localhost resolves to" in message
    assert server.requests_to("/x") == []


def test_too_many_redirects(settings, server, fake):
    server.route("/loop", Reply(302, headers={"Location": "/loop"}))
    with make(settings, server, fake) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/loop"))
    assert str(caught.value).endswith("too many redirects (5)")
    assert len(server.requests_to("/loop")) == 6


def test_loopback_without_allow_listing_is_refused_before_sending(settings, server, fake):
    with make(settings, server, fake, allow=False) as http, pytest.raises(FetchError) as caught:
        http.get(server.url("/x"))
    assert str(caught.value).endswith("refused: 127.0.0.1 is not a public address: loopback")
    assert server.seen == []


def test_injected_transport_skips_dns_but_checks_literals_and_schemes(settings, fake):
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={"ok": True})

    http = HttpClient(settings, transport=httpx.MockTransport(answer), sleep=fake.sleep)
    with http:
        assert http.get_json("https://example.invalid/api") == {"ok": True}
        for url in ("http://10.0.0.7/admin", "http://[::1]/", "file:///etc/passwd"):
            with pytest.raises(FetchError, match="refused"):
                http.get(url)
    assert asked == ["https://example.invalid/api"]


def test_configured_endpoint_host_is_trusted(home, server, fake):
    settings = Settings(home=home, lever_url=server.base_url)
    server.route("/v0/postings/acme", Reply(200, b"[]"))
    with make(settings, server, fake, allow=False) as http:
        assert http.get_json(server.url("/v0/postings/acme")) == []


def test_malformed_json_is_a_one_line_parse_error(settings, server, fake):
    server.route("/bad", Reply(200, b'{"jobs": [1, 2,\n'))
    with make(settings, server, fake) as http, pytest.raises(ParseError) as caught:
        http.get_json(server.url("/bad"))
    message = str(caught.value)
    assert message.startswith(f"{server.url('/bad')}: malformed JSON (")
    assert "\n" not in message


def test_etag_revalidation_serves_the_cached_body(settings, server, fake):
    body = b'{"jobs": []}'
    server.route(
        "/e", Reply(200, body, headers={"ETag": '"v1"'}), Reply(304, headers={"ETag": '"v1"'})
    )
    with make(settings, server, fake) as http:
        first = http.get(server.url("/e"))
    with make(settings, server, fake) as http:  # a later run, same workspace
        second = http.get(server.url("/e"))
    assert (first.from_cache, second.from_cache) == (False, True)
    assert second.content == body and second.status == 200
    assert header(server.requests_to("/e")[1].headers, "If-None-Match") == '"v1"'


def test_last_modified_revalidation_serves_the_cached_body(settings, server, fake):
    stamp = "Wed, 21 Oct 2026 07:28:00 GMT"
    server.route(
        "/m", Reply(200, b"<rss/>", "application/rss+xml", headers={"Last-Modified": stamp})
    )
    with make(settings, server, fake) as http:
        http.get(server.url("/m"))
    server.route("/m", Reply(304))
    with make(settings, server, fake) as http:
        again = http.get(server.url("/m"))
    assert again.from_cache and again.content == b"<rss/>"
    assert header(server.requests_to("/m")[1].headers, "If-Modified-Since") == stamp


def test_offline_serves_only_from_cache(settings, server, fake):
    server.route("/o", Reply(200, b'{"v": 1}'))
    with make(settings, server, fake) as http:
        http.get(server.url("/o"), params={"q": "acme"})
    with make(settings, server, fake, offline=True) as http:
        cached = http.get(server.url("/o"), params={"q": "acme"})
        with pytest.raises(FetchError) as caught:
            http.get(server.url("/o"), params={"q": "other"})
    assert cached.from_cache and cached.json() == {"v": 1}
    assert str(caught.value) == f"{server.url('/o')}?q=other: offline and not in cache"
    assert len(server.seen) == 1


def test_only_200_responses_are_cached(settings, server, fake):
    server.route("/n", Reply(404))
    with make(settings, server, fake) as http, pytest.raises(FetchError):
        http.get(server.url("/n"))
    assert not (settings.home / "cache" / "http").exists()


def test_sec_hosts_are_spaced_at_ten_per_second(home, server, fake):
    settings = Settings(home=home, contact_email=EMAIL, sec_data_url=server.base_url)
    server.route("/submissions/CIK1.json", Reply(200, b"{}"))
    with make(settings, server, fake, allow=False) as http:
        for _ in range(3):
            http.get(server.url("/submissions/CIK1.json"))
    assert fake.sleeps == pytest.approx([0.1, 0.1])


def test_other_hosts_default_to_five_per_second(settings, server, fake):
    server.route("/x", Reply(200, b"{}"))
    with make(settings, server, fake) as http:
        http.get(server.url("/x"))
        http.get(server.url("/x"))
    assert fake.sleeps == pytest.approx([0.2])


def test_rate_limiter_gives_each_thread_its_own_slot():
    sleeps: list[float] = []
    limiter = RateLimiter({}, 10.0, clock=lambda: 0.0, sleep=sleeps.append)
    threads = [threading.Thread(target=limiter.wait, args=("data.sec.gov",)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(sleeps) == pytest.approx([0.1 * n for n in range(1, 8)])


def test_secrets_are_redacted_from_messages_and_cache(settings, server, fake):
    server.route("/fail", Reply(500))
    server.route("/ok", Reply(200, b"{}", headers={"Set-Cookie": "session=COOKIE"}))
    with make(settings, server, fake, attempts=1) as http:
        with pytest.raises(FetchError) as caught:
            http.get(server.url("/fail"), params={"api_key": "SECRET", "q": "acme"})
        ok = http.get(
            server.url("/ok?access_token=SECRET"), headers={"Authorization": "Bearer SECRET"}
        )
    message = str(caught.value)
    assert "SECRET" not in message and "api_key=REDACTED" in message
    assert "SECRET" not in ok.url
    metas = list((settings.home / "cache" / "http").glob("*.json"))
    assert len(metas) == 1
    text = metas[0].read_text(encoding="utf-8")
    assert "SECRET" not in text and "COOKIE" not in text
    assert "set-cookie" not in json.loads(text)["headers"]


def test_redact_url_hides_userinfo_and_secret_parameters():
    redacted = redact_url("https://user:pw@example.com/a?token=t1&page=2&clientSecret=s")
    assert redacted == "https://REDACTED@example.com/a?token=REDACTED&page=2&clientSecret=REDACTED"
    assert redact_url("https://example.com/a?q=acme") == "https://example.com/a?q=acme"


def test_user_agent_names_the_contact(settings, server, fake):
    server.route("/x", Reply(200, b"{}"))
    with make(settings, server, fake) as http:
        http.get(server.url("/x"))
    sent = header(server.seen[0].headers, "User-Agent") or ""
    assert sent.startswith("dossier/") and f"+contact: {EMAIL}" in sent
    assert user_agent(None).endswith("(contact not configured)")


def test_json_types_accept_json_with_charset(settings, server, fake):
    server.route("/j", Reply(200, b'{"a": 1}', "application/json; charset=utf-8"))
    with make(settings, server, fake) as http:
        assert http.get(server.url("/j"), accept=JSON_TYPES).json() == {"a": 1}


def test_credentials_are_not_forwarded_to_another_origin(settings, fake):
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "a.example":
            return httpx.Response(302, headers={"Location": "https://b.example/next"})
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(answer)
    with HttpClient(settings, transport=transport, sleep=fake.sleep, clock=fake.monotonic) as http:
        response = http.get("https://a.example/start", headers={"Authorization": "Bearer T"})
    assert response.url == "https://b.example/next"
    assert seen[0].headers.get("authorization") == "Bearer T"
    assert "authorization" not in seen[1].headers
