"""Hostile hosts, slow servers and secret-bearing URLs against the one HTTP client (issue 12)."""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from agent.config import Settings, load_settings
from agent.errors import ConfigError, FetchError
from tests.replay_server import ReplayServer, Reply
from tools.http import HttpClient, redact_url
from tools.http_guard import Guard, guard_sockets, host_literal, not_global
from tools.http_redact import redact_text

# --- the guard: refuse whatever is not a global unicast address -----------------------------

NOT_GLOBAL = [
    "100.100.100.200",  # a cloud metadata address inside carrier-grade NAT space
    "100.64.0.1",
    "100.127.255.254",
    "192.0.0.192",
    "192.0.0.9",
    "169.254.169.254",
    "127.0.0.1",
    "127.255.255.254",
    "10.1.2.3",
    "172.31.0.1",
    "192.168.1.1",
    "0.0.0.0",
    "0.1.2.3",
    "192.0.2.10",
    "198.51.100.7",
    "203.0.113.9",
    "198.18.0.1",
    "198.19.255.255",
    "192.88.99.1",
    "224.0.0.251",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::ffff:169.254.169.254",
    "::ffff:127.0.0.1",
    "::169.254.169.254",
    "::ffff:0:7f00:1",  # IPv4-translated (SIIT)
    "2002:a9fe:a9fe::",
    "2002:7f00:1::1",
    "2002:c0a8:0101::1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b::10.0.0.1",
    "64:ff9b:1::8.8.8.8",
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "2001:db8::1",
    "2001:2::1",
    "3fff::1",
    "100::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "5f00::1",
    "4000::1",
]
GLOBAL = [
    "8.8.8.8",
    "93.184.215.14",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.0",
    "2606:4700:4700::1111",
    "2a00:1450:4001:80b::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::8.8.8.8",
    "2002:808:808::1",
]


