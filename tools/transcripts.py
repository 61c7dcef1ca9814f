"""Earnings-call transcripts as Sources: plain text in any layout (`Name: text` lines, label
lines with rosters, PDF extracts), Motley Fool pages and Motley Fool JSON.

The stored text has one paragraph per turn, `Speaker Name (Title): words`, and the metadata
maps each turn to the character span of its words, its role (`executive`, `analyst`,
`operator`, `unknown`) and its section (`prepared`, `qa`), so a quote can be traced to its
speaker. Splitting lives in `tools/transcript_layouts.py`, who is who in
`tools/transcript_roles.py`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from bs4 import Tag

from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools.base import clean_text, content_hash, make_source, parse_html, to_utc
from tools.dates import find_date
from tools.problems import parser
from tools.transcript_layouts import (
    Draft,
    Listing,
    finish,
    listing,
    section_marker,
    split_label,
    split_turns,
)
from tools.transcript_pages import unpage
from tools.transcript_roles import Section, Turn

__all__ = [
    "Turn",
    "build_transcript_source",
    "is_fool_json",
    "looks_like_fool_html",
    "looks_like_transcript",
    "parse_fool_html",
    "parse_fool_json",
    "parse_transcript",
    "split_turns",
]

_ORDINALS = "first|second|third|fourth"
_YEAR = r"(?:19|20)\d{2}"
_QUARTER = re.compile(
    rf"\b(?:(?P<q>Q[1-4])\s*(?:FY\s*|(?:of\s+)?(?:fiscal\s+(?:year\s+)?)?)(?P<y1>{_YEAR})|"
    rf"(?:FY|fiscal(?: year)?)\s*(?P<y4>{_YEAR}),?\s+(?:(?P<q4>Q[1-4])\b|"
    rf"(?P<word4>{_ORDINALS})[- ]quarter)|"
    rf"(?P<word>{_ORDINALS})[- ]quarter,?(?:\s+of)?(?:\s+(?:fiscal|FY)(?:\s+year)?)?\s*"
    rf"(?P<y2>{_YEAR}))",
    re.I,
)
_ORDINAL = {"first": "Q1", "second": "Q2", "third": "Q3", "fourth": "Q4"}
#: "**Company:** AAPL", "Date: 2025-07-31" header fields.
_FIELD = re.compile(r"^[*#_ ]*(company|date|quarter)[*_ ]*:[*_ ]*(.+?)[*_ ]*$", re.I | re.M)
#: "welcome to the Acme Corporation third quarter ..." in the operator's opening.
_WELCOME_COMPANY = re.compile(
    r"\b(?i:welcome)\b[^.]{0,40}?\bto (?:the |today's )?"
    r"(?!(?i:fiscal|first|second|third|fourth|Q[1-4])\b)(?P<company>[A-Z][\w&.'’\-]*"
    r"(?: (?:&|[A-Z][\w&.'’\-]*))*?)(?:['’]s?)? (?i:fiscal|first|second|third|fourth|Q[1-4]|"
    r"\d{4}|business|earnings|conference|quarterly|call)"
)
#: The call's own date in its safe-harbor line ("speak only as of October 15, 2021").
_AS_OF = re.compile(r"\b(?:only as of|as of today,?|today(?: is)?,)\s+(?P<date>[A-Z][a-z]+\.? \d)")
_DURATION = re.compile(r"^duration:", re.I)


def looks_like_transcript(text: str) -> bool:
    """True when text reads as a call transcript rather than a note: several turns plus an
    operator, a section marker or a call header."""
    turns = split_turns(text)
    if len(turns) < 3 or len({t.speaker for t in turns}) < 2:
        return False
    head = text[:600].lower()
    has_marker = any(section_marker(ln) for ln in text.split("\n") if len(ln) < 60)
    return (
        any(t.role == "operator" for t in turns)
        or has_marker
        or "earnings call" in head
        or "conference call" in head
    )


def _quarter(text: str) -> str | None:
    m = _QUARTER.search(text)
    if m is None:
        return None
    q = m["q"] or m["q4"]
    q = q.upper() if q else _ORDINAL[(m["word"] or m["word4"]).lower()]
    return f"{q} {m['y1'] or m['y2'] or m['y4']}"


def _company_before_quarter(header: str) -> str | None:
    m = _QUARTER.search(header)
    if m is None:
        return None
    lines = [ln for ln in header.split("\n") if ln.strip()]
    at = next((i for i, ln in enumerate(lines) if m.group(0) in ln), 0)
    before = lines[at][: lines[at].find(m.group(0))] if lines else ""
    if not before.strip(" #*-,:") and at > 0:
        before = lines[at - 1]  # "Acme, Inc. (NYSE: ACME)" on the line above "Q3 2026 ..."
    return re.sub(r"\(\s*(?:[A-Z]+:\s*)?[A-Z.]{1,6}\s*\)", "", before).strip(" #*-,:") or None


def _header_info(header: str, opening: str = "") -> dict[str, str | None]:
    """Company, quarter, call date and title from the header; what it lacks, from the
    operator's opening ("welcome to the Acme third quarter ...", "speak only as of ...")."""
    fields = {k.lower(): v.strip() for k, v in _FIELD.findall(header)}
    quarter = _quarter(fields.get("quarter", "")) or _quarter(header)
    company = fields.get("company") or _company_before_quarter(header)
    call_date = find_date(fields.get("date", "")) or find_date(header)
    if opening:
        welcome = _WELCOME_COMPANY.search(opening)
        company = company or (re.sub(r"['’]s?$", "", welcome["company"]) if welcome else None)
        quarter = quarter or _quarter(opening)
        as_of = _AS_OF.search(opening)
        call_date = call_date or (find_date(opening[as_of.start("date") :]) if as_of else None)
    first = next((ln.strip("# ").strip() for ln in header.split("\n") if ln.strip()), "")
    called = re.search(r"earnings|conference call|results call", f"{header}\n{opening}", re.I)
    title = f"{quarter or ''} earnings call".strip() if called else first or "Earnings call"
    if company and company.lower() not in title.lower():
        title = f"{company} {title}"
    return {
        "company": company,
        "quarter": quarter,
        "call_date": call_date.isoformat() if call_date else None,
        "title": title,
    }


