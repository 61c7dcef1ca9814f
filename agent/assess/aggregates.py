"""Signals a kind of source reports as a whole, beyond its sentences.

`agent/assess/signals.py` reads every source sentence by sentence; these helpers add what only
a source's structure or a set of sources shows: an 8-K's item codes; on a job board, open
roles per department and location (hiring_surge), the vendors and tools the postings name
(tech_stack), the leadership roles it is hiring for, and the company boilerplate every posting
repeats (which is no event). Employee reviews speak together in `agent/assess/sentiment.py`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from agent.assess.people import APPOINTED, DEPARTED
from agent.assess.rules import Hit
from agent.schemas import Evidence, SignalType, Source, SourceKind
from knowledge.chunk import sentence_spans
from knowledge.taxonomy import vendor_categories

T = SignalType

#: A department (or location) with this many open roles is hiring at scale.
SURGE_ROLES = 5
#: Or, against the previous snapshot: at least this many roles and this much growth.
SURGE_MIN_ROLES, SURGE_GROWTH = 3, 1.5
#: A location is hiring at scale when it holds this share of a board's open roles too.
SURGE_LOCATION_SHARE = 0.2
#: A sentence in this share of a board's postings (and in two at least) is its boilerplate.
BOILERPLATE_SHARE = 0.3

#: An 8-K body this long that names no one coming or going reports no executive change.
ITEM_BODY_WORDS = 100
_ITEM_LINE = re.compile(r"^Item (\d\.\d\d)\b.*$", re.MULTILINE)
_HEADER_LINE = r"^{}: *(.+?) *$"
#: Posting titles that hire a leader: a new executive is coming.
LEADERSHIP_TITLE = re.compile(
    r"^(?:Head of|Chief|(?:Senior |Executive )?Vice President|S?VP\b|EVP\b|Director\b|"
    r"General Manager|Managing Director|President\b)|\b(?:Director|Head)$",
    re.IGNORECASE,
)


@dataclass
class Found:
    """A signal being assembled: the hit that opened it and the evidence gathered so far."""

    hit: Hit
    evidence: list[Evidence] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    merges_into: tuple[SignalType, ...] = ()
    #: How sure the classifier is (1.0 for structure: an 8-K item, a count of postings).
    score: float = 1.0
    #: What a finding is grouped within ("" for none): a source, a job board, a review set.
    group: str = ""
    #: Source id -> the publisher it came from, to count independent origins.
    origins: dict[str, str] = field(default_factory=dict)


def published_date(source: Source) -> date | None:
    """The day a source was published, if known."""
    return source.published_at.date() if source.published_at else None


def board_of(source: Source) -> str:
    """The job board a posting was listed on ("" when not known)."""
    return str(source.metadata.get("board") or source.metadata.get("provider") or "")


def job_snapshot(sources: Sequence[Source]) -> dict[str, int]:
    """Open roles per department across job_posting sources ("Other" when none is given)."""
    counts: Counter[str] = Counter(
        str(s.metadata.get("department") or "Other")
        for s in sources
        if s.kind is SourceKind.job_posting
    )
    return dict(sorted(counts.items()))


def filing_items(source: Source) -> list[Found]:
    """Signals an 8-K's item codes report by themselves, quoting the item line."""
    items = [str(x) for x in source.metadata.get("items") or []]
    lines = {m[1]: m[0] for m in _ITEM_LINE.finditer(source.text)}
    report = source.metadata.get("report_date") or None
    when = date.fromisoformat(report) if report else published_date(source)
    body = _ITEM_LINE.sub("", source.text)
    found = []
    for code in items:
        quote = lines.get(code)
        if quote is None:
            continue
        label = f"Form {source.metadata.get('form') or '8-K'} Item {code}"
        hit: Hit | None = None
        merges: tuple[SignalType, ...] = ()
        if code == "5.02":
            if len(body.split()) >= ITEM_BODY_WORDS and not (
                APPOINTED.search(body) or DEPARTED.search(body)
            ):
                continue  # compensatory arrangements only: no one comes or goes
            appointment = APPOINTED.search(body) and not DEPARTED.search(body)
            kind = T.executive_appointment if appointment else T.executive_departure
            hit = Hit(kind, f"{label}: a director or officer departs or is appointed")
        elif code == "2.05":
            hit = Hit(T.layoffs, f"{label}: exit or disposal costs (restructuring)")
        elif code == "2.01":
            hit = Hit(T.acquisition, f"{label}: completed an acquisition or disposition")
        elif code == "1.01":
            hit = Hit(T.partnership, f"{label}: entered a material definitive agreement")
            merges = (T.acquisition, T.partnership)
        elif code == "2.02":
            hit = Hit(T.financial_results, f"{label}: reported results of operations")
        if hit is not None:
            hit.when, hit.precision = when, 2
            evidence = Evidence(source_id=source.id, quote=quote)
            found.append(Found(hit, [evidence], [when] if when else [], merges))
    return found


def repeated_sentences(sources: Sequence[Source]) -> set[str]:
    """Sentences (whitespace folded) a board repeats across its postings: the company's
    boilerplate (who we are, benefits, customers), not what one role says."""
    boards: dict[str, list[Source]] = {}
    for s in sources:
        if s.kind is SourceKind.job_posting:
            boards.setdefault(board_of(s), []).append(s)
    repeated: set[str] = set()
    for postings in boards.values():
        counts: Counter[str] = Counter()
        for posting in postings:
            counts.update(
                {" ".join(posting.text[a:b].split()) for a, b in sentence_spans(posting.text)}
            )
        floor = max(2, BOILERPLATE_SHARE * len(postings))
        repeated |= {text for text, n in counts.items() if n >= floor}
    return repeated


