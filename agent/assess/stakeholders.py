"""The people a briefing names: executives who speak on calls and leaders in the news."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from agent.crm import Contact
from agent.schemas import Evidence, Source, SourceKind, Stakeholder, StakeholderStatus
from agent.validate import quote_found
from knowledge.chunk import sentence_spans
from knowledge.store import as_utc

_NAME = r"(?P<name>[A-Z][a-z]+(?: [A-Z]\.)?(?: [A-Z][a-zA-Z'-]+){1,2})"
_TITLE = (
    r"(?P<title>(?:[Cc]hief [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)? [Oo]fficer|CEO|CFO|CTO|COO|CIO|CMO"
    r"|[Pp]resident|(?:[Ss]enior |[Ee]xecutive )?[Vv]ice [Pp]resident"
    r"(?: of [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)?)?"
    r"|[Hh]ead of [A-Z]?[a-z]+(?: [A-Z]?[a-z]+)?|[Gg]eneral [Cc]ounsel))"
)
_PATTERNS = [
    re.compile(_NAME + r", (?:the company's |its |our )?(?:new |former |interim )?" + _TITLE),
    re.compile(
        r"(?:named|appointed|hired|promoted) " + _NAME + r" (?:as|to be|to) (?:its |the |our )?"
        r"(?:new |first |next |permanent |interim )?" + _TITLE
    ),
    re.compile(_TITLE + r" " + _NAME),
]
_DEPARTED = re.compile(
    r"\b(step(?:s|ped)? down|resign(?:s|ed)?|depart(?:s|ed|ure)?|leav(?:e|es|ing)|left the company"
    r"|exit(?:s|ed)?|retir(?:e|es|ed|ing|ement))\b",
    re.IGNORECASE,
)
_NEW = re.compile(r"\b(appointed|named|hired|joins|joined|promoted|new)\b", re.IGNORECASE)


#: Kinds whose sentences name the client's leaders with their titles.
_NAMING_KINDS = {SourceKind.news, SourceKind.filing, SourceKind.web_page, SourceKind.earnings_call}
#: Capitalized words that start a sentence or headline but are no part of a name.
_NOT_NAMES = {"Welcoming", "Welcome", "Meet", "Today", "Please", "Former", "New", "Interim", "Dear"}


def find_stakeholders(sources: Iterable[Source]) -> list[Stakeholder]:
    """Executives who speak on calls and leaders named with a title in public sources."""
    people: dict[str, Stakeholder] = {}
    ordered = sorted(sources, key=lambda s: s.published_at.timestamp() if s.published_at else 0.0)
    for source in ordered:
        if source.kind is SourceKind.earnings_call:
            _from_transcript(source, people)
        if source.kind not in _NAMING_KINDS:
            continue
        for start, end in sentence_spans(source.text):
            sentence = source.text[start:end]
            for pattern in _PATTERNS:
                for match in pattern.finditer(sentence):
                    evidence = Evidence(source_id=source.id, quote=sentence)
                    _add(
                        people,
                        _name(match.group("name")),
                        match.group("title"),
                        _status(sentence, match),
                        evidence,
                    )
    return sorted(
        people.values(), key=lambda p: (p.status != "departed", p.status != "new", p.name)
    )


def leadership_changes(
    people: Iterable[Stakeholder],
    sources: Mapping[str, Source],
    as_of: datetime,
    within_days: int = 180,
) -> list[Stakeholder]:
    """People who arrived or left, as reported by a source of the last `within_days` days."""
    changed = []
    for person in people:
        if person.status not in ("new", "departed"):
            continue
        dates = [
            sources[e.source_id].published_at
            for e in person.evidence
            if e.source_id in sources and sources[e.source_id].published_at is not None
        ]
        if any(as_of - as_utc(d) <= timedelta(days=within_days) for d in dates if d):
            changed.append(person)
    return changed


def _name(raw: str) -> str:
    words = raw.split()
    while len(words) > 2 and words[0] in _NOT_NAMES:
        words = words[1:]
    return " ".join(words)


def _from_transcript(source: Source, people: dict[str, Stakeholder]) -> None:
    for turn in source.metadata.get("turns", []):
        name, title = turn.get("speaker"), turn.get("title")
        if turn.get("role") != "executive" or not name:
            continue
        label = f"{name} ({title})" if title else name
        if not quote_found(label, source.text):
            continue
        _add(people, name, title, "current", Evidence(source_id=source.id, quote=label))


def _add(
    people: dict[str, Stakeholder],
    name: str,
    title: str | None,
    status: StakeholderStatus,
    evidence: Evidence,
) -> None:
    key = name.casefold()
    known = people.get(key)
    if known is None:
        people[key] = Stakeholder(name=name, title=title, status=status, evidence=[evidence])
        return
    if evidence not in known.evidence and len(known.evidence) < 3:
        known.evidence.append(evidence)
    if status != "current":
        # Sources come oldest first, so the latest news of a person decides.
        known.status = status
    if not known.title and title:
        known.title = title


def _status(sentence: str, match: re.Match[str]) -> StakeholderStatus:
    """Read the verbs next to the name only, so a sentence about a departure and a successor
    marks each person right."""
    after = sentence[match.end() : match.end() + 60].split(";")[0]
    before = sentence[max(0, match.start() - 40) : match.start()]
    if _DEPARTED.search(after) or re.search(r"\bsucceed(?:s|ing)?\s*$", before):
        return "departed"
    if _NEW.search(before + match.group(0)) or re.search(r"\b(?:will )?join", after):
        return "new"
    return "current"


def merge_contacts(public: Sequence[Stakeholder], contacts: Sequence[Contact]) -> list[Stakeholder]:
    """The stakeholder map: CRM contacts with their buying roles, joined with what public
    sources say of the same people (a public departure or arrival wins)."""
    people = {p.name.casefold(): p.model_copy(deep=True) for p in public}
    for contact in contacts:
        key = contact.name.casefold()
        status: StakeholderStatus = "departed" if contact.status == "departed" else "current"
        known = people.get(key)
        if known is None:
            people[key] = Stakeholder(
                name=contact.name, title=contact.title, role=contact.role, status=status
            )
            continue
        known.role = contact.role
        known.title = known.title or contact.title
        if status == "departed":
            known.status = "departed"
    order = {"departed": 0, "new": 1, "current": 2, "unknown": 3}
    return sorted(people.values(), key=lambda p: (order[p.status], p.role is None, p.name))