def _opening(turns: list[Turn]) -> str:
    return "\n".join(t.text for t in turns[:3])


def build_transcript_source(
    turns: list[Turn],
    header: str,
    identity: str,
    *,
    url: str | None = None,
    account_id: str = "",
    now: datetime | None = None,
) -> Source:
    """An earnings_call Source from turns: one `Label: words` paragraph per turn, with offsets."""
    if not turns:
        raise ParseError("no speaker turns found in transcript")
    info = _header_info(header, _opening(turns))
    parts: list[str] = []
    spans = []
    pos = 0
    for turn in turns:
        prefix = f"{turn.label}: "
        # a blank line separates turns, so paragraphs inside one turn keep a single newline
        words = re.sub(r"\n{2,}", "\n", clean_text(turn.text))
        start = pos + len(prefix)
        parts.append(prefix + words)
        spans.append(
            {
                "speaker": turn.speaker,
                "title": turn.title,
                "affiliation": turn.affiliation,
                "role": turn.role,
                "section": turn.section,
                "start": start,
                "end": start + len(words),
            }
        )
        pos = start + len(words) + 2
    return make_source(
        SourceKind.earnings_call,
        identity,
        title=info["title"] or "Earnings call",
        text="\n\n".join(parts),
        url=url,
        published_at=to_utc(info["call_date"]),
        metadata={
            "turns": spans,
            "company": info["company"],
            "quarter": info["quarter"],
            "call_date": info["call_date"],
        },
        account_id=account_id,
        now=now,
    )


@parser
def parse_transcript(
    text: str, *, url: str | None = None, account_id: str = "", now: datetime | None = None
) -> Source:
    """An earnings_call Source from a plain-text transcript in any layout, PDF text included
    (pages separated by form feeds)."""
    cleaned = clean_text(unpage(text))
    turns = split_turns(cleaned)
    first = turns[0] if turns else None
    header = cleaned
    if first is not None:
        cut = cleaned.find(first.text.split("\n", 1)[0])
        header = cleaned[: max(cut, 0)] or cleaned[:600]
    return build_transcript_source(
        turns, header[:1500], url or content_hash(cleaned), url=url, account_id=account_id, now=now
    )


def looks_like_fool_html(html: str) -> bool:
    """True for a Motley-Fool-style transcript page: article-body with section h2s and <strong>
    speaker paragraphs."""
    return (
        "article-content" in html and re.search(r"<h2[^>]*>\s*Prepared Remarks", html) is not None
    )


