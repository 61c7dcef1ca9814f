"""Earnings-call transcripts (plain text in two layouts, Motley-Fool-style HTML) as Sources.

The stored text has one paragraph per turn, `Speaker Name (Title): words`, and the metadata
maps each turn to the character span of its words, so a quote can be traced to its speaker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from bs4 import Tag

from agent.errors import ParseError
from agent.schemas import Source, SourceKind
from tools.base import clean_text, content_hash, find_date, make_source, parse_html, to_utc

Role = Literal["operator", "executive", "analyst", "unknown"]
Section = Literal["prepared", "qa", "unknown"]


@dataclass(frozen=True)
class Turn:
    """One speaker turn: who spoke, in which part of the call, and the words."""

    speaker: str
    title: str | None
    role: Role
    section: Section
    text: str
    affiliation: str | None = None

    @property
    def label(self) -> str:
        """`Name (Title, Affiliation)` as written in the stored text."""
        extra = ", ".join(x for x in (self.title, self.affiliation) if x)
        return f"{self.speaker} ({extra})" if extra else self.speaker


_PREPARED = re.compile(r"^(prepared remarks|presentation|management discussion section)$", re.I)
_QA = re.compile(r"^(questions? (and|&) answers?( session| section)?|q ?& ?a( session)?)$", re.I)
_QA_ALT = re.compile(r"^question-and-answer session$", re.I)
_PARTICIPANTS = re.compile(
    r"^(call participants|company participants|conference call participants|"
    r"corporate participants|participants|executives|analysts)$",
    re.I,
)
_OTHER_HEADING = re.compile(r"^(contents|duration: .*|call participants.*)$", re.I)
_EXECUTIVE = re.compile(
    r"\b(chief|ceo|cfo|coo|cto|cio|cmo|president|vp|svp|evp|vice president|head|director|"
    r"investor relations|ir|treasurer|chair(man|woman)?|founder|officer|controller|"
    r"general counsel|secretary|executive)\b",
    re.I,
)
_ANALYST = re.compile(r"\banalyst\b", re.I)
_NAME_WORD = r"(?:[A-Z][\w'’.-]*|de|da|del|der|van|von|la|le|di|bin)"
_NAME = re.compile(rf"^{_NAME_WORD}(?: {_NAME_WORD}){{0,5}}$")
_DASHES = re.compile(r"\s+(?:--|—|–|-)\s+")
_INLINE = re.compile(r"^(?P<label>[^:\n]{2,90}?):\s+(?P<words>\S.*)$")
_UNIDENTIFIED = re.compile(r"^(unidentified|unknown) (analyst|speaker|participant|company "
                           r"representative|executive)$", re.I)  # fmt: skip
_QUARTER = re.compile(
    r"\b(?:(?P<q>Q[1-4])\s*(?:FY\s*)?(?P<y1>(?:19|20)\d{2})|"
    r"(?P<word>first|second|third|fourth)[- ]quarter(?: fiscal(?: year)?)?\s+"
    r"(?P<y2>(?:19|20)\d{2}))",
    re.I,
)
_ORDINAL = {"first": "Q1", "second": "Q2", "third": "Q3", "fourth": "Q4"}


def _section_marker(line: str) -> Section | Literal["participants"] | None:
    bare = line.strip().strip(":").strip().strip("*#= ").strip(":")
    if _PREPARED.match(bare):
        return "prepared"
    if _QA.match(bare) or _QA_ALT.match(bare):
        return "qa"
    if _PARTICIPANTS.match(bare):
        return "participants"
    return None


def _split_label(label: str) -> tuple[str, str | None, str | None] | None:
    """`Name`, `Name -- Title`, `Name - Company - Title`, `Name (Title)` → name, title, firm."""
    label = label.strip().strip("*").strip()
    if m := re.fullmatch(r"(.+?)\s*\((.+)\)", label):
        if re.fullmatch(r"[A-Za-z]+\s*:\s*[A-Z][A-Z.\-]*", m[2]):
            return None  # "Acme Group (NYSE: ACME)": a company and its ticker, not a speaker
        label = f"{m[1]} -- {m[2]}"
    parts = [p.strip() for p in _DASHES.split(label) if p.strip()]
    if not parts or len(parts) > 4 or not _NAME.match(parts[0]) or len(parts[0]) > 50:
        return None
    name, rest = parts[0], parts[1:]
    # a year marks a heading ("Acme - Q3 2026 Earnings Call"), never a job title
    if any(len(p) > 80 or p.endswith((".", "?", "!")) or re.search(r"\d{4}", p) for p in rest):
        return None
    if not rest:
        return name, None, None
    if len(rest) == 1:
        return name, rest[0], None
    role_like = [p for p in rest if _ANALYST.search(p) or _EXECUTIVE.search(p)]
    title = role_like[-1] if role_like else rest[-1]
    return name, title, " - ".join(p for p in rest if p != title) or None


def _role(name: str, title: str | None, firm: str | None, section: Section) -> Role:
    if name.lower() == "operator":
        return "operator"
    described = " ".join(x for x in (title, firm) if x)
    if _ANALYST.search(described) or re.search(r"analyst", name, re.I):
        return "analyst"
    if title and _EXECUTIVE.search(title):
        return "executive"
    if section == "qa" and described:
        # in Q&A a speaker named with only a firm is a sell-side analyst
        return "analyst"
    return "unknown"


@dataclass
class _Draft:
    speaker: str
    title: str | None
    firm: str | None
    section: Section
    lines: list[str]


def _is_label_line(
    line: str, nxt: str, known: set[str]
) -> tuple[str, str | None, str | None] | None:
    stripped = line.strip()
    if not stripped or len(stripped) > 120 or stripped.endswith((".", "?", ",")):
        return None
    parsed = _split_label(stripped)
    if parsed is None:
        return None
    name, title, _ = parsed
    if name.lower() == "operator" or _UNIDENTIFIED.match(name) or name in known:
        return parsed
    # a bare capitalized line is a heading, not a speaker, unless a title or known name marks it
    return parsed if title and nxt.strip() else None


def split_turns(text: str) -> list[Turn]:
    """The speaker turns of a plain-text transcript, in either label-line or inline layout."""
    lines = clean_text(text).split("\n")
    known: dict[str, tuple[str | None, str | None]] = {}
    drafts: list[_Draft] = []
    section: Section = "unknown"
    in_participants = False
    label_lines = sum(1 for ln in lines if _is_label_line(ln, "x", set()))
    inline_lines = sum(1 for ln in lines if _inline(ln))
    inline = inline_lines >= 2 and inline_lines > label_lines
    for i, line in enumerate(lines):
        marker = _section_marker(line) if len(line) < 60 else None
        if marker == "participants":
            in_participants = True
            continue
        if marker is not None:
            section, in_participants = marker, False
            continue
        nxt = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
        if in_participants:
            entry = _split_label(line) if line.strip() else None
            # a participant entry is followed by another entry, not by what they said
            listed = _split_label(nxt) is not None or _section_marker(nxt) is not None
            if entry is not None and entry[1] and (listed or not nxt):
                known[entry[0]] = (entry[1], entry[2])
                continue
            if line.strip():
                in_participants = False
            else:
                continue
        if inline and (m := _inline(line)):
            name, title, firm = m[0]
            drafts.append(_Draft(name, title, firm, section, [m[1]]))
            continue
        label = None if inline else _is_label_line(line, nxt, set(known))
        if label is not None:
            drafts.append(_Draft(label[0], label[1], label[2], section, []))
        elif drafts and line.strip() and not _OTHER_HEADING.match(line.strip()):
            drafts[-1].lines.append(line.strip())
    for d in drafts:
        if d.title and d.speaker not in known:
            known[d.speaker] = (d.title, d.firm)
    return _finish(drafts, known)


def _inline(line: str) -> tuple[tuple[str, str | None, str | None], str] | None:
    m = _INLINE.match(line.strip())
    # "Acme Group (NYSE: ACME)" is a header: its colon sits inside parentheses
    if not m or m["label"].count("(") != m["label"].count(")"):
        return None
    parsed = _split_label(m["label"])
    return (parsed, m["words"]) if parsed else None


def _finish(drafts: list[_Draft], known: dict[str, tuple[str | None, str | None]]) -> list[Turn]:
    merged: list[_Draft] = []
    for d in drafts:
        # some renderings repeat "Name:" on every paragraph of one turn
        prev = merged[-1] if merged else None
        if prev and prev.speaker == d.speaker and prev.section == d.section and d.lines:
            prev.lines.extend(d.lines)
        else:
            merged.append(d)
    turns = []
    for d in merged:
        title, firm = (d.title, d.firm) if d.title else known.get(d.speaker, (None, None))
        words = "\n".join(d.lines).strip()
        if words:
            role = _role(d.speaker, title, firm, d.section)
            turns.append(Turn(d.speaker, title, role, d.section, words, firm))
    if turns and all(t.section == "unknown" for t in turns):
        # no section markers: Q&A starts with the first analyst's question
        first_q = next((i for i, t in enumerate(turns) if t.role == "analyst"), None)
        if first_q is not None:
            turns = [
                replace(t, section="prepared" if i < first_q else "qa") for i, t in enumerate(turns)
            ]
    elif turns and any(t.section == "qa" for t in turns):
        first_qa = next(i for i, t in enumerate(turns) if t.section == "qa")
        turns = [replace(t, section="prepared") if t.section == "unknown" and i < first_qa
                 else t for i, t in enumerate(turns)]  # fmt: skip
    return turns


def looks_like_transcript(text: str) -> bool:
    """True when text reads as a call transcript rather than a note: several turns plus an
    operator, a section marker or a call header."""
    turns = split_turns(text)
    if len(turns) < 3 or len({t.speaker for t in turns}) < 2:
        return False
    head = text[:600].lower()
    has_marker = any(_section_marker(ln) for ln in text.split("\n") if len(ln) < 60)
    return (
        any(t.role == "operator" for t in turns)
        or has_marker
        or "earnings call" in head
        or "conference call" in head
    )


def _header_info(header: str) -> dict[str, str | None]:
    first = next((ln.strip("# ").strip() for ln in header.split("\n") if ln.strip()), "")
    quarter = None
    company = None
    if m := _QUARTER.search(header):
        q = m["q"].upper() if m["q"] else _ORDINAL[m["word"].lower()]
        quarter = f"{q} {m['y1'] or m['y2']}"
        lines = [ln for ln in header.split("\n") if ln.strip()]
        at = next((i for i, ln in enumerate(lines) if m.group(0) in ln), 0)
        before = lines[at][: lines[at].find(m.group(0))] if lines else ""
        if not before.strip(" #*-,:") and at > 0:
            before = lines[at - 1]  # "Acme, Inc. (NYSE: ACME)" on the line above "Q3 2026 ..."
        company = (
            re.sub(r"\(\s*(?:[A-Z]+:\s*)?[A-Z.]{1,6}\s*\)", "", before).strip(" #*-,:") or None
        )
    call_date = find_date(header)
    if quarter and re.search(r"earnings|conference call|results call", header, re.I):
        title = f"{quarter} earnings call"
    else:
        title = first or "Earnings call"
    return {
        "company": company,
        "quarter": quarter,
        "call_date": call_date.isoformat() if call_date else None,
        "title": title,
    }


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
    info = _header_info(header)
    parts: list[str] = []
    spans = []
    pos = 0
    for turn in turns:
        prefix = f"{turn.label}: "
        words = clean_text(turn.text)
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
    company = info["company"]
    title = info["title"] or "Earnings call"
    if company and company.lower() not in title.lower():
        title = f"{company} {title}"
    return make_source(
        SourceKind.earnings_call,
        identity,
        title=title,
        text="\n\n".join(parts),
        url=url,
        published_at=to_utc(info["call_date"]),
        metadata={
            "turns": spans,
            "company": company,
            "quarter": info["quarter"],
            "call_date": info["call_date"],
        },
        account_id=account_id,
        now=now,
    )


def parse_transcript(
    text: str, *, url: str | None = None, account_id: str = "", now: datetime | None = None
) -> Source:
    """An earnings_call Source from a plain-text transcript in either layout."""
    cleaned = clean_text(text)
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


def parse_fool_html(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> Source:
    """An earnings_call Source from a Motley-Fool-style transcript page (h2 sections, <strong>
    speaker paragraphs with an optional <em> descriptor)."""
    soup = parse_html(html)
    body = soup.select_one("section.article-body span.article-content") or soup.select_one(
        ".article-content"
    )
    if body is None:
        raise ParseError("no article-content block in transcript page")
    header_parts: list[str] = []
    drafts: list[_Draft] = []
    section: Section = "unknown"
    started = False
    for el in body.find_all(["h2", "p"]):
        if not isinstance(el, Tag):
            continue
        text = el.get_text(" ", strip=True)
        if el.name == "h2":
            started = True
            marker = _section_marker(text)
            section = marker if marker in ("prepared", "qa") else section
            if text.lower().startswith("call participants"):
                section = "unknown"
                drafts.append(_Draft("", None, None, section, []))  # stops the last turn
            continue
        if not started:
            header_parts.append(text)
            continue
        strong, em = el.find("strong"), el.find("em")
        if strong is not None and section in ("prepared", "qa"):
            name = strong.get_text(" ", strip=True)
            described = em.get_text(" ", strip=True) if em is not None else ""
            parsed = _split_label(f"{name} -- {described}" if described else name)
            if parsed is not None:
                drafts.append(_Draft(parsed[0], parsed[1], parsed[2], section, []))
                continue
        if drafts and drafts[-1].speaker and not text.lower().startswith("duration:"):
            drafts[-1].lines.append(text)
    known: dict[str, tuple[str | None, str | None]] = {
        d.speaker: (d.title, d.firm) for d in drafts if d.title
    }
    turns = _finish([d for d in drafts if d.speaker], known)
    return build_transcript_source(
        turns,
        "\n".join(header_parts),
        url or content_hash(html),
        url=url,
        account_id=account_id,
        now=now,
    )
