"""Web pages and news articles: trafilatura extraction plus JSON-LD / OpenGraph metadata."""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

import trafilatura
from bs4 import BeautifulSoup

from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools.base import clean_text, content_hash, html_to_text, make_source, parse_html, to_utc
from tools.filings import looks_like_filing, parse_filing_document
from tools.http import HTML_TYPES
from tools.reviews import jsonld_objects

if TYPE_CHECKING:
    from tools.sources import FetchContext

ARTICLE_TYPES = frozenset({"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting"})


def _meta(soup: BeautifulSoup) -> dict[str, str]:
    found: dict[str, str] = {}
    for tag in soup.find_all("meta"):
        key = tag.get("property") or tag.get("name")
        value = tag.get("content")
        if isinstance(key, str) and isinstance(value, str) and key.lower() not in found:
            found[key.lower()] = value.strip()
    link = soup.find("link", rel="canonical")
    if link is not None and isinstance(link.get("href"), str):
        found["canonical"] = str(link["href"]).strip()
    return found


def _article(objects: list[dict[str, Any]]) -> dict[str, Any] | None:
    for obj in objects:
        kinds = obj.get("@type")
        kinds = set(kinds) if isinstance(kinds, list) else {kinds}
        if kinds & ARTICLE_TYPES:
            return obj
    return None


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [a for a in (_author(v) for v in value) if a]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return str(value.get("name") or "") or None
    return str(value) if value else None


def _extract(html: str, url: str | None) -> dict[str, Any]:
    result = trafilatura.extract(
        html,
        url=url,
        output_format="json",
        with_metadata=True,
        favor_precision=True,
        include_comments=False,
        include_tables=True,
    )
    return json.loads(result) if result else {}


def page_kind(html: str) -> SourceKind:
    """The kind `parse_page` will give a page, read from its markup alone (no extraction)."""
    if looks_like_filing(html):
        return SourceKind.filing
    is_news = _article(jsonld_objects(html)) is not None
    if not is_news:
        is_news = _meta(parse_html(html)).get("og:type", "").lower() == "article"
    return SourceKind.news if is_news else SourceKind.web_page


def parse_page(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> Source:
    """A news or web_page Source from an HTML page (a filing Source for EDGAR documents)."""
    if looks_like_filing(html):
        return parse_filing_document(html, url, account_id=account_id, now=now)
    soup = parse_html(html)
    meta = _meta(soup)
    article = _article(jsonld_objects(html))
    extracted = _extract(html, url)
    text = clean_text(extracted.get("text") or "") or html_to_text(html)
    if not text:
        raise ParseError("page has no text")
    is_news = article is not None or meta.get("og:type", "").lower() == "article"
    page_url = url or meta.get("canonical") or meta.get("og:url") or extracted.get("source")
    published = (
        to_utc((article or {}).get("datePublished"))
        or to_utc(meta.get("article:published_time"))
        # for non-articles trafilatura's date is a guess (fairkom's about page gets 2000-01-01)
        or (to_utc(extracted.get("date")) if is_news else None)
    )
    html_title = soup.title.get_text(" ", strip=True) if soup.title else ""
    title = (
        str((article or {}).get("headline") or "")
        or extracted.get("title")
        or meta.get("og:title")
        or html_title
        or text.split("\n", 1)[0]
    )
    publisher = (article or {}).get("publisher")
    metadata = {
        "author": _author((article or {}).get("author")) or extracted.get("author"),
        "publisher": _author(publisher) or meta.get("og:site_name") or extracted.get("sitename"),
        "description": (article or {}).get("description") or meta.get("og:description"),
        "language": extracted.get("language") or (soup.html and soup.html.get("lang")),
        "hostname": extracted.get("hostname"),
    }
    kind = SourceKind.news if is_news else SourceKind.web_page
    return make_source(
        kind,
        page_url or content_hash(text),
        title=title,
        text=text,
        url=page_url,
        published_at=published,
        metadata={k: v for k, v in metadata.items() if v},
        account_id=account_id,
        now=now,
    )


def fetch_page(url: str, ctx: FetchContext, account_id: str) -> Source:
    """A news or web_page Source from the HTML page at a URL (its final URL after redirects)."""
    response = ctx.http.get(url, accept=HTML_TYPES)
    return parse_page(response.text(), response.url, account_id=account_id, now=ctx.now)
