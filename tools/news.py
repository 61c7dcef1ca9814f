"""News: RSS/Atom feeds (Google News, Google Alerts, newsrooms) and GDELT DOC 2.0 artlists."""

from __future__ import annotations

import calendar
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import feedparser

from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools.base import clean_text, content_hash, html_to_text, make_source


def unwrap_redirect(url: str) -> str:
    """The real target of a `google.com/url?...&url=<real>` redirect; other URLs unchanged."""
    parts = urlsplit(url)
    if parts.netloc.endswith("google.com") and parts.path == "/url":
        query = parse_qs(parts.query)
        for key in ("url", "q"):
            if query.get(key):
                return query[key][0]
    return url


_OUTLET_GAP = re.compile(r"(</a>)(?:\s|&nbsp;|\xa0)+(<font)", re.IGNORECASE)


def _struct_to_utc(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


def _publisher(entry: Any) -> str | None:
    source = entry.get("source")
    if isinstance(source, dict) and source.get("title"):
        return str(source["title"]).strip()
    return None


def parse_feed(
    data: bytes | str,
    feed_url: str | None = None,
    *,
    account_id: str = "",
    now: datetime | None = None,
) -> list[Source]:
    """One news Source per entry of an RSS or Atom feed."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    # a blank line before <?xml makes the document not well-formed
    raw = raw.lstrip(b"\xef\xbb\xbf").lstrip()
    feed = feedparser.parse(raw)
    if not feed.entries and (feed.bozo or not feed.get("feed")):
        reason = getattr(feed.get("bozo_exception"), "args", [""])[0] if feed.bozo else "empty"
        raise ParseError(f"not an RSS/Atom feed ({reason})")
    channel = feed.feed.get("title")
    is_google_news = "news.google.com" in (feed.feed.get("link") or "") or (channel or "").endswith(
        "- Google News"
    )
    sources = []
    for entry in feed.entries:
        title = html_to_text(entry.get("title") or "")
        publisher = _publisher(entry)
        if publisher and title.endswith(f" - {publisher}"):
            title = title[: -len(publisher) - 3].rstrip()
        link = unwrap_redirect(entry.get("link") or "")
        summary_html = entry.get("summary") or ""
        if entry.get("content"):
            summary_html = max((c.get("value") or "" for c in entry.content), key=len)
        # Google News puts "&nbsp;&nbsp;" between a headline and its outlet's name
        summary = html_to_text(_OUTLET_GAP.sub(r"\1 - \2", summary_html))
        lines = summary.split("\n")
        if is_google_news:
            # the lone-item description is just "<a>title</a>&nbsp;&nbsp;<font>Publisher</font>"
            lines = [ln for ln in lines if ln.lstrip("- ") not in {title, f"{title} - {publisher}"}]
        summary = clean_text("\n".join(lines))
        if summary.strip() == title or summary.startswith(title + "\n"):
            summary = summary[len(title) :].strip()
        text = clean_text(title + ("\n\n" + summary if summary else ""))
        if not text:
            continue
        identity = entry.get("id") or link or content_hash(text)
        published = _struct_to_utc(entry.get("published_parsed") or entry.get("updated_parsed"))
        metadata: dict[str, Any] = {"feed": channel, "feed_url": feed_url, "guid": entry.get("id")}
        if publisher:
            metadata["publisher"] = publisher
            source = entry.get("source")
            metadata["publisher_url"] = source.get("href") if isinstance(source, dict) else None
        if entry.get("author"):
            metadata["author"] = entry.get("author")
        sources.append(
            make_source(
                SourceKind.news,
                identity,
                title=title or text.split("\n", 1)[0],
                text=text,
                url=link or None,
                published_at=published,
                metadata=metadata,
                account_id=account_id,
                now=now,
            )
        )
    return sources


_TOKEN_SPACE = re.compile(r"\s+([;,:.!?)])")
_STRAY_TITLE = re.compile(r"(?:%20|\s)title=.*$")


def _clean_gdelt_title(title: str) -> str:
    return " ".join(_TOKEN_SPACE.sub(r"\1", title).split())


def _gdelt_date(value: str) -> datetime | None:
    try:
        return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def is_gdelt(obj: Any) -> bool:
    """True for a decoded GDELT DOC 2.0 artlist response."""
    return isinstance(obj, dict) and isinstance(obj.get("articles"), list)


def parse_gdelt(
    data: bytes | str | Any, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """One news Source per article of a GDELT DOC 2.0 `mode=artlist&format=json` response."""
    try:
        obj = json.loads(data) if isinstance(data, bytes | str) else data
    except ValueError as exc:
        raise ParseError(f"not JSON: {exc}") from None
    if not is_gdelt(obj):
        raise ParseError("not a GDELT artlist response (no 'articles' list)")
    sources = []
    for article in obj["articles"]:
        url = _STRAY_TITLE.sub("", (article.get("url") or "").strip()) or None
        title = _clean_gdelt_title(article.get("title") or "")
        if not title:
            continue
        sources.append(
            make_source(
                SourceKind.news,
                url or content_hash(title),
                title=title,
                text=title,
                url=url,
                published_at=_gdelt_date(article.get("seendate") or ""),
                metadata={
                    "domain": article.get("domain"),
                    "language": article.get("language"),
                    "sourcecountry": article.get("sourcecountry"),
                    "publisher": article.get("domain"),
                    "image": article.get("socialimage") or None,
                },
                account_id=account_id,
                now=now,
            )
        )
    return sources