@pytest.mark.parametrize("address", NOT_GLOBAL)
def test_every_non_global_address_has_a_reason(address: str) -> None:
    assert not_global(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", GLOBAL)
def test_global_unicast_addresses_pass(address: str) -> None:
    assert not_global(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("spelling", "address"),
    [
        ("2852039166", "169.254.169.254"),
        ("0xA9FEA9FE", "169.254.169.254"),
        ("0xa9.0xfe.0xa9.0xfe", "169.254.169.254"),
        ("0251.0376.0251.0376", "169.254.169.254"),
        ("169.254.43518", "169.254.169.254"),
        ("169.16689662", "169.254.169.254"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("0", "0.0.0.0"),
        ("127.0.0.1.", "127.0.0.1"),
        ("[::1]", "::1"),
        ("fe80::1%25eth0", "fe80::1"),
    ],
)
def test_integer_octal_and_hex_host_spellings_are_addresses(spelling: str, address: str) -> None:
    assert host_literal(spelling) == ipaddress.ip_address(address)


@pytest.mark.parametrize("name", ["example.com", "1.2.3.4.5", "4294967296", "0x1g", "09.1.1.1"])
def test_names_are_not_taken_for_addresses(name: str) -> None:
    assert host_literal(name) is None


HOSTILE_URLS = [
    "http://100.100.100.200/latest/meta-data/",
    "http://100.64.0.1/",
    "http://192.0.0.192/",
    "http://169.254.169.254/latest/meta-data/iam/",
    "http://2852039166/",
    "http://0xA9FEA9FE/",
    "http://0xa9.0xfe.0xa9.0xfe/",
    "http://169.254.43518/",
    "http://0251.0376.0251.0376/",
    "http://0177.0.0.01/",
    "http://127.1/",
    "http://0/",
    "http://127.0.0.1./",
    "http://LOCALHOST/",
    "http://localhost./",
    "http://api.localhost/",
    "http://[::1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[0:0:0:0:0:ffff:7f00:1]/",
    "http://[::169.254.169.254]/",
    "http://[2002:a9fe:a9fe::]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/",
    "http://[fec0::1]/",
    "http://[fd00::1]/",
    "http://[fe80::1%25eth0]/",
    "http://[ff02::1]/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "https://user:pass@10.0.0.1:8443/",
    "http://evil.example\\@169.254.169.254/",
    "http://１２７．０．０．１/",
    "http://ⓛocalhost/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//169.254.169.254/",
]


def _recording_transport() -> tuple[httpx.MockTransport, list[str]]:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(200, json={})

    return httpx.MockTransport(answer), asked


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_url_is_refused_without_a_request(home: Path, url: str) -> None:
    transport, asked = _recording_transport()
    with (
        HttpClient(Settings(home=home), transport=transport, sleep=lambda _s: None) as http,
        pytest.raises(FetchError) as caught,
    ):
        http.get(url)
    assert asked == []
    assert "\n" not in str(caught.value) and "pass@" not in str(caught.value)


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_url_is_refused_by_the_network_client(home: Path, url: str) -> None:
    # No DNS is needed: each host is an address, a reserved name or an invalid URL.
    with (
        HttpClient(Settings(home=home), sleep=lambda _s: None) as http,
        pytest.raises(FetchError),
    ):
        http.get(url)


@pytest.mark.parametrize(
    "target",
    [
        "http://100.100.100.200/latest/meta-data/",
        "http://0x7f000001/",
        "http://[::ffff:127.0.0.1]/",
        "http://[2002:a9fe:a9fe::]/",
        "http://192.0.0.192/",
        "http://localhost./admin",
        "file:///etc/passwd",
    ],
)
def test_every_redirect_hop_is_guarded(home: Path, target: str) -> None:
    asked: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"Location": target})

    client = HttpClient(Settings(home=home), transport=httpx.MockTransport(answer))
    with client as http, pytest.raises(FetchError, match=r"redirect to .* refused"):
        http.get("https://news.example/article")
    assert asked == ["https://news.example/article"]


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[list[str]]]) -> list[str]:
    """Answer getaddrinfo for the given names from a script (one list per lookup, the last
    repeating); every other name resolves as usual."""
    real = socket.getaddrinfo
    asked: list[str] = []

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in answers:
            return real(host, port, *args, **kwargs)
        asked.append(name)
        script = answers[name]
        addresses = script.pop(0) if len(script) > 1 else script[0]
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, int(port or 0), 0, 0) if ":" in a else (a, int(port or 0)),
            )
            for a in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return asked


@pytest.mark.parametrize(
    "addresses",
    [
        ["100.100.100.200"],
        ["8.8.8.8", "10.0.0.5"],
        ["2606:4700::1", "fd00::5"],
        ["::ffff:169.254.169.254"],
        ["64:ff9b::c0a8:1"],
    ],
)
def test_every_address_a_name_resolves_to_is_judged(
    home: Path, monkeypatch: pytest.MonkeyPatch, addresses: list[str]
) -> None:
    _fake_dns(monkeypatch, {"metadata.example": [addresses]})
    with (
        HttpClient(Settings(home=home), sleep=lambda _s: None) as http,
        pytest.raises(FetchError, match=r"metadata\.example resolves to .* not a public"),
    ):
        http.get("http://metadata.example/latest/meta-data/")


