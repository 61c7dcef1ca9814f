"""News: RSS/Atom feeds (Google News, Google Alerts, newsrooms) and GDELT DOC 2.0 artlists."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import feedparser

from agent.errors import FetchError, ParseError
from agent.schemas import Account, Source, SourceKind
from tools.base import clean_text, content_hash, html_to_text, make_source, to_utc
from tools.http import FEED_TYPES, JSON_TYPES
from tools.json_input import load_json
from tools.problems import each, failure, parser
from tools.sources import FetchContext, Fetched, endpoint, newest_first
from tools.web import fetch_page


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
    try:
        seconds = calendar.timegm(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return to_utc(seconds * 1000)


def _publisher(entry: Any) -> str | None:
    source = entry.get("source")
    if isinstance(source, dict) and source.get("title"):
        return str(source["title"]).strip()
    return None


@dataclass(frozen=True)
class _Feed:
    """What every entry of one feed is read with."""

    channel: str | None
    url: str | None
    google_news: bool
    account_id: str
    now: datetime | None


@parser
def parse_feed(
    data: bytes | str,
    feed_url: str | None = None,
    *,
    account_id: str = "",
    now: datetime | None = None,
) -> list[Source]:
    """One news Source per entry of an RSS or Atom feed; an entry that cannot be read is a
    noted problem, the others are kept."""
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
    context = _Feed(channel, feed_url, is_google_news, account_id, now)
    return each(feed.entries, lambda entry: _entry_source(entry, context), "feed entry")


def _entry_source(entry: Any, feed: _Feed) -> Source | None:
    """The news Source of one feed entry; None when it has no words."""
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
    if feed.google_news:
        # the lone-item description is just "<a>title</a>&nbsp;&nbsp;<font>Publisher</font>"
        lines = [ln for ln in lines if ln.lstrip("- ") not in {title, f"{title} - {publisher}"}]
    summary = clean_text("\n".join(lines))
    if summary.strip() == title or summary.startswith(title + "\n"):
        summary = summary[len(title) :].strip()
    text = clean_text(title + ("\n\n" + summary if summary else ""))
    if not text:
        return None
    identity = entry.get("id") or link or content_hash(text)
    published = _struct_to_utc(entry.get("published_parsed") or entry.get("updated_parsed"))
    metadata: dict[str, Any] = {"feed": feed.channel, "feed_url": feed.url, "guid": entry.get("id")}
    if publisher:
        metadata["publisher"] = publisher
        source = entry.get("source")
        metadata["publisher_url"] = source.get("href") if isinstance(source, dict) else None
    if entry.get("author"):
        metadata["author"] = entry.get("author")
    return make_source(
        SourceKind.news,
        identity,
        title=title or text.split("\n", 1)[0],
        text=text,
        url=link or None,
        published_at=published,
        metadata=metadata,
        account_id=feed.account_id,
        now=feed.now,
    )


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


@parser
def parse_gdelt(
    data: bytes | str | Any, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """One news Source per article of a GDELT DOC 2.0 `mode=artlist&format=json` response; an
    article that cannot be read is a noted problem."""
    obj = load_json(data)
    if not is_gdelt(obj):
        raise ParseError("not a GDELT artlist response (no 'articles' list)")

    def article_source(article: dict[str, Any]) -> Source | None:
        url = _STRAY_TITLE.sub("", (article.get("url") or "").strip()) or None
        title = _clean_gdelt_title(article.get("title") or "")
        if not title:
            return None
        return make_source(
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

    return each(obj["articles"], article_source, "GDELT article")


_LEGAL_FORM = re.compile(
    r"(?:,?\s+(?:inc|incorporated|corp|corporation|co|company|llc|ltd|limited|plc|ag|sa|se|nv"
    r"|gmbh|holdings?|group)\.?)+$",
    re.IGNORECASE,
)
# a ticker counts only in a quote context, so "ON" or "AI" in a headline does not
_TICKER_CONTEXT = r"(?:\(\s*|\$|\b(?i:nyse|nasdaq|nyse american|amex|otc\w*|tsx|lse|asx)\s*:\s*)"


def _name_patterns(account: Account) -> list[tuple[re.Pattern[str], str | None]]:
    patterns: list[tuple[re.Pattern[str], str | None]] = []
    for name in account.names():
        name = " ".join(name.split())
        for variant in {name, _LEGAL_FORM.sub("", name).strip()}:
            words = variant.split()
            if len(variant) < 2:
                continue
            body = r"\s+".join(re.escape(w) for w in words)
            if len(words) > 1:
                slug = "-".join(re.sub(r"[^\w]+", "", w).lower() for w in words)
                patterns.append((re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE), slug))
            else:
                # one word ("Stripe", "Apple" of "Apple Inc.") must be written as a name
                patterns.append((re.compile(rf"(?<!\w){body}(?!\w)"), None))
    return patterns


def _bare_domain(domain: str) -> str:
    host = urlsplit(domain if "//" in domain else f"//{domain}").hostname or ""
    return host.removeprefix("www.").lower()


def is_about(account: Account, text: str, url: str | None = None) -> bool:
    """True when text or URL names the account: its full name or an alias (a multi-word name
    never by one of its words), its domain, or its ticker quoted as "(LRKH)" or "NYSE: LRKH"."""
    url_text = (url or "").lower()
    for pattern, slug in _name_patterns(account):
        if pattern.search(text) or (slug and slug in url_text):
            return True
    if account.domain and (domain := _bare_domain(account.domain)):
        host = (urlsplit(url or "").hostname or "").lower()
        if host == domain or host.endswith("." + domain):
            return True
        if re.search(rf"(?<![\w.-]){re.escape(domain)}(?![\w-])", text, re.IGNORECASE):
            return True
    ticker = (account.ticker or "").strip()
    if len(ticker) >= 2:
        return re.search(rf"{_TICKER_CONTEXT}{re.escape(ticker)}(?![\w])", text) is not None
    return False


def _news_query(account: Account) -> str:
    return account.news_query or f'"{account.name}"'


def _is_google_wrapper(url: str) -> bool:
    return "/rss/articles/" in urlsplit(url).path


def _mirrored(url: str, ctx: FetchContext) -> str:
    """A news.google.com link moved onto the configured Google News base (a mirror)."""
    parts = urlsplit(url)
    if parts.hostname != "news.google.com":
        return url
    base = urlsplit(ctx.settings.google_news_url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


def _with_page(item: Source, page: Source) -> Source:
    """The feed item with its article's text; the item's id stays, so a re-run matches it.

    The earlier of the two dates wins: a feed can see a page late (GDELT's seendate) and a
    page can show its update time. A headline the feed cut short ("...") gives way to the
    page's full one.
    """
    title = item.title
    if title.endswith(("...", "…")) and page.title.startswith(title.rstrip(" .…")):
        title = page.title
    text = page.text if page.text.startswith(title) else f"{title}\n\n{page.text}"
    metadata = {**item.metadata, **page.metadata, "page_title": page.title, "item_url": item.url}
    dates = [d for d in (page.published_at, item.published_at) if d is not None]
    return item.model_copy(
        update={
            "title": title,
            "text": text,
            "url": page.url or item.url,
            "published_at": min(dates) if dates else None,
            "metadata": metadata,
        }
    )


def _problem(url: str, exc: Exception) -> str:
    reason = failure(exc)
    # a FetchError already starts with the URL it asked for (the mirrored one, for Google News)
    return f"article {reason}" if isinstance(exc, FetchError) else f"article {url}: {reason}"


def with_articles(
    items: list[Source], account: Account, ctx: FetchContext, *, about_only: bool = True
) -> Fetched:
    """The newest items, each with its article page when it can be read; with `about_only`,
    items that do not name the account are dropped (and counted in the problems)."""
    fetched = Fetched([])
    dropped = unresolved = 0
    for item in newest_first(items, ctx.max_items):
        full = item
        if item.url and _is_google_wrapper(item.url) and unresolved:
            unresolved += 1  # one wrapper that did not redirect means none will
        elif item.url:
            try:
                page = fetch_page(_mirrored(item.url, ctx), ctx, account.account_id)
                if page.url and _is_google_wrapper(page.url):
                    unresolved += 1
                else:
                    full = _with_page(item, page)
            except Exception as exc:  # one article of any failure; the item keeps its headline
                fetched.problems.append(_problem(item.url, exc))
        text = f"{full.title}\n{full.text}"
        if about_only and not (
            is_about(account, text, full.url) or is_about(account, "", item.url)
        ):
            dropped += 1
            continue
        fetched.sources.append(full)
    if unresolved:
        fetched.problems.append(
            f"{unresolved} Google News links did not lead to the article; kept the headlines"
        )
    if dropped:
        fetched.problems.append(f"dropped {dropped} items not about {account.name}")
    return fetched


class GoogleNewsTool:
    """Google News RSS search for the account's query (its quoted name by default)."""

    name = "google_news"
    kind = SourceKind.news

    def enabled(self, account: Account) -> bool:
        """Always: every account has a name to search for."""
        return True

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        """The newest search results about the account, with their article pages."""
        params = {"q": _news_query(account), "hl": "en-US", "gl": "US", "ceid": "US:en"}
        url = endpoint(ctx.settings.google_news_url, "/rss/search")
        response = ctx.http.get(url, params=params, accept=FEED_TYPES)
        items = parse_feed(
            response.content, response.url, account_id=account.account_id, now=ctx.now
        )
        return with_articles(items, account, ctx)


class GdeltTool:
    """GDELT DOC 2.0 article list for the account's query, newest first."""

    name = "gdelt"
    kind = SourceKind.news

    def enabled(self, account: Account) -> bool:
        """Always: every account has a name to search for."""
        return True

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        """The newest articles GDELT has seen about the account, with their pages."""
        params = {
            "query": _news_query(account),
            "mode": "artlist",
            "format": "json",
            "maxrecords": str(ctx.max_items),
            "sort": "datedesc",
        }
        url = endpoint(ctx.settings.gdelt_url, "/api/v2/doc/doc")
        data = ctx.http.get_json(url, params=params, accept=JSON_TYPES)
        # GDELT answers a query with no matches with an empty object
        items = [] if data == {} else parse_gdelt(data, account_id=account.account_id, now=ctx.now)
        return with_articles(items, account, ctx)


class NewsroomTool:
    """The company's own newsroom feed (RSS or Atom); its items need no relevance check."""

    name = "newsroom"
    kind = SourceKind.news

    def enabled(self, account: Account) -> bool:
        """True when the book gives a newsroom feed URL."""
        return bool(account.newsroom_feed)

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        """The newest newsroom posts with their full pages."""
        response = ctx.http.get(account.newsroom_feed or "", accept=FEED_TYPES)
        items = parse_feed(
            response.content, response.url, account_id=account.account_id, now=ctx.now
        )
        fetched = with_articles(items, account, ctx, about_only=False)
        # the company's own posts are press releases, whatever the page's layout suggests
        fetched.sources = [
            s.model_copy(update={"metadata": {**s.metadata, "genre": "press_release"}})
            for s in fetched.sources
        ]
        return fetched
