"""Who decides: one internal-layer claim naming the client's leaders, their roles, and who is
arriving or leaving, proved by the words that name them (a call's own roster line, a news
sentence, a speaker's label)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from agent.schemas import Claim, Evidence, Source, Stakeholder
from agent.synthesize.evidence import roster_lines

#: Most people the claim names, and most quotes it carries.
MAX_PEOPLE = 8
MAX_QUOTES = 6
_MOVES = {"new": "new", "departed": "leaving or gone"}


def leadership_claim(
    account_name: str, people: Sequence[Stakeholder], sources: Mapping[str, Source]
) -> Claim | None:
    """Who leads and who is changing, from the stakeholders public sources name; None when
    no source names anyone."""
    named = [p for p in people if p.evidence and any(e.source_id in sources for e in p.evidence)]
    named = sorted(named, key=lambda p: (p.status == "current", _rank(p.title), p.name))
    named = named[:MAX_PEOPLE]
    if not named:
        return None
    evidence: list[Evidence] = []
    for source in sources.values():
        for line in roster_lines(source, [p.name for p in named] + _short_names(named)):
            evidence.append(Evidence(source_id=source.id, quote=line))
    for person in named:
        evidence += [e for e in person.evidence[:1] if e.source_id in sources]
    unique = list({(e.source_id, e.quote): e for e in evidence}.values())[:MAX_QUOTES]
    lead = [_who(p) for p in named if p.status not in _MOVES]
    moving = [f"{_who(p)} ({_MOVES[p.status]})" for p in named if p.status in _MOVES]
    parts = []
    if lead:
        parts.append(f"Who leads and speaks for {account_name}: {'; '.join(lead)}.")
    if moving:
        parts.append(f"Changing: {'; '.join(moving)}.")
    return Claim(text=" ".join(parts), evidence=unique, kind="leadership")


#: Titles in the order a CSM reads who decides (chief executive first, investor relations last).
_RANKS = (
    r"\bceo\b|chief executive",
    r"\bchair",
    r"\bpresident\b",
    r"\bcfo\b|chief financial",
    r"\bcoo\b|chief operating",
    r"\bc[a-z]o\b|chief",
    r"vice president|\bvp\b|\bhead\b|director",
)


def _rank(title: str | None) -> int:
    """Where a title stands in `_RANKS` (untitled and investor relations last)."""
    if not title or re.search(r"investor relations|\bir\b", title, re.IGNORECASE):
        return len(_RANKS) + 1
    return next(
        (i for i, p in enumerate(_RANKS) if re.search(p, title, re.IGNORECASE)), len(_RANKS)
    )


def _who(person: Stakeholder) -> str:
    return f"{person.name}, {person.title}" if person.title else person.name


def _short_names(people: Sequence[Stakeholder]) -> list[str]:
    """First-and-last forms of names with a middle initial ("Timothy D. Cook" -> "Timothy
    Cook"), as a roster line may say them."""
    short = []
    for person in people:
        words = person.name.split()
        if len(words) > 2:
            short.append(f"{words[0]} {words[-1]}")
    return short
