"""Speaker turns of a plain-text transcript, in any of the layouts publishers use.

- label lines: the speaker alone on a line (`Ravi Patel`, `Jane Roe -- CFO`, `Lena Fischer,
  CEO`, `Operator`), then the paragraphs they said;
- inline: `Name: words` (also `Name - Firm - Title: words`), one turn per line or paragraph;
- both in one document (a company PDF: label lines in prepared remarks, `Name: text` in Q&A);
- rosters (`Company Participants`, `Conference Call Participants`, `Call participants:`) with
  `Name - Title` / `Name - Firm` entries, whose titles and firms apply to the turns;
- section markers (`Prepared Remarks`, `Question-and-Answer Session`, ...);
- PDF extracts, made into paragraphs first (`tools/transcript_pages.py`).
Roles, titles and sections the layout does not state are read from the turns themselves
(`tools/transcript_roles.py`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from agent.assess.entities import lexicon
from tools.base import clean_text
from tools.transcript_names import CORE_TITLE, PARTICLES
from tools.transcript_pages import unpage
from tools.transcript_roles import OPERATOR, PLACEHOLDER, Role, Section, Turn, infer_roles

Roster = Literal["company", "analysts", "any"]

_PREPARED = re.compile(r"^(prepared remarks|presentation|management discussion section)$", re.I)
_QA = re.compile(
    r"^(questions? (and|&) answers?( session| section)?|q ?& ?a( session)?|"
    r"question-and-answer session)$",
    re.I,
)
_ROSTERS: list[tuple[re.Pattern[str], Roster]] = [
    (re.compile(r"^(company|corporate) participants|executives$", re.I), "company"),
    (re.compile(r"^conference call participants|analysts$", re.I), "analysts"),
    (re.compile(r"^(call )?participants$", re.I), "any"),
]
_OTHER_HEADING = re.compile(r"^(contents|duration: .*|call participants.*)$", re.I)
_ANALYST = re.compile(r"\banalyst\b", re.I)
_NAME_WORD = rf"(?:[A-Z][A-Za-z'’.\-]*|{'|'.join(sorted(PARTICLES))})"
_NAME = re.compile(rf"^{_NAME_WORD}(?: {_NAME_WORD}){{0,5}}$")
#: "Date: 2026-10-22" in a header is no speaker.
_HEADER_KEYS = lexicon(
    "date company quarter ticker time source title event location call subject url duration "
    "note contents symbol period fiscal year"
)
#: Words that end with a period without ending a sentence ("Stephens Inc.", "Securities L.P.").
_ABBREVIATIONS = lexicon("inc co corp ltd llc lp plc jr sr")
_DASHES = re.compile(r"\s+(?:--|—|–|-)\s+")
_INLINE = re.compile(r"^(?P<label>[^:\n]{2,90}?):(?:\s+(?P<words>\S.*))?$")


def _sentence(text: str) -> bool:
    if text.endswith(("?", "!")):
        return True
    last = text.rsplit(" ", 1)[-1].rstrip(".")
    is_abbreviation = last.lower().replace(".", "") in _ABBREVIATIONS or "." in last
    return text.endswith(".") and not is_abbreviation


def section_marker(line: str) -> Section | Roster | None:
    """The section (or roster) a heading line opens, or None for any other line."""
    bare = line.strip().strip(":").strip().strip("*#= ").strip(":")
    if _PREPARED.match(bare):
        return "prepared"
    if _QA.match(bare):
        return "qa"
    return next((kind for pattern, kind in _ROSTERS if pattern.match(bare)), None)


def split_label(label: str) -> tuple[str, str | None, str | None] | None:
    """`Name`, `Name -- Title`, `Name - Company - Title`, `Name (Title)`, `Name, Title` → name,
    title, firm; None when the text is no speaker label."""
    label = re.sub(r"\s+(?:--|-|—|–)$", "", label.strip().strip("*").strip())
    if m := re.fullmatch(r"(.+?)\s*\((.+)\)", label):
        if re.fullmatch(r"(?:[A-Za-z]+\s*:\s*)?[A-Z][A-Z.\-]{0,5}", m[2]):
            return None  # "Acme Group (NYSE: ACME)": a company and its ticker, not a speaker
        label = f"{m[1]} -- {m[2]}"
    parts = [p.strip() for p in _DASHES.split(label) if p.strip()]
    if len(parts) == 1 and ", " in label:
        name, _, title = label.partition(", ")
        # "Nora Quinn, VP, Investor Relations" (never "Acme, Inc." or a dateline)
        if CORE_TITLE.search(title) and not re.search(r"\d|[.?!]$", title):
            parts = [name, title]
    if not parts or len(parts) > 4 or not _NAME.match(parts[0]) or len(parts[0]) > 50:
        return None
    name, rest = parts[0], parts[1:]
    if name.lower() in _HEADER_KEYS:
        return None
    # a sentence is no descriptor, nor is a year: "Acme - Q3 2026 Earnings Call" is a heading
    # ("Wolfe Research. -- Analyst" is a firm, then a role: only the last part can be a sentence)
    if any(len(p) > 100 or re.search(r"\d{4}", p) for p in rest) or (rest and _sentence(rest[-1])):
        return None
    if not rest:
        return name, None, None
    if len(rest) == 1:
        return name, rest[0], None
    role_like = [p for p in rest if _ANALYST.search(p) or CORE_TITLE.search(p)]
    title = role_like[-1] if role_like else rest[-1]
    return name, title, " - ".join(p for p in rest if p != title) or None


def stated_role(name: str, title: str | None, firm: str | None, section: Section) -> Role:
    """The role a label states: operator, analyst (by the word or a firm in Q&A), executive
    (by a title), else unknown."""
    if OPERATOR.match(name):
        return "operator"
    described = " ".join(x for x in (title, firm) if x)
    if _ANALYST.search(described) or _ANALYST.search(name):
        return "analyst"
    if title and CORE_TITLE.search(title):
        return "executive"
    if section == "qa" and described:
        return "analyst"  # in Q&A a speaker named with only a firm is a sell-side analyst
    return "unknown"


@dataclass
class Listing:
    """A roster entry: what the participants list says of a person."""

    title: str | None
    firm: str | None
    role: Role


@dataclass
class Draft:
    """A turn being read: its label and the lines said so far."""

    speaker: str
    title: str | None
    firm: str | None
    section: Section
    lines: list[str] = field(default_factory=list)


def listing(entry: tuple[str, str | None, str | None], kind: Roster) -> Listing:
    """A roster entry read by the kind of roster it sits in (a firm alone in the analysts'
    roster is their firm, not a title)."""
    _, title, firm = entry
    if kind == "analysts" and title and not firm and not _ANALYST.search(title):
        title, firm = None, title
    role = stated_role(entry[0], title, firm, "qa" if kind == "analysts" else "unknown")
    return Listing(title, firm, "analyst" if kind == "analysts" else role)


def finish(drafts: list[Draft], roster: dict[str, Listing]) -> list[Turn]:
    """Turns from drafts: repeated labels merged, roster titles applied, roles inferred."""
    merged: list[Draft] = []
    for d in drafts:
        # some renderings repeat "Name:" on every paragraph of one turn
        prev = merged[-1] if merged else None
        if prev and prev.speaker == d.speaker and prev.section == d.section and d.lines:
            prev.lines.extend(d.lines)
            prev.title = prev.title or d.title
        else:
            merged.append(d)
    turns = []
    for d in merged:
        listed = roster.get(d.speaker)
        title, firm = d.title, d.firm
        if listed is not None and not title:
            title, firm = listed.title, listed.firm or firm
        words = "\n".join(d.lines).strip()
        if not words:
            continue
        role = stated_role(d.speaker, title, firm, d.section)
        if listed is not None and role == "unknown":
            role = listed.role
        turns.append(Turn(d.speaker, title, role, d.section, words, firm))
    return infer_roles(turns)


def _inline(line: str) -> tuple[tuple[str, str | None, str | None], str] | None:
    m = _INLINE.match(line.strip())
    # "Acme Group (NYSE: ACME)" is a header: its colon sits inside parentheses
    if not m or m["label"].count("(") != m["label"].count(")"):
        return None
    parsed = split_label(m["label"])
    return (parsed, m["words"] or "") if parsed else None


def _inline_speakers(lines: list[str], text: str) -> set[str]:
    """The `Name:` labels to read as speakers: all of them in an inline transcript; in a mixed
    one, those that recur, are the operator, or are named elsewhere in the document."""
    labels = Counter(p[0][0] for ln in lines if (p := _inline(ln)))
    inline_lines = sum(labels.values())
    label_lines = sum(1 for ln in lines if _label_line(ln, "x", set()))
    if inline_lines >= 2 and inline_lines > label_lines:
        return set(labels)
    return {n for n, count in labels.items()
            if count >= 2 or _bare(n) or text.count(n) > count}  # fmt: skip


def _label_line(line: str, nxt: str, known: set[str]) -> tuple[str, str | None, str | None] | None:
    stripped = line.strip()
    if not stripped or len(stripped) > 120 or stripped.endswith((".", "?", ",")):
        return None
    parsed = split_label(stripped)
    if parsed is None:
        return None
    name, title, _ = parsed
    if _bare(name) or name in known:
        return parsed
    # a bare capitalized line is a heading, not a speaker, unless a title or known name marks it
    return parsed if title and nxt.strip() else None


def _bare(name: str) -> bool:
    return OPERATOR.match(name) is not None or PLACEHOLDER.match(name) is not None


def _title_only(name: str, roster: dict[str, Listing]) -> bool:
    return name not in roster and CORE_TITLE.search(name) is not None


def _roster_line(
    line: str, nxt: str, kind: Roster, roster: dict[str, Listing], last: str | None
) -> tuple[bool, str | None]:
    """Read one line of a participants roster: whether it belonged to the roster, and the
    entry that a wrapped line (indented) would continue."""
    if not line.strip():
        return True, last
    entry = split_label(line)
    if entry is not None and PLACEHOLDER.match(entry[0]):
        return True, last  # "Unidentified Analyst -" listed without a firm
    # a participant entry is followed by another entry, not by what they said
    listed = split_label(nxt) is not None or section_marker(nxt) is not None
    if entry is not None and entry[1] and (listed or not nxt):
        roster[entry[0]] = listing(entry, kind)
        return True, entry[0]
    if line.startswith(" ") and last is not None:
        held = roster[last]  # " Co-Founder" goes on with the entry above
        if held.firm and not held.title:
            held.firm = f"{held.firm} {line.strip()}"
        else:
            held.title = f"{held.title} {line.strip()}"
        return True, last
    return False, last


def split_turns(text: str) -> list[Turn]:
    """The speaker turns of a plain-text transcript in any of its layouts, with roles, titles
    and sections as the document states or implies them."""
    lines = clean_text(unpage(text)).split("\n")
    roster: dict[str, Listing] = {}
    drafts: list[Draft] = []
    section: Section = "unknown"
    reading: Roster | None = None
    last_entry: str | None = None
    speakers = _inline_speakers(lines, "\n".join(lines))
    for i, line in enumerate(lines):
        marker = section_marker(line) if len(line) < 60 else None
        if marker == "company" or marker == "analysts" or marker == "any":
            reading = marker
            continue
        if marker is not None:
            section, reading = marker, None
            continue
        nxt = next((ln for ln in lines[i + 1 :] if ln.strip()), "")
        if reading is not None:
            taken, last_entry = _roster_line(line, nxt, reading, roster, last_entry)
            if taken:
                continue
            reading = None
        if (found := _inline(line)) and found[0][0] in speakers:
            (name, title, firm), words = found
            if drafts and not drafts[-1].lines and _title_only(name, roster):
                # "Jane Roe:" alone on a line, then "Chief Designer: words"
                drafts[-1].title = drafts[-1].title or name
                drafts[-1].lines.append(words)
            else:
                drafts.append(Draft(name, title, firm, section, [words] if words else []))
            continue
        label = _label_line(line, nxt, set(roster))
        if label is not None:
            drafts.append(Draft(label[0], label[1], label[2], section))
        elif drafts and line.strip() and not _OTHER_HEADING.match(line.strip()):
            drafts[-1].lines.append(line.strip())
    return finish(drafts, roster)
