"""Alerts: a Slack Block Kit message per scan, sent at most once per signal.

The alert is recorded as pending in the ledger before it is sent and marked sent after. A
signal that a sent alert already covered is left out of later alerts, and a payload whose
hash was already sent is never sent again — so a scan killed after alerting and run again
does not alert twice. The payload carries no run id or time, so the same signals give the
same hash.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
)

from agent.digest import Digest, DigestAccount
from agent.errors import ConfigError, FetchError
from agent.ledger import Ledger
from agent.render.escape import printable, web_url
from knowledge.store import payload_hash
from tools.http import BACKOFF, user_agent
from tools.http_guard import Guard, host_port

CHANNEL = "slack"
TOP_ACCOUNTS = 10
_EMOJI = {"red": ":red_circle:", "yellow": ":large_yellow_circle:", "green": ":large_green_circle:"}


class _Retry(Exception):
    """A send worth another attempt (429, 5xx, connection error)."""


def unalerted(digest: Digest, alerted: Collection[str]) -> list[DigestAccount]:
    """The digest's accounts with only the new signals no sent alert covered, those left."""
    kept = []
    for account in digest.accounts:
        keep = [i for i, f in enumerate(account.fingerprints) if f not in alerted]
        if keep:
            update = {
                "new_signals": [account.new_signals[i] for i in keep],
                "fingerprints": [account.fingerprints[i] for i in keep],
            }
            kept.append(account.model_copy(update=update))
    return kept


def slack_payload(accounts: Sequence[DigestAccount]) -> dict[str, Any] | None:
    """The Block Kit message for these accounts' new signals; None when there are none."""
    if not accounts:
        return None
    red = sum(a.triage == "red" for a in accounts)
    yellow = sum(a.triage == "yellow" for a in accounts)
    expansion = sum(a.expansion for a in accounts)
    fresh = sum(len(a.new_signals) for a in accounts)
    summary = (
        f"*{red}* red · *{yellow}* yellow · *{expansion}* expansion · "
        f"*{fresh}* new signal{'s' if fresh != 1 else ''} across {len(accounts)} account"
        f"{'s' if len(accounts) != 1 else ''}"
    )
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "dossier: book scan"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": summary}},
    ]
    for account in accounts[:TOP_ACCOUNTS]:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _section(account)}})
    if len(accounts) > TOP_ACCOUNTS:
        more = f"…and {len(accounts) - TOP_ACCOUNTS} more account(s) in the digest."
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": more}]})
    return {"text": f"dossier book scan: {summary.replace('*', '')}", "blocks": blocks}


def notify_slack(
    ledger: Ledger,
    run_id: str,
    digest: Digest,
    url: str,
    *,
    transport: httpx.BaseTransport | None = None,
    attempts: int = 3,
) -> bool:
    """Send the run's Slack alert unless nothing is new or it was sent already; True if sent."""
    accounts = unalerted(digest, ledger.alerted(CHANNEL))
    payload = slack_payload(accounts)
    if payload is None:
        return False
    digest_hash = payload_hash(payload)
    if ledger.was_sent(CHANNEL, digest_hash):
        return False
    covered = [f for a in accounts for f in a.fingerprints]
    alert_id = ledger.alert_pending(run_id, CHANNEL, digest_hash, covered)
    post_json(url, payload, transport=transport, attempts=attempts)
    ledger.alert_sent(alert_id)
    return True


def post_json(
    url: str,
    payload: Any,
    *,
    transport: httpx.BaseTransport | None = None,
    attempts: int = 3,
    timeout: float = 10.0,
) -> None:
    """POST a JSON body to a configured webhook, retrying 429, 5xx and connection errors.

    The URL is the operator's own setting, so its host is trusted the way a configured
    endpoint is; redirects are not followed, so nothing else is ever reached. Errors name
    the webhook by its origin only: its path is its credential.
    """
    shown = webhook_origin(url)
    if web_url(url) is None:
        raise ConfigError(f"{shown}: not an http(s) webhook URL")
    try:
        refusal = Guard([host_port(url)], resolve=transport is None).refusal(url)
    except ValueError:
        refusal = "not a valid URL"
    if refusal:
        raise ConfigError(f"{shown}: {refusal}")
    body = json.dumps(payload).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": user_agent(None)}

    def attempt(client: httpx.Client) -> None:
        try:
            reply = client.post(url, content=body, headers=headers)
        except httpx.TransportError as exc:
            raise _Retry(f"connection failed ({type(exc).__name__})") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            raise FetchError(f"{shown}: {type(exc).__name__}") from None
        if reply.status_code == 429 or reply.status_code >= 500:
            raise _Retry(f"HTTP {reply.status_code}")
        if not 200 <= reply.status_code <= 299:
            raise FetchError(f"{shown}: HTTP {reply.status_code}")

    retrying = Retrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=BACKOFF,
        retry=retry_if_exception_type(_Retry),
        reraise=True,
    )
    with httpx.Client(transport=transport, timeout=timeout, follow_redirects=False) as client:
        try:
            retrying(attempt, client)
        except _Retry as exc:
            raise FetchError(f"{shown}: {exc} after {attempts} attempts") from None


def webhook_origin(url: str) -> str:
    """A webhook URL as an error line may show it: scheme, host and port, never the path.

    `redact_url` knows the Slack and Teams layouts; any other service's webhook also carries
    its secret in the path, so none of it is shown.
    """
    try:
        parts = urlsplit(url.strip())
        host, port = parts.hostname, parts.port
    except ValueError:
        return "<webhook URL>"
    if not host:
        return "<webhook URL>"
    shown = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{shown}{f':{port}' if port else ''}/…"


def _section(account: DigestAccount) -> str:
    emoji = _EMOJI.get(account.triage or "", ":grey_question:")
    growth = " · expansion" if account.expansion else ""
    lines = [f"{emoji} *{_escape(account.name)}* — {account.triage or 'not assessed'}{growth}"]
    for signal in account.new_signals[:3]:
        lines.append(f"• {signal.severity}: {_escape(signal.summary)}")
    if len(account.new_signals) > 3:
        lines.append(f"• …{len(account.new_signals) - 3} more")
    if account.plays:
        lines.append(f"_Play:_ {_escape(account.plays[0])}")
    # Slack caps a section's text at 3,000 characters.
    return "\n".join(lines)[:2900]


def _escape(text: str) -> str:
    """Text as Slack mrkdwn shows it literally: its three control characters escaped, so a
    source cannot inject mentions or links (`<!channel>`, `<url|text>`), and no control codes."""
    text = printable(" ".join(text.split()))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