def _header(source: Source, name: str) -> tuple[str, str] | None:
    """A posting's header line ("Department: Sales") and its value, quoted exactly."""
    m = re.search(_HEADER_LINE.format(name), source.text, re.MULTILINE)
    return (m[0].strip(), m[1]) if m else None


def _title_quote(source: Source, line: str | None = None) -> str:
    """The posting's title, with its header line when they stand together."""
    text = source.text
    title = source.title if source.title and text.startswith(source.title) else None
    if title is None:
        start, end = sentence_spans(text)[0]
        title = text[start:end]
    if line and (at := text.find(line)) >= 0 and not text[len(title) : at].strip("\n "):
        return text[: at + len(line)]
    return line or title


def hiring_surge(sources: Sequence[Source], previous: Mapping[str, int] | None) -> list[Found]:
    """Departments (and locations) with many open roles, or many more than in the previous
    snapshot, quoting each posting's title and the line that places it there."""
    postings = [s for s in sources if s.kind is SourceKind.job_posting]
    now = job_snapshot(postings)
    found = []
    for department, count in now.items():
        before = (previous or {}).get(department, 0)
        grew = previous is not None and count >= SURGE_MIN_ROLES and count >= before * SURGE_GROWTH
        if count < SURGE_ROLES and not (grew and count > before):
            continue
        mine = [s for s in postings if str(s.metadata.get("department") or "Other") == department]
        summary = f"{count} open roles in {department}"
        if previous is not None:
            summary += f" (was {before})"
        metrics: dict[str, float | int | str] = {"open_roles": count, "previous_roles": before}
        found.append(_surge(mine, summary, department, metrics, "Department"))
    found += _location_surges(postings, {f.hit.entity for f in found})
    return found


def _location_surges(postings: list[Source], departments: set[str | None]) -> list[Found]:
    by_place: dict[str, list[Source]] = {}
    for s in postings:
        if place := s.metadata.get("location"):
            by_place.setdefault(str(place), []).append(s)
    found = []
    for place, mine in by_place.items():
        count = len(mine)
        if (
            count < SURGE_ROLES
            or count < SURGE_LOCATION_SHARE * len(postings)
            or place in departments
        ):
            continue
        metrics: dict[str, float | int | str] = {"open_roles": count, "location": place}
        found.append(_surge(mine, f"{count} open roles in {place}", place, metrics, "Location"))
    return found


def _surge(
    mine: list[Source], summary: str, entity: str, metrics: dict[str, float | int | str], line: str
) -> Found:
    mine = sorted(mine, key=lambda s: s.published_at or datetime.min, reverse=True)
    hit = Hit(T.hiring_surge, summary, entity=entity)
    hit.metrics = metrics
    dates = [d for s in mine if (d := published_date(s))]
    hit.when = max(dates) if dates else None
    evidence = []
    for s in mine:
        header = _header(s, line)
        evidence.append(
            Evidence(source_id=s.id, quote=_title_quote(s, header[0] if header else None))
        )
    return Found(hit, evidence, dates[:1])


def leadership_roles(sources: Sequence[Source]) -> list[Found]:
    """Leadership roles a board is hiring for (Head of, VP, Director, Chief): a new leader is
    coming, one signal per board quoting each role's title."""
    boards: dict[str, list[Source]] = {}
    for s in sources:
        if s.kind is SourceKind.job_posting and LEADERSHIP_TITLE.search(s.title.strip()):
            boards.setdefault(board_of(s), []).append(s)
    found = []
    for roles in boards.values():
        roles.sort(key=lambda s: s.published_at or datetime.min, reverse=True)
        titles = list(dict.fromkeys(" ".join(s.title.split()) for s in roles))
        hit = Hit(T.executive_appointment, "Hiring leaders: " + "; ".join(titles[:6]),
                  entity="open leadership roles")  # fmt: skip
        hit.metrics = {"open_leadership_roles": len(titles)}
        dates = [d for s in roles if (d := published_date(s))]
        hit.when = max(dates) if dates else None
        evidence = [Evidence(source_id=s.id, quote=_title_quote(s)) for s in roles]
        found.append(Found(hit, evidence, dates[:1], score=1.0))
    return found


def tech_summary(event: Found) -> None:
    """Name a grouped tech_stack event by its vendor and the postings that name it, quoting
    the most telling sentence of each posting first, then the others that name it (a duty
    that runs the tool says as much as the requirement that lists it)."""
    seen: set[str] = set()
    first: list[Evidence] = []
    rest: list[Evidence] = []
    for e in event.evidence:
        (rest if e.source_id in seen else first).append(e)
        seen.add(e.source_id)
    event.evidence = first + rest
    vendor = event.hit.entity or "a tool"
    category = vendor_categories().get(vendor)
    n = len(first)
    named = f"{vendor} ({category})" if category else vendor
    event.hit.summary = f"{named} named in {n} job posting{'s' * (n != 1)}"
    event.hit.metrics = {"postings": n, **({"category": category} if category else {})}
    if event.dates:
        event.hit.when = max(event.dates)
