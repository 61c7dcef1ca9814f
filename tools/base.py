"""Shared helpers of the source parsers: ids, text cleanup, HTML to text, dates, Source building."""

from __future__ import annotations

import functools
import hashlib
import html as htmllib
import re
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.element import CData, ProcessingInstruction
from lxml import etree

from agent.schemas import Source, SourceKind
from tools.controls import strip_controls
from tools.problems import note

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# terminal escape sequences (CSI, OSC, DCS/PM/APC strings, two-byte ESC codes), then any other
# C0/C1 control but newline and tab: a title or text must not drive the CSM's terminal
_LINE_CONTROLS = str.maketrans("\r\v\f", "\n\n\n")
_INLINE_SPACE = re.compile(r"[ \t\f\v\u00a0\u2007\u202f]+")
_BLANKS = re.compile(r"\n{3,}")

_SKIP_TAGS = {"script", "style", "noscript", "template", "head", "title", "svg", "iframe"}
_PARAGRAPH_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl", "blockquote",
    "pre", "section", "article", "header", "footer", "aside", "figure", "hr", "form",
}  # fmt: skip
_LINE_TAGS = {"div", "li", "tr", "dt", "dd", "main", "nav", "figcaption", "address", "center"}
_PARA, _LINE = "\x02", "\x03"
_BREAKS = re.compile("[ \x02\x03]*[\x02\x03][ \x02\x03]*")
_NOT_TEXT = (Comment, Declaration, Doctype, ProcessingInstruction, CData)


#: Elements nested deeper are read as plain paragraphs (real pages nest 10 to 40 deep). Below
#: 256, where libxml2's own tree stops, so that tree can probe for it.
MAX_HTML_DEPTH = 200
_AT_MAX_DEPTH = "/" + "/".join(["*"] * MAX_HTML_DEPTH)
#: The longest text one document keeps: about 1,200 chunks, half a minute of embedding on two
#: idle cores; a page or file with more is cut (and says so) rather than taking many minutes.
MAX_TEXT_CHARS = 1_000_000
#: Dates before this are no dates (a zero or epoch default, a typo), nor those past the latest.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
_LATEST = datetime(9000, 1, 1, tzinfo=UTC)
#: How far after the run's clock a document's date may lie (a scheduled call, clock skew).
FUTURE_SLACK = timedelta(days=366)


def content_hash(text: str) -> str:
    """A hex SHA-1 of some text: the identity of documents that carry no id of their own."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def stable_id(kind: SourceKind, identity: str) -> str:
    """The stable Source id of a document: kind plus a short hash of its identity."""
    return f"{kind.value}-{content_hash(identity)[:12]}"


def clean_text(text: str) -> str:
    """Normalize newlines and spaces, decode entities and drop zero-width and control chars;
    keep paragraphs."""
    text = htmllib.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    text = strip_controls(_ZERO_WIDTH.sub("", text))
    lines = [_INLINE_SPACE.sub(" ", line).rstrip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _hidden(tag: Tag) -> bool:
    style = tag.get("style")
    # inline XBRL keeps its machine-readable header in a display:none block
    return isinstance(style, str) and re.search(r"display\s*:\s*none", style) is not None


def _walk(root: Tag, out: list[str]) -> None:
    # an explicit stack, not recursion: a page may nest thousands of elements
    stack: list[Iterator[PageElement] | str] = [iter(root.children)]
    while stack:
        top = stack[-1]
        if isinstance(top, str):
            stack.pop()
            out.append(top)
            continue
        child = next(top, None)
        if child is None:
            stack.pop()
            continue
        if isinstance(child, _NOT_TEXT):
            continue
        if isinstance(child, NavigableString):
            out.append(re.sub(r"\s+", " ", str(child)))
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        if name in _SKIP_TAGS or name == "ix:header" or _hidden(child):
            continue
        if name == "br":
            out.append("\n")
            continue
        if name == "pre":
            out.append("\n\n" + child.get_text() + "\n\n")
            continue
        brk = _PARA if name in _PARAGRAPH_TAGS else _LINE if name in _LINE_TAGS else ""
        out.append(brk + ("- " if name == "li" else ""))
        stack.append(brk or (" " if name in ("td", "th") else ""))
        stack.append(iter(child.children))


def _soup(html: str) -> BeautifulSoup:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml")


def _too_deep(html: str) -> bool:
    """Whether elements nest MAX_HTML_DEPTH deep, probed with libxml2's own tree (fast: C)."""
    if html.count("<") < MAX_HTML_DEPTH:
        return False
    try:
        # a parser per call: lxml parsers must not be shared between a scan's threads
        probe = etree.HTMLParser(encoding="utf-8", recover=True, no_network=True)
        root = etree.fromstring(html.encode("utf-8", "replace"), probe)
    except (etree.LxmlError, ValueError):
        return False
    return root is not None and bool(root.xpath(_AT_MAX_DEPTH))


def _flatten(soup: BeautifulSoup) -> None:
    """Elements at MAX_HTML_DEPTH keep their text, one paragraph each, and lose their tags."""
    deepest: list[Tag] = []
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        node, level = stack.pop()
        for child in node.children:
            if isinstance(child, Tag):
                if level + 1 >= MAX_HTML_DEPTH:
                    deepest.append(child)
                else:
                    stack.append((child, level + 1))
    for tag in deepest:
        # a script or hidden block at the bound stays unread, as it would be above it
        skipped = tag.name.lower() in _SKIP_TAGS or _hidden(tag)
        paragraphs = [] if skipped else tree_text(tag).split("\n\n")
        tag.clear()
        for words in paragraphs:
            paragraph = soup.new_tag("p")
            paragraph.string = words
            tag.append(paragraph)


