"""External signal detection: what changed at the client, found in its stored sources.

Rule-based and fast (regular expressions and small lexicons, no model), so a scan of a whole
book stays cheap. Every signal quotes its evidence as an exact sentence of a source, so
grounding never fails. Sources are read sentence by sentence (`agent/signal_rules.py` judges a
sentence); three kinds add structure of their own:

- filings: 8-K item codes are signals by themselves (5.02 -> executive_departure, or
  executive_appointment when the text only speaks of an appointment; 2.05 -> layoffs, since an
  exit or disposal plan is almost always a reduction in force; 2.01 -> acquisition; 1.01 ->
  the acquisition it belongs to, else a partnership; 2.02 -> financial_results);
- earnings calls: only executives' turns count (never the operator's or an analyst's);
- job postings: open roles per department (hiring_surge) and the vendors they name (tech_stack);
- employee reviews: only together, as a falling rating with its recurring complaints.

The same event from several sources is one signal with several evidence items.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from agent.schemas import Account, Evidence, Signal, SignalType, Source, SourceKind
from agent.signal_rules import (
    GUIDANCE_RANK,
    Context,
    Hit,
    competitor_variants,
    event_date,
    sentence_hits,
    vendors_in,
)
from knowledge.chunk import sentence_spans
from knowledge.taxonomy import load_taxonomy, vendor_categories
from tools.review_stats import rating_trend, themes

T = SignalType

#: Signals about events older than this (before `as_of`) are history, not news.
STALE_AFTER = timedelta(days=365)
#: Two reports of one event are merged when their dates are this close (when both are known).
SAME_EVENT = timedelta(days=30)
#: The same person's departure or appointment, reported weeks apart, is still one event.
SAME_PERSON = timedelta(days=120)
MAX_EVIDENCE = 5
#: A department with this many open roles is hiring at scale.
SURGE_ROLES = 5
#: Or, against the previous snapshot: at least this many roles and this much growth.
SURGE_MIN_ROLES, SURGE_GROWTH = 3, 1.5
#: A review quarter this far below the earlier average is a drop in sentiment.
SENTIMENT_DROP = 0.5

_SEVERITY_ORDER = {"red": 0, "yellow": 1, "info": 2}
_BULLET = re.compile(r"\s*[-*•–]\s")
_ITEM_LINE = re.compile(r"^Item (\d\.\d\d)\b.*$", re.MULTILINE)
_APPOINT = re.compile(r"\b(?:appoint|named|elected|hired)\w*", re.IGNORECASE)
_DEPART = re.compile(r"\b(?:resign|retire|step\w* down|depart|terminat|leave)\w*", re.IGNORECASE)


@dataclass
class _Found:
    """A signal being assembled: the hit that opened it and the evidence gathered so far."""

    hit: Hit
    evidence: list[Evidence] = field(default_factory=list)
    dates: list[date] = field(default_factory=list)
    merges_into: tuple[SignalType, ...] = ()


def job_snapshot(sources: Sequence[Source]) -> dict[str, int]:
    """Open roles per department across job_posting sources ("Other" when none is given)."""
    counts: Counter[str] = Counter(
        str(s.metadata.get("department") or "Other")
        for s in sources
        if s.kind is SourceKind.job_posting
    )
    return dict(sorted(counts.items()))


def detect_signals(
    account: Account,
    sources: Sequence[Source],
    as_of: datetime,
    *,
    previous_jobs: Mapping[str, int] | None = None,
) -> list[Signal]:
    """The external signals in an account's sources: deduplicated, red first, newest first."""
    today = as_of.date()
    usable = [
        s
        for s in sources
        if not s.internal and (s.published_at is None or s.published_at.date() <= today)
    ]
    found: list[_Found] = []
    for source in usable:
        found += _from_source(account, source)
    found += _hiring_surge(usable, previous_jobs)
    found += _tech_stack(usable)
    found += _employee_sentiment(usable, today)
    merged = _dedupe(found)
    signals = [_signal(f) for f in merged]
    signals = [s for s in signals if s.occurred_at is None or today - s.occurred_at <= STALE_AFTER]
    signals.sort(key=lambda s: -(s.occurred_at or date.min).toordinal())
    signals.sort(key=lambda s: _SEVERITY_ORDER[s.severity])
    return signals


