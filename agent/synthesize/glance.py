"""At a glance, on one screen above the layers: the client's top three priorities in its own
words, its key numbers, what changed, and the three questions to ask."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime

from agent.assess.stakeholders import leadership_changes
from agent.schemas import AtAGlance, Claim, Layers, Signal, Source, Stakeholder
from agent.synthesize.evidence import Candidate
from agent.synthesize.extractive import claim_of, same_fact
from agent.synthesize.figures import key_numbers
from agent.synthesize.salience import MONEY, PERCENT, statement_kind
from agent.validate import clip

#: Kinds of fact that state where the client is going.
PRIORITY_KINDS = ("priorities", "bets")
#: A guidance sentence that says it moved.
_REVISED = re.compile(
    r"\b(?:rais(?:e|es|ed|ing)|lower(?:s|ed|ing)?|narrow(?:s|ed|ing)?|cut|withdr[ae]w\w*"
    r"|reaffirm\w*|affirm\w*|up from|down from|previous(?:ly)?|prior (?:range|estimate|guidance)"
    r"|not providing)\b",
    re.IGNORECASE,
)
_MOVES = {"new": "is new", "departed": "is leaving or has left"}
MAX_CHANGES = 4


def at_a_glance(
    candidates: Sequence[Candidate],
    layers: Layers,
    stakeholders: Sequence[Stakeholder],
    signals: Sequence[Signal],
    sources: Mapping[str, Source],
    as_of: datetime,
    discovery: Sequence[str] = (),
) -> AtAGlance:
    """The one-screen summary of a brief, from the same evidence as its layers; `discovery`
    are the questions to fall back on (the focus layer's first)."""
    priorities = top_priorities(candidates)
    changes = _changes(candidates, stakeholders, signals, sources, as_of)
    return AtAGlance(
        priorities=[claim_of(c) for c in priorities],
        key_numbers=key_numbers(candidates),
        changes=[claim for claim, _ in changes],
        questions=_questions(priorities, changes, layers, discovery),
    )


def top_priorities(candidates: Sequence[Candidate], limit: int = 3) -> list[Candidate]:
    """The client's most salient public statements of a priority or plan, one per fact."""
    ranked = sorted(
        (
            c
            for c in candidates
            if c.kind in PRIORITY_KINDS
            and not c.source.internal
            and statement_kind(c.text) in ("priority", "plan")
        ),
        key=lambda c: (-c.salience, c.key),
    )
    chosen: list[Candidate] = []
    for candidate in ranked:
        if len(chosen) < limit and not any(same_fact(candidate, c) for c in chosen):
            chosen.append(candidate)
    return chosen


def _changes(
    candidates: Sequence[Candidate],
    stakeholders: Sequence[Stakeholder],
    signals: Sequence[Signal],
    sources: Mapping[str, Source],
    as_of: datetime,
) -> list[tuple[Claim, str]]:
    """Guidance revised, leaders arriving or leaving, and the most severe other signals, each
    with the question it raises."""
    found: list[tuple[Claim, str]] = []
    revised = [c for c in candidates if not c.source.internal and _revises_guidance(c.text)]
    for candidate in sorted(revised, key=lambda c: (-c.salience, c.key))[:1]:
        claim = claim_of(candidate).model_copy(update={"text": f"Guidance: {candidate.text}"})
        found.append((claim, "What is behind the change in your outlook, and which projects "
                      "does it put at risk or make more urgent?"))  # fmt: skip
    names = []
    for person in leadership_changes(stakeholders, sources, as_of)[:2]:
        proof = [e for e in person.evidence if e.source_id in sources][:1]
        if not proof:
            continue
        title = f" ({person.title})" if person.title else ""
        names.append(person.name)
        role = person.title or "this role"
        question = (
            f"With {person.name} arriving as {role}, what will change in priorities and in who "
            "signs off on investments like ours?"
            if person.status == "new"
            else f"Who takes over {person.name}'s responsibilities ({role}), and what happens "
            "to the projects they sponsored?"
        )
        found.append((Claim(text=f"{person.name}{title} {_MOVES[person.status]}.",
                            evidence=proof), question))  # fmt: skip
    quoted = {e.quote for claim, _ in found for e in claim.evidence}
    for signal in signals:
        if len(found) >= MAX_CHANGES:
            break
        proof = [e for e in signal.evidence if e.source_id in sources and e.quote not in quoted]
        about = signal.summary + " " + (signal.entity or "")
        if signal.severity not in ("red", "yellow") or not proof or _names_any(about, names):
            continue
        kind = signal.type.value.replace("_", " ")
        said = signal.summary
        text = said if said.casefold().startswith(kind) else f"{kind.capitalize()}: {said}"
        claim = Claim(text=text, evidence=proof[:1])
        found.append((claim, f"How does this affect what you need from us: {kind}?"))
        quoted |= {e.quote for e in proof[:1]}
    return found[:MAX_CHANGES]


def _revises_guidance(text: str) -> bool:
    """A sentence that states a figure for the outlook and says it moved (or was withdrawn)."""
    outlook = re.search(r"\b(?:guidance|outlook|forecast|we (?:now )?expect|range)\b", text, re.I)
    figure = MONEY.search(text) or PERCENT.search(text) or re.search(r"not providing", text, re.I)
    return bool(outlook and figure and _REVISED.search(text))


def _names_any(text: str, names: Sequence[str]) -> bool:
    return any(name.casefold() in text.casefold() for name in names)


def _questions(
    priorities: Sequence[Candidate],
    changes: Sequence[tuple[Claim, str]],
    layers: Layers,
    discovery: Sequence[str],
) -> list[str]:
    """Three questions: on their top priority, on what changed, and on what is unknown."""
    asked: list[str] = []
    if priorities:
        asked.append(
            f"You said “{clip(priorities[0].text, 110)}” What would it take to get there, "
            "and what stands in the way?"
        )
    asked += [question for _, question in changes[:1]]
    pool = [q for _, layer in layers.items() for q in layer.questions[:1]] + list(discovery)
    for question in pool:
        if len(asked) >= 3:
            break
        if question not in asked:
            asked.append(question)
    return asked[:3]
