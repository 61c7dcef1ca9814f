"""Earnings-call transcripts from a URL: a Motley-Fool-style page, another page, Motley Fool JSON,
or a text or markdown file."""

from __future__ import annotations

from agent.errors import ParseError
from agent.schemas import Account, Source
from tools.http import HTML_TYPES, JSON_TYPES
from tools.json_input import load_json
from tools.sources import FetchContext
from tools.transcripts import (
    is_fool_json,
    looks_like_fool_html,
    parse_fool_html,
    parse_fool_json,
    parse_transcript,
)
from tools.web import parse_page

_TEXT_TYPES = frozenset({"text/plain", "text/markdown", "text/x-markdown"})


def fetch_transcript(url: str, ctx: FetchContext, account: Account) -> Source:
    """An earnings_call Source from the transcript at a URL (HTML page, JSON or plain text)."""
    response = ctx.http.get(url, accept=HTML_TYPES | JSON_TYPES | _TEXT_TYPES)
    text = response.text()
    who, now = account.account_id, ctx.now
    if response.content_type in JSON_TYPES:
        obj = load_json(text)
        if not is_fool_json(obj):
            raise ParseError(f"{response.url}: JSON that is no transcript (no prepared_remarks)")
        return parse_fool_json(obj, url=response.url, account_id=who, now=now)
    if response.content_type not in HTML_TYPES:
        return parse_transcript(text, url=response.url, account_id=who, now=now)
    if looks_like_fool_html(text):
        return parse_fool_html(text, response.url, account_id=who, now=now)
    # other publishers: the page's main text keeps one turn label per paragraph
    page = parse_page(text, response.url, account_id=who, now=now)
    try:
        return parse_transcript(page.text, url=response.url, account_id=who, now=now)
    except ParseError:
        raise ParseError(f"{response.url}: no transcript speaker turns in the page") from None
