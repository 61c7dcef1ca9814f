"""One signal per event: the findings of one source (or one job board, or one review set) and
type become one event, and the same event reported by several sources becomes one signal that
counts its independent origins.

A call's results, guidance or priorities are one event each, told in several sentences; a
person's departure is one event however many sentences and articles tell it; a syndicated or
copied story is one origin however many sites carry it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from agent.assess.aggregates import Found
from agent.assess.rules import GUIDANCE_RANK
from agent.schemas import SignalType

T = SignalType

#: Two reports of one event are merged when their dates are this close (when both are known).
SAME_EVENT = timedelta(days=30)
#: The same person's departure or appointment, reported weeks apart, is still one event.
SAME_PERSON = timedelta(days=120)
#: Types whose events are told apart by what they name (a vendor, a department, a rival).
BY_ENTITY = frozenset({T.tech_stack, T.hiring_surge, T.competitor_move, T.vendor_evaluation})
#: Types whose events are told apart by the person they name.
BY_PERSON = frozenset({T.executive_departure, T.executive_appointment})


def _person(f: Found) -> str | None:
    return f.hit.person.casefold() if f.hit.person else None


def _identity(f: Found) -> str | None:
    if f.hit.type in BY_PERSON:
        return _person(f)
    if f.hit.type in BY_ENTITY:
        return (f.hit.entity or "").casefold() or None
    return None


def group_findings(found: Sequence[Found]) -> list[Found]:
    """The findings of one group (a source, a board, a review set) and type as one event each,
    evidence ordered by how sure the classifier is; a person or a vendor is an event of its
    own."""
    groups: dict[tuple[object, ...], list[Found]] = {}
    singles: list[Found] = []
    for f in sorted(found, key=lambda f: -f.score):
        if f.group:
            groups.setdefault((f.group, f.hit.type, _identity(f)), []).append(f)
        else:
            singles.append(f)
    events = []
    for members in groups.values():
        # The finding that names the most tells the event; the surest quote comes first.
        lead = max(members, key=_specificity)
        event = Found(lead.hit, [], [], lead.merges_into, members[0].score, lead.group, {})
        for f in members:
            _absorb(event, f)
        event.evidence.sort(key=lambda e: -_scores(members).get((e.source_id, e.quote), 0.0))
        events.append(event)
    return [*events, *singles]


def _specificity(f: Found) -> tuple[int, int, float]:
    hit = f.hit
    direction = -GUIDANCE_RANK.get(str(hit.entity), 9) if hit.type is T.earnings_guidance else 0
    named = bool(hit.entity) + bool(hit.person) + len(hit.metrics)
    return direction, named, f.score


def _scores(members: list[Found]) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for f in members:
        for e in f.evidence:
            out[(e.source_id, e.quote)] = max(out.get((e.source_id, e.quote), 0.0), f.score)
    return out


def _same_event(a: Found, b: Found) -> bool:
    """Whether b reports the event a already holds."""
    kind = a.hit.type
    if b.hit.type is not kind and kind not in b.merges_into:
        return False
    window = SAME_EVENT
    if _person(a) and _person(b):
        if _person(a) != _person(b):
            return False
        window = SAME_PERSON
    elif kind is not T.earnings_guidance:
        ea, eb = (x.hit.entity.lower() if x.hit.entity else None for x in (a, b))
        if ea and eb and ea != eb:
            return False
    if not a.dates or not b.dates:
        return True
    return any(abs(x - y) <= window for x in a.dates for y in b.dates)


def merge_reports(found: Sequence[Found]) -> list[Found]:
    """One Found per event across sources: later reports of an event become evidence of the
    first, and the event counts the independent origins that told it."""
    ordered = sorted(
        found,
        key=lambda f: (bool(f.merges_into), f.hit.entity is None, f.hit.summary.startswith("Form")),
    )
    events: list[Found] = []
    for f in ordered:
        kinds = f.merges_into or (f.hit.type,)
        target = next(
            (e for kind in kinds for e in events if e.hit.type is kind and _same_event(e, f)),
            None,
        )
        if target is None:
            events.append(f)
        else:
            _absorb(target, f)
    for event in events:
        if event.origins:
            event.hit.metrics["origins"] = origins(event)
    return events


def origins(event: Found) -> int:
    """Independent origins of an event told by reports (news, pages, filings, calls): their
    publishers, where one that repeats a sentence another already told (a syndicated or copied
    story) is no origin of its own."""
    by_origin: dict[str, set[str]] = {}
    for e in event.evidence:
        if (origin := event.origins.get(e.source_id)) is not None:
            by_origin.setdefault(origin, set()).add(" ".join(e.quote.casefold().split()))
    seen: set[str] = set()
    count = 0
    for told in by_origin.values():
        count += not told & seen
        seen |= told
    return max(count, 1)


def _absorb(target: Found, f: Found) -> None:
    hit, other = target.hit, f.hit
    newer = bool(f.dates) and (not target.dates or max(f.dates) > max(target.dates))
    quotes = {(e.source_id, " ".join(e.quote.split())) for e in target.evidence}
    for e in f.evidence:
        if (e.source_id, " ".join(e.quote.split())) not in quotes:
            target.evidence.append(e)
    target.dates += f.dates
    target.origins.update(f.origins)
    stronger = False
    if hit.type is T.earnings_guidance and other.entity in GUIDANCE_RANK:
        mine, theirs = GUIDANCE_RANK.get(str(hit.entity), 9), GUIDANCE_RANK[str(other.entity)]
        # The strongest direction names the signal; of two alike, the newer statement.
        stronger = theirs < mine or (theirs == mine and newer)
    if stronger:
        target.hit, other = other, hit
        hit = target.hit
    hit.entity = hit.entity or other.entity
    hit.person = hit.person or other.person
    if other.precision > hit.precision and other.when:
        hit.when, hit.precision = other.when, other.precision
    if hit.person and other.entity and other.entity != other.person and hit.entity == hit.person:
        hit.entity = other.entity
