"""Filing documents as Sources: an 8-K or 6-K without its cover, a 10-K/10-Q item by item."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools.base import content_hash, make_source, to_utc
from tools.filing_items import (
    ITEM_NAMES,
    PERIODIC_FORMS,
    QUARTERLY_FORMS,
    Item,
    current_report_items,
    first_item_heading,
    periodic_items,
)
from tools.filing_text import (
    EXACT_NAME,
    FORM_LINE,
    REPORT_DATE,
    SIGNED,
    Cover,
    FilingText,
    first_date,
    read_cover,
    read_filing,
)
from tools.problems import parser

_CHECKBOX = re.compile(
    r"[☐☒□■☑✓✔þ¨ý]|\[\s*[xX✓]?\s*\]|indicate by check mark|if .yes. is marked", re.IGNORECASE
)
_SUFFIX = re.compile(
    r"[,\s]+(?:&\s*Co\.?|Inc\.?|Incorporated|Corp\.?|Corporation|Co\.?|Ltd\.?|Limited|L\.?L\.?C\.?"
    r"|L\.?P\.?|plc|N\.\s?V\.?|S\.\s?A\.?|AG|SE|/[A-Z]{2,3}/?)$",
    re.IGNORECASE,
)
_SMALL_WORDS = frozenset({"THE", "AND", "OF", "FOR"})
#: The cover page, where a filing's check boxes sit, ends within this many characters.
COVER_LIMIT = 15_000
COVER_LINES = 40


def display_name(company: str) -> str:
    """A registrant's name as a title reads it: "ACME WIDGET CORPORATION" → "Acme Widget";
    mixed-case names keep their spelling ("BigBank Group & Co." → "BigBank Group")."""
    name = company.strip().rstrip(",")
    while (shorter := _SUFFIX.sub("", name).rstrip(",")) != name and shorter:
        name = shorter
    if name.upper() == name:
        # short all-caps words (IBM, AT&T) are acronyms; longer ones are shouting
        words = []
        for i, word in enumerate(name.split()):
            if word in _SMALL_WORDS:
                word = word.lower() if i else word.capitalize()
            elif len(word) > 3 and word.isalpha():
                word = word.capitalize()
            words.append(word)
        name = " ".join(words)
    return name


def _has_cover(text: str) -> bool:
    return bool(EXACT_NAME.search(text[:COVER_LIMIT]) or FORM_LINE.search(text[:3000]))


def _without_cover(text: str) -> str:
    """The text after a cover page's last check box (the whole text when it has no cover)."""
    signed = SIGNED.search(text, 0, COVER_LIMIT)
    region = text[: signed.start() if signed else COVER_LIMIT]
    if not _has_cover(region):
        return text
    boxes = list(_CHECKBOX.finditer(region))
    if not boxes:
        return text
    end = text.find("\n", boxes[-1].end())
    return text[end + 1 :].strip() if end >= 0 else text


def _cover_lines(text: str, cover: Cover) -> list[str]:
    """The cover's own lines that name the form, the registrant and the date of report."""
    lines = [ln.strip() for ln in text[:COVER_LIMIT].split("\n") if ln.strip()][:COVER_LINES]
    kept: list[str] = []
    wanted = {"form": FORM_LINE.match, "date": REPORT_DATE.search}
    for i, line in enumerate(lines):
        for kind, test in list(wanted.items()):
            if test(line):
                kept.append(line)
                del wanted[kind]
                if kind == "date" and not re.search(r"\d{4}", line):
                    # the date printed under its caption, or above it
                    if i + 1 < len(lines) and first_date(lines[i + 1]):
                        kept.append(lines[i + 1])
                    elif i and first_date(lines[i - 1]):
                        kept.insert(len(kept) - 1, lines[i - 1])
        if cover.company and line == cover.company and line not in kept:
            kept.append(line)
    return kept


def _source(
    html: str, url: str | None, part: str, title: str, text: str, meta: dict[str, Any], **stamp: Any
) -> Source:
    """A filing Source; its id is the document's (its URL, else its bytes) plus the item cited."""
    identity = (url or content_hash(html)) + (f"#{part}" if part else "")
    published = to_utc(meta.get("filing_date"))
    return make_source(
        SourceKind.filing,
        identity,
        title=title,
        text=text,
        url=url,
        published_at=published,
        metadata=meta,
        **stamp,
    )


def _metadata(cover: Cover, doc: FilingText) -> dict[str, Any]:
    published = cover.published
    meta = {
        "form": cover.form or "filing",
        "company": cover.company,
        "cik": cover.cik,
        "accession": cover.accession,
        "report_date": cover.report_date.isoformat() if cover.report_date else None,
        "filing_date": published.isoformat() if published else None,
        "signature_date": cover.signed.isoformat() if cover.signed else None,
        "filename": doc.fields.get("filename"),
    }
    return {k: v for k, v in meta.items() if v is not None or k in ("company", "report_date")}


