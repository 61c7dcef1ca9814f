"""What a web page says about itself: meta tags, JSON-LD, its headline, its site and its title."""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from tools.base import bounded_html, parse_html, tree_text
from tools.json_input import jsonld_objects

ARTICLE_TYPES = frozenset(
    {
        "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
        "OpinionNewsArticle", "BackgroundNewsArticle", "BlogPosting", "LiveBlogPosting",
        "PressRelease", "TechArticle",
    }
)  # fmt: skip
PAGE_TYPES = frozenset({"WebPage", "ItemPage"})
# class/id words of page furniture: rails, teasers, promos, share bars, comments, modals
FURNITURE_WORDS = frozenset(
    {
        "related", "relatedlinks", "recommended", "recommendations", "popular", "mostread",
        "trending", "newsletter", "newsletters", "signup", "subscribe", "donate", "donation",
        "donations", "support", "promo", "promos", "boilerplate", "share", "sharing",
        "sharebar", "social", "comments", "comment", "disqus", "sidebar", "rail", "widget",
        "widgets", "outbrain", "taboola", "teaser", "teasers", "pipeline", "modal", "scrim",
        "popup", "breadcrumb", "breadcrumbs", "reprint", "reprints", "cookie", "cookies",
        "consent", "gdpr", "advert", "advertisement",
    }
)  # fmt: skip
# " | TechCrunch", " - Los Angeles Times", " : CityAM", " – Wikimedia Foundation"
_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|:|::|·|«|»)\s+")


@dataclass
class Page:
    """One HTML page read once: its tree, meta tags, JSON-LD objects and visible text."""

    html: str
    url: str | None
    soup: BeautifulSoup
    meta: dict[str, list[str]]
    ld: list[dict[str, Any]]
    text: str
    lines: list[str]
    #: What readers derive from the page and ask for again and again (its headline element).
    derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    def first(self, *keys: str) -> str | None:
        """The first non-empty value of the first meta key (lower case) the page has."""
        for key in keys:
            for value in self.meta.get(key, []):
                if value:
                    return value
        return None

    @property
    def article_ld(self) -> dict[str, Any] | None:
        """The page's JSON-LD article object (NewsArticle, BlogPosting, ...), if any."""
        return next((obj for obj in self.ld if ld_types(obj) & ARTICLE_TYPES), None)

    @property
    def urls(self) -> list[str]:
        """The page's own addresses: the URL it was read from, then canonical and og:url."""
        found = [self.url, self.first("canonical"), self.first("og:url")]
        return [u for u in found if u]

    @property
    def host(self) -> str:
        """The host name of the page's first known address, without "www."."""
        for url in self.urls:
            host = (urlsplit(url).hostname or "").lower()
            if host:
                return host.removeprefix("www.")
        return ""


def is_furniture(classes: str) -> bool:
    """True when an element's class and id words name page furniture ("related_links",
    "post-boilerplate", "sidebar-widget"), never the article itself."""
    return not FURNITURE_WORDS.isdisjoint(re.split(r"[\s_-]+", classes.lower()))


def ld_types(obj: dict[str, Any]) -> set[str]:
    """The @type names of a JSON-LD object."""
    kinds = obj.get("@type")
    return {str(k) for k in kinds} if isinstance(kinds, list) else {str(kinds)}


def ld_value(obj: dict[str, Any], key: str) -> Any:
    """A JSON-LD property read case-insensitively ("DatePublished" on GlobeNewswire pages)."""
    if key in obj:
        return obj[key]
    lowered = key.lower()
    return next((v for k, v in obj.items() if k.lower() == lowered), None)


def _meta_tags(soup: BeautifulSoup) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tag in soup.find_all("meta"):
        value = tag.get("content")
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = tag.get(attr)
            if isinstance(key, str) and isinstance(value, str):
                found.setdefault(key.strip().lower(), []).append(value.strip())
    link = soup.find("link", rel="canonical")
    if isinstance(link, Tag) and isinstance(link.get("href"), str):
        found["canonical"] = [str(link["href"]).strip()]
    return found


def read_page(html: str, url: str | None = None) -> Page:
    """Parse a page once for every reader of its metadata and visible text."""
    html = bounded_html(html)  # what trafilatura reads too: no deeper than the tree
    soup = parse_html(html)
    text = tree_text(soup)
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    return Page(html, url, soup, _meta_tags(soup), jsonld_objects(html), text, lines)


def unescape(text: str) -> str:
    """Entities decoded, twice for double-escaped metadata ("&amp;#8217;"), spaces folded."""
    once = htmllib.unescape(text)
    return " ".join(htmllib.unescape(once).split())


def fold(text: str) -> str:
    """Lower-case words and digits only: the form in which two spellings of a name compare."""
    return re.sub(r"[^a-z0-9]+", "", unescape(text).lower())


