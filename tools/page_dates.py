"""When a page was first published, from its metadata in a fixed order of trust, then its URL,
then a date printed near the top of the article.

The order: JSON-LD datePublished, article:published_time, og:published_time,
itemprop=datePublished, sailthru.date, DC.date.issued, other date/pubdate meta names, a <time>
inside the article (not a sidebar's), a date in the URL path, a printed dateline under the
headline, a wire dateline ("CITY, May 3, 2016 /PRNewswire/ --"), and last a date with its
weekday in a caption ("on Tuesday, May 3, 2016"). Within one source the earliest value
wins (original over updated). A printed date after the retrieval day is not a publication date.

htmldate (installed with trafilatura) is not used: it returns a day without time or zone, it
cannot say which of its sources it trusted, and on a signed-in Yahoo! page it gives the day
after publication, which would date the article after the day it appeared.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bs4 import Tag

from tools.base import to_utc
from tools.dates import ISO_DATE, dates_in, day_or_none
from tools.page_meta import (
    ARTICLE_TYPES,
    PAGE_TYPES,
    Page,
    fold,
    headline,
    is_furniture,
    ld_types,
    ld_value,
    lines_after_headline,
)

_URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d{2})[/-](?P<a>\d{1,2})[/-](?P<b>\d{1,2})(?:/|-|$)")
_LABEL_BEFORE = re.compile(r"(updated|modified|edited|original|published|posted|created)\W*$", re.I)
# a release's dateline: "AUSTIN, Texas, May 3, 2016 /PRNewswire/ --", "(GLOBE NEWSWIRE) --",
# "DENVER, CO--(Marketwired - May 03, 2016) -", "--(BUSINESS WIRE)--"
WIRE_DATELINE = re.compile(
    r"/\s*PRNewswire(?:-[A-Za-z]+)?\s*/|\(\s*GLOBE NEWSWIRE\s*\)|\(\s*BUSINESS WIRE\s*\)"
    r"|\(\s*Marketwired\b|/\s*CNW\s*/|\(\s*ACCESSWIRE\s*\)|/\s*EINPresswire\s*/|\(\s*PRWEB\s*\)",
    re.IGNORECASE,
)
_CITY_DATELINE = re.compile(r"^[A-Z][A-Z .'’-]{2,40},")
_UPDATED = {"updated", "modified", "edited"}
_META_TIERS: tuple[tuple[str, ...], ...] = (
    ("article:published_time", "article:published"),
    ("og:published_time", "og:article:published_time"),
    ("datepublished",),
    ("sailthru.date",),
    ("dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date", "dcterms.created"),
    (
        "date", "pubdate", "publish-date", "publish_date", "publishdate", "published-date",
        "published_date", "article.published", "article_date_original", "datecreated",
        "original-publish-date", "parsely-pub-date", "sailthru.published",
    ),
)  # fmt: skip


# a source of dates: the page, its extracted body lines and whether it writes US dates
_Finder = Callable[[Page, list[str], bool | None], list[datetime]]


def parse_stamp(value: str, us: bool | None = None) -> datetime | None:
    """A UTC datetime from a metadata value: ISO 8601, RFC 2822, "3/9/2016 4:00:00 PM" or a
    written date; a value without a zone is read as UTC, a day alone as its midnight."""
    value = value.strip()
    if not value:
        return None
    if ISO_DATE.match(value) and (stamp := to_utc(value)) is not None:
        return stamp
    try:
        return to_utc(email.utils.parsedate_to_datetime(value))
    except (TypeError, ValueError, IndexError, OverflowError):  # "+99999999999" as its zone
        pass
    # "3/9/2016 4:00:00 PM": a 12-hour clock is American
    twelve_hour = re.search(r"\d\s*[ap]\.?m\b", value, re.IGNORECASE) is not None
    found = dates_in(value, True if twelve_hour else us)
    return to_utc(found[0].day) if found else None


def _locale_is_us(page: Page) -> bool | None:
    html = page.soup.find("html")
    lang = html.get("lang") if isinstance(html, Tag) else None
    locales = [str(lang or ""), page.first("og:locale") or "", page.first("content-language") or ""]
    regions = {re.split(r"[-_]", loc)[-1].lower() for loc in locales if re.search(r"[-_]", loc)}
    if "us" in regions:
        return True
    return False if regions else None


def _names_the_page(obj: dict[str, Any], page: Page) -> bool:
    h1 = headline(page)
    title = fold(h1.get_text(" ", strip=True)) if h1 is not None else ""
    named = ld_value(obj, "headline") or ld_value(obj, "name")
    return bool(title) and isinstance(named, str) and fold(named) == title


def _from_jsonld(page: Page, us: bool | None) -> list[datetime]:
    """An article object's datePublished, else a WebPage's, else that of any object named
    after the headline (AnandTech describes its articles as a Review)."""
    tiers: list[Callable[[dict[str, Any]], bool]] = [
        lambda obj: bool(ld_types(obj) & ARTICLE_TYPES),
        lambda obj: bool(ld_types(obj) & PAGE_TYPES),
        lambda obj: _names_the_page(obj, page),
    ]
    for chosen in tiers:
        stamps = []
        for obj in filter(chosen, page.ld):
            value = ld_value(obj, "datePublished") or ld_value(obj, "dateCreated")
            values = value if isinstance(value, list) else [value]
            stamps += [s for v in values if v and (s := parse_stamp(str(v), us))]
        if stamps:
            return stamps
    return []


def _article_scope(page: Page) -> Tag | None:
    h1 = headline(page)
    if h1 is None:
        found = page.soup.find("article") or page.soup.find("main")
        return found if isinstance(found, Tag) else None
    for parent in h1.parents:
        if parent.name in ("article", "main", "body") or parent.get("itemprop") == "articleBody":
            return parent
        if len(parent.get_text(" ", strip=True)) >= 600:
            return parent
    return None


def _in_sidebar(tag: Tag, scope: Tag) -> bool:
    for parent in tag.parents:
        if parent is scope:
            return False
        classes = " ".join(parent.get("class") or []) + " " + str(parent.get("id") or "")
        if parent.name in ("article", "li", "aside", "nav", "footer") or is_furniture(classes):
            return True
    return False


def _in_article(page: Page, tags: list[Tag]) -> list[Tag]:
    """The tags inside the article that holds the headline, not in its rails or cards."""
    scope = _article_scope(page)
    if scope is None:
        return []
    inside = {id(t) for t in scope.find_all(True)}
    return [t for t in tags if id(t) in inside and not _in_sidebar(t, scope)]


def _from_time_elements(page: Page, us: bool | None) -> list[datetime]:
    tags = [t for t in page.soup.find_all(True, attrs={"datetime": True}) if isinstance(t, Tag)]
    stamps = (parse_stamp(str(t.get("datetime") or ""), us) for t in _in_article(page, tags))
    return [s for s in stamps if s]


def _from_url(page: Page) -> list[datetime]:
    for url in page.urls:
        m = _URL_DATE.search(urlsplit(url).path)
        if m and (day := day_or_none(int(m["year"]), int(m["a"]), int(m["b"]))) is not None:
            return [datetime(day.year, day.month, day.day, tzinfo=UTC)]
    return []


def _top_lines(page: Page, body: list[str]) -> list[str]:
    """The lines printed under the headline (up to 20), else the body's first lines."""
    return lines_after_headline(page)[:20] or body[:5]