@functools.lru_cache(maxsize=4)
def bounded_html(html: str) -> str:
    """The page unchanged, or when elements nest more than MAX_HTML_DEPTH deep, re-written with
    the deepest parts as plain paragraphs: deeper trees exhaust recursion or take quadratic
    time in tree walks, and libxml2 (lxml, trafilatura) drops the rest of such a page."""
    if not _too_deep(html):
        return html
    soup = _soup(html)
    _flatten(soup)
    return str(soup)


def parse_html(html: str) -> BeautifulSoup:
    """A BeautifulSoup tree of HTML or XHTML (inline XBRL filings start with an XML prolog),
    nested at most MAX_HTML_DEPTH deep."""
    return _soup(bounded_html(html))


def tree_text(node: Tag) -> str:
    """Plain text of a parsed tree or element, with paragraph and list breaks kept."""
    out: list[str] = []
    _walk(node, out)
    # adjacent block edges ("</li><li>") make one break, the widest of them
    joined = _BREAKS.sub(lambda m: "\n\n" if _PARA in m.group() else "\n", "".join(out))
    lines = [line.strip() for line in joined.split("\n")]
    return clean_text("\n".join(lines))


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or page, with paragraph and list breaks kept."""
    return tree_text(parse_html(html))


def _moment(value: Any) -> datetime | None:
    """The UTC datetime a value names, None when it names none; raises OverflowError,
    ValueError or OSError when it is out of a datetime's range."""
    if isinstance(value, datetime):
        result = value
    elif isinstance(value, date):
        result = datetime(value.year, value.month, value.day)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value / 1000, tz=UTC)
    elif isinstance(value, str):
        try:
            result = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=UTC)
    return result.astimezone(UTC)


def to_utc(value: Any, now: datetime | None = None) -> datetime | None:
    """A timezone-aware UTC datetime from ISO text, a date, a datetime or epoch milliseconds.

    None when the value is no date, or an absurd one (before 1900, beyond what a datetime
    holds, or more than a year after `now`); an absurd date is noted as a problem.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        moment = _moment(value)
    except (OverflowError, ValueError, OSError):
        note(f"date {_shown(value)} is out of range: read as no date")
        return None
    if moment is None:
        return None
    latest = _LATEST if now is None else _latest(now)
    if moment < EARLIEST:
        note(f"date {_shown(value)} is before 1900: read as no date")
        return None
    if moment > latest:
        limit = "the year 9000" if now is None else f"{latest.date().isoformat()} (a year ahead)"
        note(f"date {_shown(value)} is after {limit}: read as no date")
        return None
    return moment


def _latest(now: datetime) -> datetime:
    """The latest date a document read at `now` may carry (a scheduled call, clock skew)."""
    try:
        return min(_LATEST, (_moment(now) or datetime.now(UTC)) + FUTURE_SLACK)
    except (OverflowError, ValueError, OSError):
        return _LATEST


def _shown(value: Any) -> str:
    text = value.isoformat() if isinstance(value, date) else str(value)
    return repr(text[:40] + ("…" if len(text) > 40 else ""))


def safe_url(url: str | None) -> str | None:
    """The URL when it is an absolute http(s) address without spaces or control characters;
    None for anything else (javascript:, data:, file:, a relative path)."""
    if not url:
        return None
    url = url.strip()
    if any(ch.isspace() or ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def _cut(text: str, title: str) -> str:
    """The text within MAX_TEXT_CHARS, cut at a paragraph or a space; the cut is noted."""
    if len(text) <= MAX_TEXT_CHARS:
        return text
    head = text[:MAX_TEXT_CHARS]
    end = head.rfind("\n\n")
    if end < MAX_TEXT_CHARS * 0.9:
        end = max(head.rfind(" "), head.rfind("\n"))
    kept = head[: end if end > 0 else MAX_TEXT_CHARS].rstrip()
    note(
        f"{title[:80]!r}: kept the first {len(kept):,} of {len(text):,} characters "
        f"(one document's text is limited to {MAX_TEXT_CHARS:,})"
    )
    return kept


def _clean_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    return {
        key: strip_controls(value)
        if isinstance(value, str)
        else [strip_controls(v) if isinstance(v, str) else v for v in value]
        if isinstance(value, list)
        else value
        for key, value in metadata.items()
    }


def make_source(
    kind: SourceKind,
    identity: str,
    *,
    title: str,
    text: str,
    account_id: str = "",
    now: datetime | None = None,
    url: str | None = None,
    published_at: datetime | None = None,
    metadata: dict[str, Any] | None = None,
) -> Source:
    """Build a Source with its stable id; `now` defaults to the current UTC time.

    Every document passes here, so here it is made safe to keep and show: control characters
    and terminal escapes removed, only an http(s) URL kept, an absurd date dropped and an
    overlong text cut (the last two noted as problems).
    """
    retrieved = to_utc(now) or datetime.now(UTC)
    title = " ".join(strip_controls(title).split())[:300] or "(untitled)"
    return Source(
        id=stable_id(kind, identity),
        account_id=account_id,
        kind=kind,
        title=title,
        url=safe_url(url),
        published_at=to_utc(published_at, now=retrieved),
        retrieved_at=retrieved,
        text=_cut(strip_controls(text).translate(_LINE_CONTROLS), title),
        metadata=_clean_metadata(metadata or {}),
    )
