"""The people a briefing names: executives who speak on calls and leaders in the news.

Names, titles and whether a person arrives or leaves are read by `agent/assess/people.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from agent.assess.people import named_people
from agent.crm import Contact
from agent.schemas import Evidence, Source, SourceKind, Stakeholder, StakeholderStatus
from agent.validate import quote_found
from knowledge.chunk import sentence_spans
from knowledge.store import as_utc

#: Kinds whose sentences name the client's leaders with their titles.
_NAMING_KINDS = {SourceKind.news, SourceKind.filing, SourceKind.web_page, SourceKind.earnings_call}


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
            for person in named_people(sentence):
                evidence = Evidence(source_id=source.id, quote=sentence)
                _add(people, person.name, person.title, person.status, evidence)
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