def _printed_dateline(lines: list[str], us: bool | None) -> list[date]:
    """A short line carrying the date ("October 5, 2018", "Posted: 02/17/2015 09:10 am EST",
    "Updated ... / Original Mar. 18, 2019"); the original is preferred to the update."""
    for line in lines:
        if len(line.split()) > 16:
            continue
        found = dates_in(line, us)
        if not found:
            continue
        labelled = [(_LABEL_BEFORE.search(line[: f.at]), f) for f in found]
        original = [f for label, f in labelled if not label or label[1].lower() not in _UPDATED]
        return [(original or found)[0].day]
    return []


def _wire_dateline(lines: list[str], us: bool | None) -> list[date]:
    for line in lines:
        head = line[:200]
        if WIRE_DATELINE.search(head) or _CITY_DATELINE.match(head):
            found = dates_in(head, us)
            if found:
                return [found[0].day]
    return []


def _weekday_date(lines: list[str], us: bool | None) -> list[date]:
    for line in lines:
        for found in dates_in(line, us):
            if found.weekday_ok:
                return [found.day]
    return []


def _printed(finder: Callable[[list[str], bool | None], list[date]]) -> _Finder:
    def read(page: Page, body: list[str], us: bool | None) -> list[datetime]:
        lines = _top_lines(page, body)
        return [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in finder(lines, us)]

    return read


def _meta_finder(keys: tuple[str, ...]) -> _Finder:
    def read(page: Page, body: list[str], us: bool | None) -> list[datetime]:
        values = [v for key in keys for v in page.meta.get(key, [])]
        if keys == ("datepublished",):
            values += _itemprop_values(page)
        return [s for v in values if (s := parse_stamp(v, us))]

    return read


def _itemprop_values(page: Page) -> list[str]:
    """datePublished of microdata elements in the article (a rail's cards carry their own)."""
    tags = [
        t
        for t in page.soup.find_all(True, attrs={"itemprop": "datePublished"})
        if isinstance(t, Tag) and t.name != "meta"
    ]
    found = [
        t.get("datetime") or t.get("content") or t.get_text(" ", strip=True)
        for t in _in_article(page, tags)
    ]
    return [str(v) for v in found if v]


def _finders(printed: bool) -> Iterator[tuple[_Finder, timedelta]]:
    """Each source of a date in order of trust, with how far past the retrieval time a value
    of it may lie (a publisher's clock or zone may be off; a printed date never is)."""
    metadata, day = timedelta(days=30), timedelta(days=1)
    yield (lambda page, body, us: _from_jsonld(page, us)), metadata
    yield from ((_meta_finder(keys), metadata) for keys in _META_TIERS)
    yield (lambda page, body, us: _from_time_elements(page, us)), metadata
    yield (lambda page, body, us: _from_url(page)), metadata
    if printed:
        for finder in (_printed_dateline, _wire_dateline, _weekday_date):
            yield _printed(finder), day


def published_at(
    page: Page, body: list[str], now: datetime | None = None, *, printed: bool = True
) -> datetime | None:
    """The page's first publication time in UTC, or None when nothing on it can be trusted;
    without `printed`, from its metadata and URL alone (for pages that are not articles)."""
    retrieved = to_utc(now) or datetime.now(UTC)
    us = _locale_is_us(page)
    for finder, slack in _finders(printed):
        stamps = [
            s
            for s in finder(page, body, us)
            if datetime(1990, 1, 1, tzinfo=UTC) <= s <= retrieved + slack
        ]
        if stamps:
            return min(stamps)
    return None
