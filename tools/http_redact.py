"""Secrets kept out of every URL dossier shows, logs or caches: userinfo, secret-named query
and fragment values, webhook and bot tokens in paths, and (unless ids must stay) any long
random-looking path segment; `redact_text` does it for every URL inside a sentence.
"""

from __future__ import annotations

import itertools
import logging
import re
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

_SECRET_WORDS = ("key", "token", "secret", "password", "passwd", "signature", "auth", "credential")
#: Short parameter names that carry a secret but are too short to match as substrings.
_SECRET_PARAMS = frozenset({"sig", "pwd", "pass", "jwt"})
#: Path segments after which the next segment is a key ("/with/key/<key>", "/token/<t>").
_KEY_SEGMENTS = frozenset(
    {"key", "keys", "apikey", "api_key", "api-key", "token", "tokens", "access_token",
     "auth_token", "secret", "secrets", "password", "passwd"}
)  # fmt: skip
#: Path segments after which every segment identifies a webhook (Discord, Zapier, Mattermost).
_HOOK_SEGMENTS = frozenset({"hook", "hooks", "webhook", "webhooks", "webhookb2"})
#: Hosts whose whole path past the first segment is the secret (Slack, Teams incoming hooks).
_HOOK_HOSTS = ("hooks.slack.com", "webhook.office.com")
_BOT_TOKEN = re.compile(r"bot\d+:[\w-]+")
_PLAIN_WORDS = re.compile(r"[a-z]{1,19}(?:-[a-z]{1,19})*")
_URL_IN_TEXT = re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s<>\"'`]+", re.IGNORECASE)
REDACTED = "REDACTED"


def redact_url(url: str, *, keep_ids: bool = False) -> str:
    """`url` with its secrets replaced by REDACTED.

    Always: userinfo, secret-named query and fragment values, Slack/Teams hook paths, the ids
    after a `/webhooks/`-like segment, the segment after a `/key/`-like one and Telegram's
    `bot<token>`. Unless `keep_ids` (a fetched source's own address, kept for links): also
    every long random-looking path segment or parameter value, whatever its name.
    """
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return "<unparseable URL>"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = f"{REDACTED}@" + netloc.rpartition("@")[2]
    guess = not keep_ids
    path = _redact_path(host, parts.path, guess)
    query, fragment = _redact_params(parts.query, guess), _redact_params(parts.fragment, guess)
    return urlunsplit((parts.scheme, netloc, path, query, fragment))


def redact_text(text: str) -> str:
    """`text` with every URL in it (any scheme: a database URL's password too) redacted."""
    return _URL_IN_TEXT.sub(_redact_match, text)


def _redact_match(match: re.Match[str]) -> str:
    # Punctuation that ends the sentence is not part of the URL.
    url = match.group(0)
    bare = url.rstrip(".,;:!?)]")
    return redact_url(bare) + url[len(bare) :]


def _redact_path(host: str, path: str, guess: bool) -> str:
    segments = path.split("/")
    hook_host = any(host == h or host.endswith("." + h) for h in _HOOK_HOSTS)
    after_hook = after_key = False
    for i, segment in enumerate(segments):
        word = unquote(segment)
        secret = (
            (hook_host and i >= 2)
            or ((after_hook or after_key) and not _PLAIN_WORDS.fullmatch(word))
            or (guess and _random_looking(word))
        )
        if _BOT_TOKEN.fullmatch(word):
            segments[i] = f"bot{REDACTED}"
        elif secret and word:
            segments[i] = REDACTED
        lowered = word.lower()
        after_hook = after_hook or lowered in _HOOK_SEGMENTS
        after_key = lowered in _KEY_SEGMENTS
    return "/".join(segments)


def _redact_params(text: str, guess: bool) -> str:
    if "=" not in text:
        return REDACTED if guess and _random_looking(unquote(text)) else text
    pairs = parse_qsl(text, keep_blank_values=True)
    hidden = [
        (n, REDACTED if _is_secret(n) or (guess and _random_looking(v)) else v) for n, v in pairs
    ]
    # Re-encoding can change a URL's spelling; only do it when something is hidden.
    return urlencode(hidden) if hidden != pairs else text


def _is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in _SECRET_PARAMS or any(word in lowered for word in _SECRET_WORDS)


def _random_looking(text: str) -> bool:
    """A key, token or hash: a run of 16+ letters and digits that changes class often."""
    for piece in re.split(r"[^A-Za-z0-9]+", text):
        if len(piece) < 16 or not re.search(r"\d", piece) or not re.search(r"[A-Za-z]", piece):
            continue
        classes = ["d" if c.isdigit() else "u" if c.isupper() else "l" for c in piece]
        changes = sum(a != b for a, b in itertools.pairwise(classes))
        if changes >= 4 or len(piece) >= 32:
            return True
    return False


class _RedactingFilter(logging.Filter):
    """Rewrites a log record whose message holds a URL so that no secret of it is logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_text(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


# httpx logs every request's full URL at INFO; ours name URLs at DEBUG.
for _name in ("httpx", "dossier.http"):
    _logger = logging.getLogger(_name)
    if not any(isinstance(f, _RedactingFilter) for f in _logger.filters):
        _logger.addFilter(_RedactingFilter())
