"""Web pages, news articles and press releases: the page's own metadata for its title, date
and kind, and trafilatura (post-processed in `page_body`) for the article's words."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from agent.errors import BlockedPage, ParseError
from agent.schemas import Source, SourceKind
from tools.base import content_hash, make_source
from tools.filings import looks_like_filing, parse_filing_document, parse_filing_sources
from tools.http import HTML_TYPES
from tools.page_body import article_body
from tools.page_dates import published_at
from tools.page_kind import blocked_reason, genre
from tools.page_meta import Page, ld_value, page_title, read_page, site_names, unescape
from tools.problems import parser

if TYPE_CHECKING:
    from tools.sources import FetchContext


def _author(value: Any) -> str | None:
    if isinstance(value, list):
        names = [a for a in (_author(v) for v in value) if a]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return str(value.get("name") or "") or None
    return str(value) if value else None


def _kind(page: Page, now: datetime | None) -> tuple[SourceKind, str | None]:
    # the date comes from markup and the lines under the headline, never from the extraction
    found = genre(page, dated=published_at(page, [], now) is not None)
    return (SourceKind.news, found) if found else (SourceKind.web_page, None)


@parser
def page_kind(html: str) -> SourceKind:
    """The kind `parse_page` will give a page, read from its markup alone (no extraction)."""
    if looks_like_filing(html):
        return SourceKind.filing
    return _kind(read_page(html), None)[0]


@parser
def parse_page(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> Source:
    """A news or web_page Source from an HTML page (a filing Source for EDGAR documents);
    BlockedPage when the page is a bot check, a cookie wall or a paywall stub."""
    if looks_like_filing(html):
        return parse_filing_document(html, url, account_id=account_id, now=now)
    page = read_page(html, url)
    body = article_body(page)
    if (why := blocked_reason(page, body.text)) is not None:
        raise BlockedPage(f"blocked page: {why} instead of the article")
    text = body.text or page.text
    if not text:
        raise ParseError("page has no text")
    kind, found_genre = _kind(page, now)
    # a page that is not an article gets a date only from its metadata, never a printed one
    published = published_at(page, text.split("\n"), now, printed=kind is SourceKind.news)
    page_url = url or page.first("canonical") or page.first("og:url")
    article = page.article_ld or {}
    description = ld_value(article, "description") or page.first("og:description", "description")
    html_tag = page.soup.find("html")
    metadata = {
        "genre": found_genre,
        "author": _author(ld_value(article, "author")) or page.first("author") or body.author,
        "publisher": _author(ld_value(article, "publisher"))
        or page.first("og:site_name")
        or body.sitename
        or next(iter(site_names(page)), None),
        "description": unescape(str(description)) if description else None,
        "language": html_tag.get("lang") if html_tag is not None else None,
        "hostname": page.host or None,
    }
    return make_source(
        kind,
        page_url or content_hash(text),
        title=page_title(page, fallback=text.split("\n", 1)[0]),
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


def fetch_sources(url: str, ctx: FetchContext, account_id: str) -> list[Source]:
    """Every Source the page at a URL gives: one per item of a 10-K/10-Q filing, else the page."""
    response = ctx.http.get(url, accept=HTML_TYPES)
    html = response.text()
    if looks_like_filing(html):
        return parse_filing_sources(html, response.url, account_id=account_id, now=ctx.now)
    return [parse_page(html, response.url, account_id=account_id, now=ctx.now)]