def test_a_dns_answer_that_changes_before_connecting_is_refused(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rebinding: a public answer for the check, then loopback when the socket opens.
    with ReplayServer() as server:
        server.route("/secret", Reply(200, b'{"admin": true}'))
        port = server.base_url.rsplit(":", 1)[1]
        asked = _fake_dns(monkeypatch, {"rebind.example": [["93.184.215.14"], ["127.0.0.1"]]})
        with (
            HttpClient(Settings(home=home), sleep=lambda _s: None) as http,
            pytest.raises(FetchError) as caught,
        ):
            http.get(f"http://rebind.example:{port}/secret")
        assert server.seen == []
    assert "refused: rebind.example resolves to 127.0.0.1" in str(caught.value)
    assert len(asked) == 2


def test_allow_listed_and_configured_hosts_still_pass(home: Path) -> None:
    with ReplayServer() as server, ReplayServer() as endpoint:
        server.route("/x", Reply(200, b"{}"))
        endpoint.route("/v0/postings/acme", Reply(200, b"[]"))
        settings = Settings(home=home, lever_url=endpoint.base_url)
        allowed = {server.base_url.removeprefix("http://").upper()}
        with HttpClient(settings, allow_hosts=allowed, sleep=lambda _s: None) as http:
            assert http.get_json(server.url("/x")) == {}
            assert http.get_json(endpoint.url("/v0/postings/acme")) == []


def test_a_trusted_host_is_trusted_only_on_its_port(home: Path) -> None:
    guard = Guard(["127.0.0.1:8080", "mirror.internal"], resolve=False)
    assert guard.refusal("http://127.0.0.1:8080/x") is None
    assert guard.refusal("http://127.0.0.1:8081/x")
    assert guard.refusal("http://MIRROR.internal./feed") is None


def test_the_socket_layer_is_installed_on_every_pool(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A proxy from the environment gets its own pool; its sockets go to the proxy.
    monkeypatch.setenv("HTTPS_PROXY", "http://10.9.9.9:3128")
    guard = Guard([], resolve=True)
    with httpx.Client() as client:
        assert guard_sockets(client, guard) >= 2


# --- the total deadline ---------------------------------------------------------------------


class Trickler:
    """A loopback server that answers one byte at a time, in the headers or in the body."""

    def __init__(self, where: str, every: float = 0.1) -> None:
        self.where, self.every = where, every
        self.requests = 0
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen()
        self._sock.settimeout(0.2)
        self.host = f"127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def __enter__(self) -> Trickler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.requests += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n"
        with conn:
            conn.recv(65536)
            if self.where == "body":
                conn.sendall(head)
                slow = b"x" * 100_000
            else:
                slow = head + b"x" * 100_000
            for i in range(len(slow)):
                if self._stop.is_set():
                    return
                try:
                    conn.sendall(slow[i : i + 1])
                except OSError:
                    return
                time.sleep(self.every)


@pytest.mark.parametrize("where", ["headers", "body"])
def test_a_trickling_server_is_cut_off_at_the_deadline(home: Path, where: str) -> None:
    settings = Settings(home=home, http_deadline_s=0.8)
    with Trickler(where) as server:
        url = f"http://{server.host}/page?api_key=SECRET"
        client = HttpClient(settings, allow_hosts={server.host}, sleep=lambda _s: None)
        started = time.monotonic()
        with client as http, pytest.raises(FetchError) as caught:
            http.get(url)
        elapsed = time.monotonic() - started
    message = str(caught.value)
    assert message == (
        f"http://{server.host}/page?api_key=REDACTED: no complete response within the "
        "0.8 s deadline (DOSSIER_HTTP_DEADLINE_S)"
    )
    assert elapsed < 1.6
    assert server.requests == 1  # a passed deadline is not retried


def test_retries_and_waits_share_one_deadline(home: Path) -> None:
    settings = Settings(home=home, http_deadline_s=1.0)
    with ReplayServer() as server:
        server.route("/slow", Reply(200, b"{}", delay=2.0))
        host = server.base_url.removeprefix("http://")
        client = HttpClient(settings, allow_hosts={host}, timeout=0.4, attempts=5)
        started = time.monotonic()
        with client as http, pytest.raises(FetchError) as caught:
            http.get(server.url("/slow"))
        elapsed = time.monotonic() - started
        attempts = len(server.requests_to("/slow"))
    # 5 attempts of 0.4 s plus backoff would take 4 s; the deadline stops them at 1 s.
    assert elapsed < 1.5
    assert attempts == 2
    assert str(caught.value).endswith("1 s deadline (DOSSIER_HTTP_DEADLINE_S)")


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(home: Path) -> None:
    slept: list[float] = []
    settings = Settings(home=home, http_deadline_s=10)
    with ReplayServer() as server:
        server.route("/x", Reply(503, headers={"Retry-After": "30"}), Reply(200, b"{}"))
        host = server.base_url.removeprefix("http://")
        with (
            HttpClient(settings, allow_hosts={host}, sleep=slept.append) as http,
            pytest.raises(FetchError) as caught,
        ):
            http.get(server.url("/x"))
    assert slept == []
    assert str(caught.value).endswith(
        "HTTP 503 after 1 attempt; another would end past the 10 s deadline"
    )


def test_a_redirect_chain_counts_against_one_deadline(home: Path) -> None:
    settings = Settings(home=home, http_deadline_s=0.8)
    with ReplayServer() as server:
        for n in range(5):
            server.route(f"/r{n}", Reply(302, headers={"Location": f"/r{n + 1}"}, delay=0.3))
        server.route("/r5", Reply(200, b"{}"))
        host = server.base_url.removeprefix("http://")
        client = HttpClient(settings, allow_hosts={host}, sleep=lambda _s: None)
        started = time.monotonic()
        with client as http, pytest.raises(FetchError, match=r"0\.8 s deadline"):
            http.get(server.url("/r0"))
        assert time.monotonic() - started < 1.4
        assert server.requests_to("/r5") == []


def test_an_injected_transport_streaming_slowly_meets_the_deadline(home: Path) -> None:
    def slow() -> Iterator[bytes]:
        for _ in range(100):
            time.sleep(0.05)
            yield b"<p>x</p>"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=slow())

    settings = Settings(home=home, http_deadline_s=0.5)
    with (
        HttpClient(settings, transport=httpx.MockTransport(answer)) as http,
        pytest.raises(FetchError, match=r"no complete response within the 0\.5 s deadline"),
    ):
        http.get("https://slow.example/page")


def test_the_deadline_is_a_setting(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    assert load_settings(home).http_deadline_s == 30.0
    monkeypatch.setenv("DOSSIER_HTTP_DEADLINE_S", "2.5")
    assert load_settings(home).http_deadline_s == 2.5
    for bad in ("0", "-1", "inf", "nan", "soon"):
        monkeypatch.setenv("DOSSIER_HTTP_DEADLINE_S", bad)
        with pytest.raises(ConfigError, match="http_deadline_s"):
            load_settings(home)


# --- secrets in URLs ------------------------------------------------------------------------

SECRET = "Zq8XkP2mW4nR7tY1vB3cD5fG"

#: Secrets a URL names by where they sit: hook hosts, bot tokens, `/key/`, `/webhooks/`, names.
NAMED_SECRET_URLS = [
    f"https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/{SECRET}",
    f"https://hooks.slack.com/workflows/T0A1B2C3D/A0123/456/{SECRET}",
    f"https://discord.com/api/webhooks/123456789012345678/{SECRET}-x_y",
    f"https://discordapp.com/api/v10/webhooks/123456789012345678/{SECRET}",
    f"https://api.telegram.org/bot123456789:{SECRET}/sendMessage",
    f"https://api.telegram.org/file/bot123456789:{SECRET}/photos/a.jpg",
    f"https://acme.webhook.office.com/webhookb2/{SECRET}@{SECRET}/IncomingWebhook/{SECRET}/x",
    f"https://hooks.zapier.com/hooks/catch/123456/{SECRET}/",
    f"https://maker.ifttt.com/trigger/renewal/with/key/{SECRET}",
    f"https://chat.example.com/hooks/{SECRET.lower()}",
    f"https://api.example.com/v1/token/{SECRET}/feed.xml",
    f"https://api.example.com/cb#access_token={SECRET}&state=1",
    f"https://api.example.com/cb?sig={SECRET}&se=2026-01-01",
    f"https://bot:{SECRET}@api.example.com/x",
]
#: Secrets that only look like one: long random-looking segments and values.
GUESSED_SECRET_URLS = [
    f"https://api.example.com/v1/feeds/{SECRET}/items",
    f"https://api.example.com/v1/feeds/eyJhbGciOiJIUzI1NiJ9.{SECRET}.{SECRET}",
    f"https://api.example.com/v1/feeds?x={SECRET}",
    f"https://api.example.com/v1/feeds#{SECRET}",
]


@pytest.mark.parametrize("url", NAMED_SECRET_URLS + GUESSED_SECRET_URLS)
def test_redact_url_hides_secrets_in_paths_and_everywhere(url: str) -> None:
    shown = redact_url(url)
    assert SECRET not in shown and SECRET.lower() not in shown
    assert shown.split("/")[2].endswith(url.split("/")[2].rpartition("@")[2])


@pytest.mark.parametrize("url", NAMED_SECRET_URLS)
def test_named_secrets_are_hidden_even_in_a_source_address(url: str) -> None:
    kept = redact_url(url, keep_ids=True)
    assert SECRET not in kept and SECRET.lower() not in kept


@pytest.mark.parametrize(
    "url",
    [
        "https://www.sec.gov/Archives/edgar/data/320193/000032019324000123/acme-20240928.htm",
        "https://news.example.com/2025/03/acme-opens-a-plant-in-ohio?utm_source=rss",
        "https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true",
        "https://example.com/key/takeaways-from-the-call",
        "https://example.com/blog/react-hooks/getting-started",
    ],
)
def test_ordinary_urls_are_left_alone(url: str) -> None:
    assert redact_url(url) == url


def test_a_source_keeps_its_random_looking_id(home: Path) -> None:
    article = "https://news.example/rss/articles/CBMiK2h0dHBzOi8vYWNtZS5leGFtcGxlL3Bvc3Q"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, content=b"<p>x</p>")

    with HttpClient(Settings(home=home), transport=httpx.MockTransport(answer)) as http:
        assert http.get(article).url == article


def test_a_failing_webhook_names_no_secret(home: Path) -> None:
    url = f"https://hooks.slack.com/services/T0A1B2C3D/B4E5F6G7H/{SECRET}"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500)

    client = HttpClient(
        Settings(home=home), transport=httpx.MockTransport(answer), sleep=lambda _s: None
    )
    with client as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert SECRET not in str(caught.value)
    assert str(caught.value).startswith("https://hooks.slack.com/services/REDACTED/")