def _published(source: Source) -> date | None:
    return source.published_at.date() if source.published_at else None


def _subject(account: Account, source: Source) -> tuple[str, str | None]:
    """Whom a source is mostly about: the client, a competitor (named first), or another party."""
    if source.kind in (SourceKind.earnings_call, SourceKind.filing, SourceKind.job_posting):
        return "client", None
    head = f"{source.title}\n{source.text[:400]}"
    variants = competitor_variants(account.competitors)
    first: list[tuple[int, str]] = []
    for name in account.names():
        if (i := head.find(name)) >= 0:
            first.append((i, "client"))
    for variant, full in variants.items():
        if (m := re.search(rf"\b{re.escape(variant)}\b", head)) is not None:
            first.append((m.start(), full))
    if not first:
        whole = source.text
        return ("client", None) if any(n in whole for n in account.names()) else ("other", None)
    who = min(first)[1]
    return ("client", None) if who == "client" else ("competitor", who)


def _sentences(source: Source) -> Iterator[tuple[int, int, str | None]]:
    """(start, end, speaker) of the sentences to read; on a call, executives' turns only."""
    turns = source.metadata.get("turns") if source.kind is SourceKind.earnings_call else None
    if not isinstance(turns, list):
        for start, end in sentence_spans(source.text):
            yield start, end, None
        return
    for turn in turns:
        if turn.get("role") != "executive":
            continue
        speaker = turn.get("speaker")
        if turn.get("title"):
            speaker = f"{speaker} ({turn['title']})"
        begin, stop = int(turn["start"]), int(turn["end"])
        for start, end in sentence_spans(source.text[begin:stop]):
            yield begin + start, begin + end, speaker


def _from_source(account: Account, source: Source) -> list[_Found]:
    if source.kind is SourceKind.employee_review:
        return []  # reviews speak together, through _employee_sentiment
    found = _filing_items(source) if source.kind is SourceKind.filing else []
    subject, competitor = _subject(account, source)
    published = _published(source)
    is_posting = source.kind is SourceKind.job_posting
    for start, end, speaker in _sentences(source):
        sentence = source.text[start:end]
        ctx = Context(
            client_names=tuple(account.names()),
            competitors=tuple(account.competitors),
            subject=subject,
            subject_competitor=competitor,
            published=published,
            bullet=is_posting and _is_bullet(source.text, start),
            speaker=speaker,
        )
        on_call = source.kind is SourceKind.earnings_call
        for hit in sentence_hits(sentence, ctx, on_call=on_call):
            evidence = Evidence(source_id=source.id, quote=sentence)
            found.append(_Found(hit, [evidence], _dates(hit, published)))
    return found


def _is_bullet(text: str, start: int) -> bool:
    line = text[text.rfind("\n", 0, start) + 1 : start + 2]
    return _BULLET.match(line) is not None


def _dates(hit: Hit, published: date | None) -> list[date]:
    return [d for d in (hit.when, published) if d is not None]


def _filing_items(source: Source) -> list[_Found]:
    """Signals an 8-K's item codes report by themselves, quoting the item line."""
    items = [str(x) for x in source.metadata.get("items") or []]
    lines = {m[1]: m[0] for m in _ITEM_LINE.finditer(source.text)}
    report = source.metadata.get("report_date") or None
    when = date.fromisoformat(report) if report else _published(source)
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
            found.append(_Found(hit, [evidence], [when] if when else [], merges))
    return found


def _hiring_surge(sources: Sequence[Source], previous: Mapping[str, int] | None) -> list[_Found]:
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
        dates = [d for s in mine if (d := _published(s))]
        hit.when = max(dates) if dates else None
        evidence = [Evidence(source_id=s.id, quote=_title_quote(s)) for s in mine]
        found.append(_Found(hit, evidence, dates[:1]))
    return found


def _title_quote(source: Source) -> str:
    if source.title and source.text.startswith(source.title):
        return source.title
    start, end = sentence_spans(source.text)[0]
    return source.text[start:end]