def _dated(day: date | None) -> str:
    return day.isoformat() if day else ""


def _current_report(
    html: str, doc: FilingText, cover: Cover, url: str | None, stamp: dict[str, Any]
) -> Source:
    """One Source: the items (or a 6-K's release) after the cover, led by the cover's key lines."""
    text = doc.text
    start = first_item_heading(text)
    has_cover = _has_cover(text)
    if start is not None and has_cover:
        body = "\n".join(_cover_lines(text, cover)) + "\n\n" + text[start:]
    elif has_cover:
        body = "\n".join(_cover_lines(text, cover)) + "\n\n" + _without_cover(text)
    else:
        body = text
    headings = current_report_items(text)
    form = cover.form or "filing"
    name = display_name(cover.company) if cover.company else None
    title = " ".join(x for x in (name, form, _dated(cover.report_date)) if x)
    # the first item that is not the list of exhibits (9.01, or 7 before 2004) names the report
    main = next((h for code, h in headings if code not in ("9.01", "7")), None)
    if main:
        title += " — " + main.split(";")[0].rstrip(" .")
    if not has_cover:
        # an exhibit (press release) is best named by its upper-case headline
        lines = [ln for ln in text.split("\n") if len(ln) > 3][:40]
        shouting = [ln for ln in lines if len(ln) > 20 and ln.upper() == ln]
        title = next(iter(shouting), lines[0] if lines else title)
    metadata = _metadata(cover, doc)
    metadata["items"] = [code for code, _ in headings if code in ITEM_NAMES]
    metadata["item_headings"] = [h for _, h in headings]
    return _source(html, url, "", title, body.strip(), metadata, **stamp)


def _period_label(cover: Cover) -> str:
    """FY1999, Q2 FY2024, or the quarter's end date when the filing does not tag its period."""
    form = cover.form or ""
    quarterly = form.startswith(QUARTERLY_FORMS)
    if cover.fiscal_year and cover.fiscal_period:
        period = cover.fiscal_period.upper()
        return f"FY{cover.fiscal_year}" if period == "FY" else f"{period} FY{cover.fiscal_year}"
    if cover.report_date is None:
        return ""
    if quarterly:
        return f"quarter ended {cover.report_date.isoformat()}"
    return f"FY{cover.report_date.year}"


def _item_source(
    html: str, doc: FilingText, cover: Cover, item: Item, url: str | None, stamp: dict[str, Any]
) -> Source:
    form = cover.form or "filing"
    name = display_name(cover.company) if cover.company else ""
    period = _period_label(cover)
    head = " ".join(x for x in (name, form, period) if x)
    metadata = _metadata(cover, doc)
    metadata.update(item=item.code, item_title=item.title, fiscal_period=period or None)
    if item.part:
        metadata["part"] = item.part
    title = f"{head} — {item.label}. {item.title}"
    return _source(html, url, item.label, title, item.text, metadata, **stamp)


def _whole(
    html: str, doc: FilingText, cover: Cover, url: str | None, stamp: dict[str, Any]
) -> Source:
    name = display_name(cover.company) if cover.company else ""
    title = " ".join(x for x in (name, cover.form or "filing", _period_label(cover)) if x)
    metadata = _metadata(cover, doc)
    metadata.update(items=[], fiscal_period=_period_label(cover) or None)
    return _source(html, url, "", title, _without_cover(doc.text), metadata, **stamp)


def _read(html: str, url: str | None) -> tuple[FilingText, Cover]:
    doc = read_filing(html)
    if not doc.text:
        raise ParseError("filing document has no text")
    return doc, read_cover(doc, url)


def _periodic(cover: Cover) -> bool:
    return (cover.form or "").startswith(PERIODIC_FORMS)


@parser
def parse_filing_sources(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """Every Source of a filing document: one for an 8-K, 6-K or exhibit, one per 10-K/10-Q item."""
    doc, cover = _read(html, url)
    stamp: dict[str, Any] = {"account_id": account_id, "now": now}
    if _periodic(cover):
        items = periodic_items(doc.text, cover.form or "")
        if items:
            return [_item_source(html, doc, cover, item, url, stamp) for item in items]
        return [_whole(html, doc, cover, url, stamp)]
    return [_current_report(html, doc, cover, url, stamp)]


@parser
def parse_filing_document(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> Source:
    """One Source for a whole filing document (a 10-K's items together, without its cover)."""
    doc, cover = _read(html, url)
    stamp: dict[str, Any] = {"account_id": account_id, "now": now}
    if _periodic(cover):
        return _whole(html, doc, cover, url, stamp)
    return _current_report(html, doc, cover, url, stamp)