def site_names(page: Page) -> list[str]:
    """Names the site goes by: og:site_name, the JSON-LD publisher or WebSite, its host."""
    names = [page.first("og:site_name", "application-name", "twitter:site") or ""]
    for obj in page.ld:
        if "WebSite" in ld_types(obj) or "Organization" in ld_types(obj):
            names.append(str(ld_value(obj, "name") or ""))
    article = page.article_ld or {}
    publisher = ld_value(article, "publisher")
    if isinstance(publisher, dict):
        names.append(str(publisher.get("name") or ""))
    labels = page.host.split(".")
    if len(labels) >= 2:
        # "bbc" of bbc.co.uk, "financialpost" of business.financialpost.com
        second_level = len(labels) > 2 and labels[-2] in {"co", "com", "org", "net", "gov", "ac"}
        names.append(labels[-3] if second_level else labels[-2])
    return [n.lstrip("@") for n in names if n.strip()]


def _without_site(title: str, sites: list[str]) -> str:
    folded = {fold(s) for s in sites} - {""}

    def is_site(part: str) -> bool:
        f = fold(part)
        # "Yahoo! News" for the host yahoo.com, "CityAM" for og:site_name "City A.M."
        return bool(f) and any(
            f == s or ((f.startswith(s) or f.endswith(s)) and len(f) - len(s) <= 8) for s in folded
        )

    separators = list(_TITLE_SEPARATORS.finditer(title))
    start, end = 0, len(title)
    for sep in reversed(separators):
        if not is_site(title[sep.end() : end]):
            break
        end = sep.start()
    for sep in separators:
        if sep.start() >= end or not is_site(title[start : sep.start()]):
            break
        start = sep.end()
    return title[start:end].strip()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _agree(h1: str, other: str) -> bool:
    a, b = fold(h1), fold(other)
    if not a or not b:
        return False
    if a == b or (min(len(a), len(b)) >= 20 and (a.startswith(b) or b.startswith(a))):
        return True
    wa, wb = _words(h1), _words(other)
    return len(wa & wb) / max(1, len(wa | wb)) >= 0.6


def headline(page: Page) -> Tag | None:
    """The page's own headline element: the h1 that agrees with its metadata title, else the
    only non-empty h1 (a site-logo h1 or a sticky next-story bar's headline does not count)."""
    if "headline" not in page.derived:
        page.derived["headline"] = _headline(page)
    found: Tag | None = page.derived["headline"]
    return found


def _headline(page: Page) -> Tag | None:
    h1s = [h for h in page.soup.find_all("h1") if h.get_text(" ", strip=True)]
    for h1 in h1s:
        if any(_agree(h1.get_text(" ", strip=True), t) for t in _meta_titles(page)):
            return h1
    return h1s[0] if len(h1s) == 1 else None


def lines_after_headline(page: Page) -> list[str]:
    """The page's visible lines below its headline; none when the headline is not found."""
    h1 = headline(page)
    if h1 is None:
        return []
    target = fold(h1.get_text(" ", strip=True))
    for i, line in enumerate(page.lines):
        if fold(line) == target:
            return page.lines[i + 1 :]
    return []


def _meta_titles(page: Page) -> list[str]:
    sites = site_names(page)
    article = page.article_ld or {}
    found = [
        page.first("og:title"),
        str(ld_value(article, "headline") or ""),
        page.first("twitter:title", "sailthru.title", "parsely-title", "title"),
        page.soup.title.get_text(" ", strip=True) if page.soup.title else "",
    ]
    return [_without_site(unescape(t), sites) for t in found if t and unescape(t)]


def _completes(longer: str, shorter: str) -> bool:
    """True when `longer` is `shorter` cut off mid-phrase and finished ("...for surgical" ->
    "...for surgical teams"), not `shorter` plus a " | Site" suffix."""
    folded_long, folded_short = fold(longer), fold(shorter)
    if len(folded_long) <= len(folded_short) or not folded_long.startswith(folded_short):
        return False
    cuts = (fold(longer[: sep.start()]) for sep in _TITLE_SEPARATORS.finditer(longer))
    return folded_short not in cuts


def page_title(page: Page, fallback: str = "") -> str:
    """The article's own headline, entities decoded and the site name's suffix removed.

    The visible h1 wins when the metadata agrees with it (a publisher's SEO headline in
    JSON-LD is not what the reader sees); a truncated h1 or <title> gives way to the full one.
    """
    candidates = _meta_titles(page)
    h1 = headline(page)
    title = unescape(h1.get_text(" ", strip=True)) if h1 is not None else ""
    title = title or next(iter(candidates), "")
    if not title:
        return unescape(fallback)
    return max([t for t in candidates if _completes(t, title)] or [title], key=len)
