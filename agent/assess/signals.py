"""External signal detection: what changed at the client, found in its stored sources.

Rule-based and fast (regular expressions and small lexicons, no model), so a scan of a whole
book stays cheap. Every signal quotes its evidence as an exact sentence of a source, so
grounding never fails. Sources are read sentence by sentence (`agent/assess/rules.py` judges a
sentence, `agent/assess/entities.py` finds who and when); three kinds add structure of their
own (`agent/assess/aggregates.py`):

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

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta

from agent.assess.aggregates import (
    Found,
    employee_sentiment,
    filing_items,
    hiring_surge,
    published_date,
    tech_stack,
)
from agent.assess.entities import Context, competitor_variants
from agent.assess.rules import GUIDANCE_RANK, Hit, sentence_hits
from agent.schemas import Account, Evidence, Signal, SignalType, Source, SourceKind
from knowledge.chunk import sentence_spans
from knowledge.taxonomy import load_taxonomy

T = SignalType

#: Signals about events older than this (before `as_of`) are history, not news.
STALE_AFTER = timedelta(days=365)
#: Two reports of one event are merged when their dates are this close (when both are known).
SAME_EVENT = timedelta(days=30)
#: The same person's departure or appointment, reported weeks apart, is still one event.
SAME_PERSON = timedelta(days=120)
MAX_EVIDENCE = 5

_SEVERITY_ORDER = {"red": 0, "yellow": 1, "info": 2}
_BULLET = re.compile(r"\s*[-*•–]\s")


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
    found: list[Found] = []
    for source in usable:
        found += _remembered(account, source)
    found += hiring_surge(usable, previous_jobs)
    found += tech_stack(usable)
    found += employee_sentiment(usable, today)
    merged = _dedupe(found)
    signals = [_signal(f) for f in merged]
    signals = [s for s in signals if s.occurred_at is None or today - s.occurred_at <= STALE_AFTER]
    return sorted(signals, key=signal_order)


def signal_order(signal: Signal) -> tuple[int, int]:
    """Red first, then yellow, then info; newest first within each (undated last)."""
    return (_SEVERITY_ORDER[signal.severity], -(signal.occurred_at or date.min).toordinal())


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


_FOUND: dict[tuple[object, ...], list[Found]] = {}
FOUND_CACHE_SIZE = 20_000


def _remembered(account: Account, source: Source) -> list[Found]:
    """What one source says, read once per process: a warm brief or a scan re-reads only new
    or changed sources. Copies, because deduplication merges into what it is given."""
    key = (
        source.id, source.kind, source.title, source.published_at, hash(source.text),
        tuple(account.names()), tuple(account.competitors),
    )  # fmt: skip
    if key not in _FOUND:
        if len(_FOUND) >= FOUND_CACHE_SIZE:
            _FOUND.clear()
        _FOUND[key] = _from_source(account, source)
    return copy.deepcopy(_FOUND[key])


def _from_source(account: Account, source: Source) -> list[Found]:
    if source.kind is SourceKind.employee_review:
        return []  # reviews speak together, through employee_sentiment
    found = filing_items(source) if source.kind is SourceKind.filing else []
    subject, competitor = _subject(account, source)
    published = published_date(source)
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
            found.append(Found(hit, [evidence], _dates(hit, published)))
    return found


def _is_bullet(text: str, start: int) -> bool:
    line = text[text.rfind("\n", 0, start) + 1 : start + 2]
    return _BULLET.match(line) is not None


def _dates(hit: Hit, published: date | None) -> list[date]:
    return [d for d in (hit.when, published) if d is not None]


def _person(f: Found) -> str | None:
    return f.hit.person.lower() if f.hit.person else None


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


def _dedupe(found: list[Found]) -> list[Found]:
    """One Found per event: later reports of an event become evidence of the first."""
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
            continue
        _absorb(target, f)
    return events


def _absorb(target: Found, f: Found) -> None:
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


def _signal(f: Found) -> Signal:
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


__all__ = ["detect_signals"]
