"""Slack alerts go through the one HTTP client: retried on 429 and 5xx with Retry-After
honoured, the webhook's secret path never shown, and each signal alerted once per account."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from agent.config import Settings
from agent.errors import FetchError
from agent.scan.digest import Digest, DigestAccount
from agent.scan.notify import alert_key, post_json, unalerted
from agent.schemas import Evidence, Signal, SignalType
from tools.http import HttpClient

HOOK = "https://hooks.slack.com/services/T0FAKE01/B0FAKE02/Zq9fakeSecretValue77"
NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def _client(home: Path, replies: list[httpx.Response], slept: list[float]) -> HttpClient:
    def answer(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST" and request.headers["content-type"] == "application/json"
        return replies.pop(0)

    settings = Settings(home=home, slack_webhook_url=HOOK)
    return HttpClient(settings, transport=httpx.MockTransport(answer), sleep=slept.append)


def test_a_throttled_alert_waits_as_told_and_is_sent(home: Path) -> None:
    slept: list[float] = []
    replies = [httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, text="ok")]
    with _client(home, replies, slept) as http:
        post_json(HOOK, {"text": "x"}, http=http)
    # the wait the server asked for, then the per-host pacing of the client's rate limit
    assert slept[0] == 7.0 and all(s <= 0.2 for s in slept[1:]) and replies == []


def test_a_failing_alert_names_only_the_webhooks_origin(home: Path) -> None:
    slept: list[float] = []
    replies = [httpx.Response(503)] * 3
    with _client(home, list(replies), slept) as http, pytest.raises(FetchError) as caught:
        post_json(HOOK, {"text": "x"}, http=http)
    line = str(caught.value)
    assert line.startswith("https://hooks.slack.com/…") and "after 3 attempts" in line
    assert "Zq9fakeSecretValue77" not in line


def test_two_accounts_with_the_same_event_are_both_alerted() -> None:
    # fingerprints name events, not accounts: the same vendor in the same month for two
    signal = Signal(
        type=SignalType.tech_stack,
        severity="info",
        polarity="context",
        summary="Snowflake in the stack",
        evidence=[Evidence(source_id="job-1", quote="Snowflake")],
    )
    accounts = [
        DigestAccount(
            account_id=a, name=a, triage="green", new_signals=[signal], fingerprints=["f1"]
        )
        for a in ("acme", "zenith")
    ]
    digest = Digest(run_id="r", started_at=NOW, finished_at=NOW, accounts=accounts)
    left = unalerted(digest, {alert_key("acme", "f1")})
    assert [a.account_id for a in left] == ["zenith"]