@parser
def parse_fool_html(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> Source:
    """An earnings_call Source from a Motley-Fool-style transcript page (h2 sections, <strong>
    speaker paragraphs with an optional <em> descriptor, a `Call participants:` list)."""
    soup = parse_html(html)
    body = soup.select_one("section.article-body span.article-content") or soup.select_one(
        ".article-content"
    )
    if body is None:
        raise ParseError("no article-content block in transcript page")
    header_parts: list[str] = []
    drafts: list[Draft] = []
    roster: dict[str, Listing] = {}
    section: Section | None = None
    for el in body.find_all(["h2", "p"]):
        if not isinstance(el, Tag):
            continue
        text = el.get_text(" ", strip=True)
        if el.name == "h2":
            marker = section_marker(text)
            section = marker if marker == "prepared" or marker == "qa" else None
            if marker in ("company", "analysts", "any"):
                drafts.append(Draft("", None, None, "unknown"))  # ends the last turn
            continue
        if section is None and not drafts:
            header_parts.append(text)
            continue
        strong, em = el.find("strong"), el.find("em")
        if strong is not None:
            name = strong.get_text(" ", strip=True)
            described = em.get_text(" ", strip=True) if em is not None else ""
            parsed = split_label(f"{name} -- {described}" if described else name)
            if parsed is not None and section is None:
                roster[parsed[0]] = listing(parsed, "any")  # the participants list
                continue
            if parsed is not None and section is not None:
                drafts.append(Draft(parsed[0], parsed[1], parsed[2], section))
                continue
        if drafts and drafts[-1].speaker and not _DURATION.match(text):
            drafts[-1].lines.append(text)
    turns = finish([d for d in drafts if d.speaker], roster)
    return build_transcript_source(
        turns,
        "\n".join(header_parts),
        url or content_hash(html),
        url=url,
        account_id=account_id,
        now=now,
    )


def _fool_turns(obj: dict[str, Any]) -> list[tuple[Section, str, str]]:
    """(section, speaker, speech) of the speeches; a heading scraped as a speaker ("Questions
    and Answers:") switches the section, and "Call participants:" ends the speeches."""
    parts: list[tuple[Section, Any]] = [
        ("prepared", obj.get("prepared_remarks")),
        ("qa", obj.get("questions_and_answers", obj.get("q_and_a"))),
    ]
    said: list[tuple[Section, str, str]] = []
    for section, items in parts:
        for item in items if isinstance(items, list) else []:
            if not isinstance(item, dict):
                continue
            speaker = str(item.get("speaker") or "").strip()
            heading = section_marker(speaker) if speaker.endswith(":") else None
            if heading == "qa":
                section = "qa"
            elif heading is not None:
                break
            elif speaker and not _DURATION.match(speaker):
                said.append((section, speaker, str(item.get("speech") or "")))
    return said


def is_fool_json(obj: Any) -> bool:
    """True for a Motley Fool transcript as JSON: `prepared_remarks` and `q_and_a` (or
    `questions_and_answers`) lists of `{speaker, speech}`."""
    if not isinstance(obj, dict) or not isinstance(obj.get("prepared_remarks"), list):
        return False
    if not isinstance(obj.get("questions_and_answers", obj.get("q_and_a")), list):
        return False
    return any(speaker and speech for _, speaker, speech in _fool_turns(obj))


def _unglued(speaker: str, speech: str, names: list[str]) -> list[tuple[str, str]]:
    """A speech split where the next speaker's name is glued into it ("painful.Jane RoeRight.")."""
    if not names:
        return [(speaker, speech)]
    glued = re.compile(r"(?<=\S)(" + "|".join(map(re.escape, names)) + r")(?=[A-Z\"“‘'\[])")
    pieces: list[tuple[str, str]] = []
    at, who = 0, speaker
    for m in glued.finditer(speech):
        if m[1] == who:
            continue
        pieces.append((who, speech[at : m.start()]))
        at, who = m.end(), m[1]
    pieces.append((who, speech[at:]))
    return [(w, s) for w, s in pieces if s.strip()]


@parser
def parse_fool_json(
    obj: Any, *, url: str | None = None, account_id: str = "", now: datetime | None = None
) -> Source:
    """An earnings_call Source from a Motley Fool transcript as JSON (`header_texts`,
    `prepared_remarks`, `q_and_a`, `participants` as 'Name--Title' or 'Name--Firm -- Analyst')."""
    if not is_fool_json(obj):
        raise ParseError("not a Motley Fool transcript (no prepared_remarks and q_and_a lists)")
    roster: dict[str, Listing] = {}
    for entry in obj.get("participants") or []:
        parsed = split_label(str(entry).replace("--", " -- "))
        if parsed is not None:
            roster[parsed[0]] = listing(parsed, "any")
    said = _fool_turns(obj)
    names = sorted({who for _, who, _ in said} | set(roster), key=len, reverse=True)
    drafts: list[Draft] = []
    for section, who, speech in said:
        for name, words in _unglued(who, speech, [n for n in names if n.lower() != "operator"]):
            drafts.append(Draft(name, None, None, section, words.split("\n")))
    headings = {"contents", "prepared remarks", "questions & answers", "questions and answers",
                "call participants"}  # fmt: skip
    header = "\n".join(str(h) for h in obj.get("header_texts") or []
                       if str(h).strip().strip(":").lower() not in headings)  # fmt: skip
    return build_transcript_source(
        finish(drafts, roster),
        header,
        url or content_hash(json.dumps(obj, sort_keys=True)),
        url=url,
        account_id=account_id,
        now=now,
    )