def _tech_stack(sources: Sequence[Source]) -> list[_Found]:
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
        dates = [d for s, _ in mentions if (d := _published(s))]
        n = len(mentions)
        summary = f"{vendor} ({categories[vendor]}) named in {n} job posting{'s' * (n != 1)}"
        hit = Hit(T.tech_stack, summary, entity=vendor, when=max(dates) if dates else None)
        hit.metrics = {"postings": n, "category": categories[vendor]}
        evidence = [Evidence(source_id=s.id, quote=q) for s, q in mentions]
        found.append(_Found(hit, evidence, []))
    return found


def _employee_sentiment(sources: Sequence[Source], today: date) -> list[_Found]:
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
        when=max(d for s in recent if (d := _published(s))) if recent else None,
        severity="red" if drop >= 1.0 else None,
    )
    hit.metrics = {
        "latest_quarter": latest.quarter,
        "latest_average": latest.average,
        "earlier_average": round(earlier, 2),
        "reviews": latest.count,
    }
    return [_Found(hit, evidence, [])]


def _quarter(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def _cons_sentence(source: Source) -> str | None:
    for start, end in sentence_spans(source.text):
        if source.text[start:end].startswith("Cons:"):
            return source.text[start:end]
    return None


def _person(f: _Found) -> str | None:
    return f.hit.person.lower() if f.hit.person else None


def _same_event(a: _Found, b: _Found) -> bool:
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


def _dedupe(found: list[_Found]) -> list[_Found]:
    """One _Found per event: later reports of an event become evidence of the first."""
    ordered = sorted(
        found,
        key=lambda f: (bool(f.merges_into), f.hit.entity is None, f.hit.summary.startswith("Form")),
    )
    events: list[_Found] = []
    for f in ordered:
        kinds = f.merges_into or (f.hit.type,)
        target = next(
            (e for kind in kinds for e in events if e.hit.type is kind and _same_event(e, f)),
            None,
        )
        if target is None:
            events.append(f)
            continue
        _absorb(target, f)
    return events


def _absorb(target: _Found, f: _Found) -> None:
    hit, other = target.hit, f.hit
    quotes = {(e.source_id, " ".join(e.quote.split())) for e in target.evidence}
    for e in f.evidence:
        if (e.source_id, " ".join(e.quote.split())) not in quotes:
            target.evidence.append(e)
    target.dates += f.dates
    stronger = (
        hit.type is T.earnings_guidance
        and other.entity in GUIDANCE_RANK
        and hit.entity in GUIDANCE_RANK
        and GUIDANCE_RANK[str(other.entity)] < GUIDANCE_RANK[str(hit.entity)]
    )
    if stronger:
        target.hit, other = other, hit  # the strongest direction names the signal
        hit = target.hit
    hit.entity = hit.entity or other.entity
    hit.person = hit.person or other.person
    if other.precision > hit.precision and other.when:
        hit.when, hit.precision = other.when, other.precision
    if hit.person and other.entity and other.entity != other.person and hit.entity == hit.person:
        hit.entity = other.entity


def _signal(f: _Found) -> Signal:
    spec = load_taxonomy()[f.hit.type]
    hit = f.hit
    summary = hit.summary
    if hit.person and hit.type in (T.executive_departure, T.executive_appointment):
        role = hit.entity if hit.entity != hit.person else None
        verb = "leaves" if hit.type is T.executive_departure else "joins"
        summary = ", ".join(x for x in (hit.person, role) if x) + f", {verb}"
        if hit.when:
            summary += f" on {hit.when.isoformat()}" if hit.precision >= 2 else ""
    metrics = dict(hit.metrics)
    if hit.person:
        metrics["person"] = hit.person
    return Signal(
        type=hit.type,
        severity=hit.severity or spec.severity,
        polarity=hit.polarity or spec.polarity,
        summary=summary,
        occurred_at=hit.when or (min(f.dates) if f.dates else None),
        entity=hit.entity,
        evidence=f.evidence[:MAX_EVIDENCE],
        metrics=metrics,
    )


__all__ = ["detect_signals", "event_date", "job_snapshot"]
