"""Shared helpers of the source parsers: ids, text cleanup, HTML to text, dates, Source building."""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import warnings
from datetime import UTC, date, datetime
from typing import Any

from bs4 import (
    BeautifulSoup,
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    Tag,
    XMLParsedAsHTMLWarning,
)
from bs4.element import CData, ProcessingInstruction

from agent.errors import ParseError
from agent.schemas import Source, SourceKind

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
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


_LD_SCRIPT = re.compile(
    r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)


def jsonld_objects(html: str) -> list[dict[str, Any]]:
    """Every JSON-LD object in a page, with `@graph` arrays and nested lists flattened."""
    found: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            found.append(node)
            if "@graph" in node:
                visit(node["@graph"])
            for key in ("review", "aggregateRating"):
                if key in node:
                    visit(node[key])

    for block in _LD_SCRIPT.findall(html):
        try:
            visit(json.loads(block))
        except ValueError:
            continue
    return found


def content_hash(text: str) -> str:
    """A hex SHA-1 of some text: the identity of documents that carry no id of their own."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def load_json(data: bytes | str | Any) -> Any:
    """Decoded JSON (already decoded data passes through); ParseError when it is not JSON."""
    if isinstance(data, bytes | str):
        try:
            return json.loads(data)
        except ValueError as exc:
            raise ParseError(f"not JSON: {exc}") from None
    return data


def stable_id(kind: SourceKind, identity: str) -> str:
    """The stable Source id of a document: kind plus a short hash of its identity."""
    return f"{kind.value}-{content_hash(identity)[:12]}"


def clean_text(text: str) -> str:
    """Normalize newlines and spaces, decode entities and drop zero-width chars; keep paragraphs."""
    text = htmllib.unescape(text).replace("\r\n", "\n").replace("\r", "\n")
    text = _ZERO_WIDTH.sub("", text)
    lines = [_INLINE_SPACE.sub(" ", line).rstrip() for line in text.split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()


def _hidden(tag: Tag) -> bool:
    style = tag.get("style")
    # inline XBRL keeps its machine-readable header in a display:none block
    return isinstance(style, str) and re.search(r"display\s*:\s*none", style) is not None


def _walk(node: Tag, out: list[str]) -> None:
    for child in node.children:
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
        _walk(child, out)
        out.append(brk or (" " if name in ("td", "th") else ""))


def parse_html(html: str) -> BeautifulSoup:
    """A BeautifulSoup tree of HTML or XHTML (inline XBRL filings start with an XML prolog)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, "lxml")


def html_to_text(html: str) -> str:
    """Plain text of an HTML fragment or page, with paragraph and list breaks kept."""
    out: list[str] = []
    _walk(parse_html(html), out)
    # adjacent block edges ("</li><li>") make one break, the widest of them
    joined = _BREAKS.sub(lambda m: "\n\n" if _PARA in m.group() else "\n", "".join(out))
    lines = [line.strip() for line in joined.split("\n")]
    return clean_text("\n".join(lines))


def to_utc(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime from ISO text, a date, a datetime or epoch milliseconds."""
    if value is None or value == "":
        return None
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
    """Build a Source with its stable id; `now` defaults to the current UTC time."""
    return Source(
        id=stable_id(kind, identity),
        account_id=account_id,
        kind=kind,
        title=" ".join(title.split())[:300] or "(untitled)",
        url=url or None,
        published_at=published_at,
        retrieved_at=to_utc(now) or datetime.now(UTC),
        text=text,
        metadata=metadata or {},
    )
