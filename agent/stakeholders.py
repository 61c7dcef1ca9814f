"""The people a briefing names: executives who speak on calls and leaders in the news."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from agent.schemas import Evidence, Source, SourceKind, Stakeholder
from agent.synthesize.evidence import Candidate
from agent.validate import quote_found

_NAME = r"(?P<name>[A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-zA-Z'-]+){1,2})"
_TITLE = (
    r"(?P<title>(?:[Cc]hief [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)? [Oo]fficer|CEO|CFO|CTO|COO|CIO|CMO"
    r"|[Pp]resident|(?:[Ss]enior |[Ee]xecutive )?[Vv]ice [Pp]resident(?: of [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)?)?"
    r"|[Hh]ead of [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)?|[Gg]eneral [Cc]ounsel))"
)
_PATTERNS = [
    re.compile(_NAME + r", (?:the company's |its |our )?(?:new |former |interim )?" + _TITLE),
    re.compile(r"(?:named|appointed|hired|promoted) " + _NAME + r" (?:as|to be|to) (?:its |the )?(?:new )?" + _TITLE),
    re.compile(_TITLE + r" " + _NAME),
]
_DEPARTED = re.compile(
    r"\b(step(?:s|ped)? down|resign(?:s|ed)?|depart(?:s|ed|ure)?|leav(?:e|es|ing)|left the company|exit(?:s|ed)?)\b",
    re.IGNORECASE,
)
_NEW = re.compile(r"\b(appointed|named|hired|joins|joined|promoted|new)\b", re.IGNORECASE)


def find_stakeholders(sources: Iterable[Source], candidates: Sequence[Candidate]) -> list[Stakeholder]:
    """Executives from call transcripts and leaders named in retrieved sentences, once each."""
    people: dict[str, Stakeholder] = {}
    for source in sources:
        if source.kind is SourceKind.earnings_call:
            _from_transcript(source, people)
    for candidate in sorted(candidates, key=lambda c: -(c.recency)):
        for pattern in _PATTERNS:
            for match in pattern.finditer(candidate.text):
                _add(people, match.group("name"), match.group("title"), _status(candidate.text, match),
                     Evidence(source_id=candidate.source.id, quote=candidate.text))
    return sorted(people.values(), key=lambda p: (p.status != "departed", p.status != "new", p.name))


def _from_transcript(source: Source, people: dict[str, Stakeholder]) -> None:
    for turn in source.metadata.get("turns", []):
        name, title = turn.get("speaker"), turn.get("title")
        if turn.get("role") != "executive" or not name:
            continue
        label = f"{name} ({title})" if title else name
        if not quote_found(label, source.text):
            continue
        _add(people, name, title, "current", Evidence(source_id=source.id, quote=label))


def _add(people: dict[str, Stakeholder], name: str, title: str | None, status: str, evidence: Evidence) -> None:
    key = name.casefold()
    known = people.get(key)
    if known is None:
        people[key] = Stakeholder(name=name, title=title, status=status, evidence=[evidence])  # type: ignore[arg-type]
        return
    if evidence not in known.evidence and len(known.evidence) < 3:
        known.evidence.append(evidence)
    if known.status == "current" and status != "current":
        known.status = status  # type: ignore[assignment]
    if not known.title and title:
        known.title = title


def _status(sentence: str, match: re.Match[str]) -> str:
    """Read the verbs next to the name only, so a sentence about a departure and a successor
    marks each person right."""
    after = sentence[match.end() : match.end() + 60].split(";")[0]
    before = sentence[max(0, match.start() - 40) : match.start()]
    if _DEPARTED.search(after) or re.search(r"\bsucceed(?:s|ing)?\s*$", before):
        return "departed"
    if _NEW.search(before + match.group(0)) or re.search(r"\b(?:will )?join", after):
        return "new"
    return "current"
