"""Alerts: a Slack Block Kit message per scan, sent at most once per signal.

The alert is recorded as pending in the ledger before it is sent and marked sent after. A
signal that a sent alert already covered is left out of later alerts, and a payload whose
hash was already sent is never sent again — so a scan killed after alerting and run again
does not alert twice. The payload carries no run id or time, so the same signals give the
same hash.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import httpx

from agent.config import Settings
from agent.errors import ConfigError
from agent.render.escape import printable, web_url
from agent.scan.digest import Digest, DigestAccount, DigestRun
from knowledge.store import payload_hash
from tools.http import HttpClient
from tools.http_guard import host_port

if TYPE_CHECKING:
    from agent.deps import Deps

CHANNEL = "slack"
TOP_ACCOUNTS = 10
_EMOJI = {"red": ":red_circle:", "yellow": ":large_yellow_circle:", "green": ":large_green_circle:"}


def alert_key(account_id: str, signal_fingerprint: str) -> str:
    """What an alert records it covered: a fingerprint names an event, not whose it is (two
    accounts may see the same vendor in the same month), so the account is part of the key."""
    return f"{account_id}/{signal_fingerprint}"


def unalerted(digest: Digest | DigestRun, alerted: Collection[str]) -> list[DigestAccount]:
    """The digest's accounts with only the new signals no sent alert covered (`alerted` holds
    `alert_key`s), those left."""
    kept = []
    for account in digest.worth_reading():
        keys = [alert_key(account.account_id, f) for f in account.fingerprints]
        keep = [i for i, key in enumerate(keys) if key not in alerted]
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


def notify_slack(deps: Deps, run_id: str, digest: Digest | DigestRun, url: str) -> bool:
    """Send the run's Slack alert unless nothing is new or it was sent already; True if sent."""
    ledger = deps.ledger
    accounts = unalerted(digest, ledger.alerted(CHANNEL))
    payload = slack_payload(accounts)
    if payload is None:
        return False
    digest_hash = payload_hash(payload)
    if ledger.was_sent(CHANNEL, digest_hash):
        return False
    covered = [alert_key(a.account_id, f) for a in accounts for f in a.fingerprints]
    alert_id = ledger.alert_pending(run_id, CHANNEL, digest_hash, covered)
    post_json(url, payload, http=deps.http)
    ledger.alert_sent(alert_id)
    return True


def post_json(
    url: str,
    payload: Any,
    *,
    http: HttpClient | None = None,
    transport: httpx.BaseTransport | None = None,
    attempts: int = 3,
) -> None:
    """POST a JSON body to a configured webhook through the one HTTP client (retries on 429,
    5xx and connection errors, Retry-After honoured; redirects not followed).

    The URL is the operator's own setting, so its host is trusted the way a configured
    endpoint is. Errors name the webhook by its origin only: its path is its credential.
    Without `http`, a client of its own (with `transport` and `attempts`) sends it.
    """
    shown = webhook_origin(url)
    if web_url(url) is None:
        raise ConfigError(f"{shown}: not an http(s) webhook URL")
    try:
        trusted = host_port(url)
    except ValueError:
        raise ConfigError(f"{shown}: not a valid URL") from None
    if http is not None:
        http.post_json(url, payload, shown=shown)
        return
    own = HttpClient(Settings(), transport=transport, allow_hosts=[trusted], attempts=attempts)
    with own:
        own.post_json(url, payload, shown=shown)


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