def test_urls_quoted_in_an_exception_are_redacted(home: Path) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.DecodingError(f"cannot decode {request.url}", request=request)

    url = f"https://api.telegram.org/bot123:{SECRET}/getUpdates?offset=1"
    with (
        HttpClient(Settings(home=home), transport=httpx.MockTransport(answer)) as http,
        pytest.raises(FetchError) as caught,
    ):
        http.get(url)
    assert SECRET not in str(caught.value)
    assert "DecodingError: cannot decode https://api.telegram.org/botREDACTED/" in str(caught.value)


def test_a_refused_redirect_to_a_secret_url_names_no_secret(home: Path) -> None:
    target = f"http://10.0.0.8/hooks/{SECRET}?token={SECRET}"

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": target})

    with (
        HttpClient(Settings(home=home), transport=httpx.MockTransport(answer)) as http,
        pytest.raises(FetchError) as caught,
    ):
        http.get("https://example.com/go")
    assert SECRET not in str(caught.value) and "refused" in str(caught.value)


def test_log_lines_and_cache_name_no_secret(home: Path, caplog: pytest.LogCaptureFixture) -> None:
    with ReplayServer() as server:
        path = f"/bot42:{SECRET}/getMe"
        server.route(path, Reply(200, b"{}"))
        host = server.base_url.removeprefix("http://")
        caplog.set_level(logging.DEBUG)
        with HttpClient(Settings(home=home), allow_hosts={host}) as http:
            http.get(server.url(path))
    logged = caplog.text
    assert "GET" in logged and "botREDACTED" in logged
    assert SECRET not in logged
    for meta in (home / "cache" / "http").glob("*.json"):
        assert SECRET not in meta.read_text(encoding="utf-8")


def test_redact_text_redacts_every_url_in_a_sentence() -> None:
    text = (
        f"POST https://hooks.slack.com/services/T1/B2/{SECRET} failed; "
        f"retry via https://api.example.com/x?api_key={SECRET}."
    )
    shown = redact_text(text)
    assert SECRET not in shown
    assert shown.startswith("POST https://hooks.slack.com/services/REDACTED/")
