"""Signals a kind of source reports as a whole, beyond its sentences.

`agent/assess/signals.py` reads every source sentence by sentence; these helpers add what only a
source's structure or a set of sources shows: an 8-K's item codes, open roles per department
in job postings (hiring_surge) and the vendors they name (tech_stack), and a falling rating
across employee reviews (employee_sentiment).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from agent.assess.entities import vendors_in
from agent.assess.rules import Hit
from agent.schemas import Evidence, SignalType, Source, SourceKind
from knowledge.chunk import sentence_spans
from knowledge.taxonomy import vendor_categories
from tools.review_stats import rating_trend, themes

T = SignalType

#: A department with this many open roles is hiring at scale.
SURGE_ROLES = 5
#: Or, against the previous snapshot: at least this many roles and this much growth.
SURGE_MIN_ROLES, SURGE_GROWTH = 3, 1.5
#: A review quarter this far below the earlier average is a drop in sentiment.
SENTIMENT_DROP = 0.5

_ITEM_LINE = re.compile(r"^Item (\d\.\d\d)\b.*$", re.MULTILINE)
_APPOINT = re.compile(r"\b(?:appoint|named|elected|hired)\w*", re.IGNORECASE)
_DEPART = re.compile(r"\b(?:resign|retire|step\w* down|depart|terminat|leave)\w*", re.IGNORECASE)


@dataclass
class Found:
    """A signal being assembled: the hit that opened it and the evidence gathered so far."""

    hit: Hit
    evidence: list[Evidence] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    merges_into: tuple[SignalType, ...] = ()


def published_date(source: Source) -> date | None:
    """The day a source was published, if known."""
    return source.published_at.date() if source.published_at else None


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
            appointment = _APPOINT.search(body) and not _DEPART.search(body)
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


def hiring_surge(sources: Sequence[Source], previous: Mapping[str, int] | None) -> list[Found]:
    """Departments with many open roles, or many more than in the previous snapshot."""
    postings = [s for s in sources if s.kind is SourceKind.job_posting]
    now = job_snapshot(postings)
    found = []
    for department, count in now.items():
        before = (previous or {}).get(department, 0)
        grew = previous is not None and count >= SURGE_MIN_ROLES and count >= before * SURGE_GROWTH
        if count < SURGE_ROLES and not (grew and count > before):
            continue
        mine = [s for s in postings if str(s.metadata.get("department") or "Other") == department]
        mine.sort(key=lambda s: s.published_at or datetime.min, reverse=True)
        summary = f"{count} open roles in {department}"
        if previous is not None:
            summary += f" (was {before})"
        hit = Hit(T.hiring_surge, summary, entity=department)
        hit.metrics = {"open_roles": count, "previous_roles": before}
        dates = [d for s in mine if (d := published_date(s))]
        hit.when = max(dates) if dates else None
        evidence = [Evidence(source_id=s.id, quote=_title_quote(s)) for s in mine]
        found.append(Found(hit, evidence, dates[:1]))
    return found


def _title_quote(source: Source) -> str:
    if source.title and source.text.startswith(source.title):
        return source.title
    start, end = sentence_spans(source.text)[0]
    return source.text[start:end]


def tech_stack(sources: Sequence[Source]) -> list[Found]:
    """One signal per vendor named in the job postings, quoting one sentence per posting."""
    by_vendor: dict[str, list[tuple[Source, str]]] = {}
    for source in sources:
        if source.kind is not SourceKind.job_posting:
            continue
        seen: set[str] = set()
        for start, end in sentence_spans(source.text):
            sentence = source.text[start:end]
            for vendor in vendors_in(sentence):
                if vendor not in seen:
                    seen.add(vendor)
                    by_vendor.setdefault(vendor, []).append((source, sentence))
    found = []
    categories = vendor_categories()
    for vendor, mentions in by_vendor.items():
        dates = [d for s, _ in mentions if (d := published_date(s))]
        n = len(mentions)
        summary = f"{vendor} ({categories[vendor]}) named in {n} job posting{'s' * (n != 1)}"
        hit = Hit(T.tech_stack, summary, entity=vendor, when=max(dates) if dates else None)
        hit.metrics = {"postings": n, "category": categories[vendor]}
        evidence = [Evidence(source_id=s.id, quote=q) for s, q in mentions]
        found.append(Found(hit, evidence, []))
    return found


def employee_sentiment(sources: Sequence[Source], today: date) -> list[Found]:
    """A falling review rating: the latest quarter well below the earlier reviews."""
    reviews = [s for s in sources if s.kind is SourceKind.employee_review]
    trend = rating_trend(reviews)
    if len(trend) < 2:
        return []
    latest = trend[-1]
    earlier_total = sum(q.average * q.count for q in trend[:-1])
    earlier = earlier_total / sum(q.count for q in trend[:-1])
    if earlier - latest.average < SENTIMENT_DROP:
        return []
    recent = [
        s
        for s in reviews
        if s.published_at is not None and _quarter(s.published_at.date()) == latest.quarter
    ]
    unhappy = [s for s in reviews if float(s.metadata.get("rating", 5)) <= 3]
    recurring = [t for t, _ in themes(unhappy, sections=("Cons",))]
    summary = (
        f"Employee rating fell to {latest.average:.1f} in {latest.quarter} "
        f"from {earlier:.1f} before"
    )
    if recurring:
        summary += "; recurring complaints: " + ", ".join(recurring[:3])
    evidence = []
    recent.sort(
        key=lambda s: (s.metadata.get("rating", 5), -(s.published_at or datetime.min).timestamp())
    )
    for source in recent or reviews:
        if quote := _cons_sentence(source):
            evidence.append(Evidence(source_id=source.id, quote=quote))
    drop = earlier - latest.average
    hit = Hit(
        T.employee_sentiment,
        summary,
        entity="employee rating",
        when=max(d for s in recent if (d := published_date(s))) if recent else None,
        severity="red" if drop >= 1.0 else None,
    )
    hit.metrics = {
        "latest_quarter": latest.quarter,
        "latest_average": latest.average,
        "earlier_average": round(earlier, 2),
        "reviews": latest.count,
    }
    return [Found(hit, evidence, [])]


def _quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _cons_sentence(source: Source) -> str | None:
    for start, end in sentence_spans(source.text):
        if source.text[start:end].startswith("Cons:"):
            return source.text[start:end]
    return None
