"""External signal detection: what changed at the client, found in its stored sources.

source ─► sentences (sentences.py: executives' turns, review parts, posting bodies)
       ─► not an event? (attribution.py: questions, denials, boilerplate, rosters, history)
       ─► which type (classifier.py: embedding + patterns ─► logistic regression)
       ─► whose (attribution.py: the client, a named competitor, another company)
       ─► what it names (rules.py: amounts, rounds, people and roles, directions)
       ─► one event per source and type (events.py), one signal per event across sources
sources together ─► structure (aggregates.py): 8-K items, open roles per department, the
       stack the postings name, open leadership roles; reviews (themes.py, sentiment.py): the
       complaints many reviewers share, found by meaning, what they value, the rating trend

Every signal quotes its evidence as exact sentences of its sources, most telling first, so
grounding never fails. A source is read once per process (a warm brief or a scan re-reads
only new or changed sources), and a sentence is embedded once per process.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from agent.assess.aggregates import (
    Found,
    board_of,
    filing_items,
    hiring_surge,
    leadership_roles,
    published_date,
    repeated_sentences,
    tech_summary,
)
from agent.assess.attribution import (
    is_history,
    not_an_event,
    speaks_of_itself,
    third_party,
    without_old_aside,
)
from agent.assess.classifier import classify
from agent.assess.entities import Context, competitor_variants, tools_in, who_acts
from agent.assess.events import group_findings, merge_reports
from agent.assess.rules import (
    MOVES,
    Hit,
    competitor_move,
    people_moves,
    read_hit,
    rivals_named,
    trigger,
)
from agent.assess.sentences import Sentence, clauses, read_sentences
from agent.assess.sentiment import employee_sentiment, review_mentions
from agent.assess.themes import review_themes
from agent.schemas import Account, Evidence, Signal, SignalType, Source, SourceKind
from knowledge.taxonomy import EXTERNAL_TYPES, load_taxonomy

T = SignalType

#: Signals about events older than this (before `as_of`) are history, not news.
STALE_AFTER = timedelta(days=365)
#: Evidence quotes a signal keeps, most telling first: a call tells its results, guidance or
#: launches in a dozen or more sentences, each a figure or a product of its own a CSM may need.
MAX_EVIDENCE = 25
#: A sentence reports a type when the classifier gives it at least this probability.
THRESHOLD = 0.7
#: A clause of a long sentence needs more: it is read without the rest of its sentence.
CLAUSE_THRESHOLD = 0.7
#: Or at least this one when the type's trigger patterns match too.
RULE_FLOOR = 0.15
#: Or a small one (EVENT_FLOOR), with the trigger patterns, in a sentence the model is sure
#: tells of some event (no-signal probability at most NONE_CEILING): one sentence may report two
#: ("cutting costs, including layoffs" is budget pressure to the model, and layoffs too).
NONE_CEILING = 0.05
EVENT_FLOOR = 0.01
#: Types aggregated over many sources, never read from one sentence.
AGGREGATE_TYPES = frozenset({T.tech_stack, T.employee_sentiment})
#: What each kind of source may report sentence by sentence. A posting's duties are no
#: events, but its plans are; a review tells of layoffs and leaders, not of results.
SENTENCE_TYPES: dict[SourceKind, frozenset[SignalType]] = {
    SourceKind.job_posting: frozenset(
        {T.expansion, T.strategic_priority, T.hiring_surge, T.product_launch, T.vendor_evaluation}
    ),
    SourceKind.employee_review: frozenset(
        {
            T.layoffs,
            T.budget_pressure,
            T.executive_departure,
            T.executive_appointment,
            T.acquisition,
            T.expansion,
        }
    ),
}
_ALL_SENTENCE_TYPES = frozenset(t for t in EXTERNAL_TYPES if t not in AGGREGATE_TYPES)
#: Parts of a review that are wishes, not reports.
_WISHES = frozenset({"Advice to management"})

_SEVERITY_ORDER = {"red": 0, "yellow": 1, "info": 2}
#: Kinds that report events (a publisher tells them); postings and reviews are aggregated.
_REPORTS = frozenset(
    {SourceKind.news, SourceKind.web_page, SourceKind.filing, SourceKind.earnings_call}
)


def detect_signals(
    account: Account,
    sources: Sequence[Source],
    as_of: datetime,
    *,
    previous_jobs: Mapping[str, int] | None = None,
) -> list[Signal]:
    """The external signals in an account's sources: one per event, red first, newest first."""
    today = as_of.date()
    usable = [
        s
        for s in sources
        if not s.internal and (s.published_at is None or s.published_at.date() <= today)
    ]
    found: list[Found] = []
    for source in usable:
        found += _remembered(account, source)
    boilerplate = repeated_sentences(usable)
    # A finding dated over a year back is history: it must not lead (and date) an event that
    # newer findings of the same source report.
    found = [
        f
        for f in _once(found, boilerplate)
        if f.hit.when is None or today - f.hit.when <= STALE_AFTER
    ]
    events: list[Found] = []
    for event in group_findings(found):
        if event.hit.type is T.tech_stack:
            tech_summary(event)
        if event.group == _REVIEWS and review_mentions(event, usable) is None:
            continue
        events.append(event)
    events += hiring_surge(usable, previous_jobs)
    events += leadership_roles(usable)
    themes = review_themes(usable)
    events += employee_sentiment(usable, themes) + themes
    signals = [_signal(f) for f in merge_reports(events)]
    signals = [s for s in signals if s.occurred_at is None or today - s.occurred_at <= STALE_AFTER]
    return sorted(signals, key=signal_order)


def signal_order(signal: Signal) -> tuple[int, int]:
    """Red first, then yellow, then info; newest first within each (undated last)."""
    return (_SEVERITY_ORDER[signal.severity], -(signal.occurred_at or date.min).toordinal())


_REVIEWS = "reviews"


def _once(found: list[Found], repeated: set[str]) -> list[Found]:
    """Findings without a board's boilerplate: the blurb every posting repeats names customers
    and perks, not the stack or the roles, so it reports no aggregate; an event it tells ("our
    most recent office expansion in Cape Town") is read once, from the first posting."""
    kept: list[Found] = []
    seen: set[tuple[SignalType, str]] = set()
    for f in found:
        quote = " ".join(f.evidence[0].quote.split()) if f.evidence else ""
        if quote not in repeated:
            kept.append(f)
        elif f.hit.type not in AGGREGATE_TYPES and (f.hit.type, quote) not in seen:
            seen.add((f.hit.type, quote))
            kept.append(f)
    return kept


def _subject(account: Account, source: Source) -> tuple[str, str | None]:
    """Whom a source is mostly about: the client, a competitor (named first), or another party."""
    if source.kind in (SourceKind.earnings_call, SourceKind.filing, SourceKind.job_posting,
                       SourceKind.employee_review):  # fmt: skip
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


_FOUND: dict[tuple[object, ...], list[Found]] = {}
FOUND_CACHE_SIZE = 2_000


def _remembered(account: Account, source: Source) -> list[Found]:
    """What one source says, read once per process: a warm brief or a scan re-reads only new
    or changed sources. Copies, because grouping merges into what it is given."""
    key = (
        source.id, source.kind, source.title, source.published_at, hash(source.text),
        tuple(account.names()), tuple(account.competitors),
    )  # fmt: skip
    if key not in _FOUND:
        if len(_FOUND) >= FOUND_CACHE_SIZE:
            _FOUND.clear()
        _FOUND[key] = _from_source(account, source)
    return copy.deepcopy(_FOUND[key])


def _group_of(source: Source) -> str:
    """What a source's findings are grouped within: a job board, the review set, the source."""
    if source.kind is SourceKind.job_posting:
        return f"board:{board_of(source)}"
    if source.kind is SourceKind.employee_review:
        return _REVIEWS
    return f"source:{source.id}"


def _origin(source: Source) -> str:
    meta = source.metadata
    return str(meta.get("publisher") or meta.get("hostname") or source.url or source.id)


def _from_source(account: Account, source: Source) -> list[Found]:
    found = filing_items(source) if source.kind is SourceKind.filing else []
    allowed = SENTENCE_TYPES.get(source.kind, _ALL_SENTENCE_TYPES)
    published = published_date(source)
    candidates = [
        s
        for s in read_sentences(source)
        if not s.header and s.part not in _WISHES and not_an_event(s.text) is None
    ]
    if not candidates:
        return found
    subject, competitor = _subject(account, source)
    variants = competitor_variants(account.competitors)
    group, origin = _group_of(source), _origin(source)
    names = tuple(account.names())
    units = [(i, text) for i, s in enumerate(candidates) for text in (s.text, *clauses(s.text))]
    scored = classify([text for _, text in units])
    voiced = source.kind is SourceKind.employee_review
    readings: dict[int, list[tuple[str, dict[SignalType | None, float]]]] = {}
    for (i, text), scores in zip(units, scored, strict=True):
        readings.setdefault(i, []).append((text, scores))
    for i, sentence in enumerate(candidates):
        (_, scores), *parts = readings[i]
        for hit, score in _aggregated(source, sentence, scores, names):
            found.append(_found(hit, score, source, sentence, published, group, origin))
        if is_history(sentence.text, published):
            continue
        if source.kind is SourceKind.job_posting and not speaks_of_itself(sentence.text, names):
            continue  # a duty of the role, not a plan of the company
        ctx = Context(
            client_names=names,
            competitors=tuple(account.competitors),
            subject=subject,
            subject_competitor=competitor,
            published=published,
            bullet=sentence.bullet,
            speaker=sentence.speaker,
            they_are_client=voiced,
        )
        best: dict[tuple[SignalType, str | None], tuple[Hit, float]] = {}
        for n, (text, unit_scores) in enumerate([(sentence.text, scores), *parts]):
            bar = THRESHOLD if n == 0 else CLAUSE_THRESHOLD
            kinds = [k for k in allowed if _reports(k, text, unit_scores, bar, voiced)]
            for hit in _hits(text, kinds, ctx, variants, sentence.text):
                score = unit_scores.get(hit.type) or 0.0
                if hit.type not in kinds:  # a rule told the type ("hiring slows": budget)
                    score = max(score, *(unit_scores.get(k) or 0.0 for k in kinds))
                key = (hit.type, hit.person)
                if key not in best or score > best[key][1]:
                    best[key] = (hit, score)
        for hit, score in best.values():
            found.append(_found(hit, score, source, sentence, published, group, origin))
    return found


def confirm_signal(
    account: Account, source: Source, sentence: str, kind: SignalType, as_of: datetime
) -> tuple[Signal | None, str]:
    """A signal another reader (LLM mode's model) says a sentence of `source` reports, held to
    the checks every rule signal passes: the sentence is in the source, an event of a type this
    kind of source tells, not a question, denial, boilerplate or history, the client's own (a
    named competitor's move becomes a competitor move), and it names what such an event must
    (a person and a role, an amount or round...). (None, why) when it fails one."""
    allowed = SENTENCE_TYPES.get(source.kind, _ALL_SENTENCE_TYPES)
    start = source.text.find(sentence)
    published = published_date(source)
    why = (
        "internal source" if source.internal
        else "not a sentence of its source" if start < 0
        else f"{kind.value} is not read from one sentence of a {source.kind.value}"
        if kind not in allowed
        else not_an_event(sentence)
        or ("history" if is_history(sentence, published) else None)
    )  # fmt: skip
    if why:
        return None, why
    if source.kind is SourceKind.job_posting and not speaks_of_itself(
        sentence, tuple(account.names())
    ):
        return None, "a duty of the role, not a plan of the company"
    subject, competitor = _subject(account, source)
    ctx = Context(client_names=tuple(account.names()), competitors=tuple(account.competitors),
                  subject=subject, subject_competitor=competitor, published=published,
                  they_are_client=source.kind is SourceKind.employee_review)  # fmt: skip
    variants = competitor_variants(account.competitors)
    hit = next((h for h in _hits(sentence, [kind], ctx, variants, sentence)), None)
    if hit is None:
        return None, "not the client's, or without what such an event names"
    at = Sentence(start, start + len(sentence), sentence)
    signal = _signal(_found(hit, 0.0, source, at, published, _group_of(source), _origin(source)))
    if signal.occurred_at is not None and as_of.date() - signal.occurred_at > STALE_AFTER:
        return None, "history"
    signal.metrics["found_by"] = "model"
    return signal, "kept"


def _found(
    hit: Hit,
    score: float,
    source: Source,
    sentence: Sentence,
    published: date | None,
    group: str,
    origin: str,
) -> Found:
    """A finding quoting the sentence it was read in (without a trailing aside of history)."""
    evidence = Evidence(source_id=source.id, quote=without_old_aside(sentence.text, published))
    dates = [d for d in (hit.when, published) if d is not None]
    origins = {source.id: origin} if source.kind in _REPORTS else {}
    return Found(hit, [evidence], dates, score=score, group=group, origins=origins)


def _reports(
    kind: SignalType,
    text: str,
    scores: dict[SignalType | None, float],
    bar: float,
    voiced: bool = False,
) -> bool:
    """Whether a sentence reports `kind`: the classifier is sure enough, or less sure but the
    taxonomy's trigger patterns for the type match. In a review every sentence sounds like
    employee sentiment (the voice, not an event): with the patterns, the event is weighed
    against the other readings without it."""
    p = scores.get(kind) or 0.0
    if p >= bar:
        return True
    if voiced:
        p /= max(1.0 - (scores.get(T.employee_sentiment) or 0.0), 1e-6)
    sure_event = (scores.get(None) or 0.0) <= NONE_CEILING and p >= EVENT_FLOOR
    return (p >= RULE_FLOOR or sure_event) and trigger(kind, text) is not None


def _aggregated(
    source: Source,
    sentence: Sentence,
    scores: dict[SignalType | None, float],
    client_names: tuple[str, ...],
) -> list[tuple[Hit, float]]:
    """Findings a board reports together: each vendor a posting names (its tech stack).
    (A review set's complaints are read together in agent/assess/themes.py.)"""
    if source.kind is SourceKind.job_posting:
        tools = dict.fromkeys(tools_in(sentence.text, client_names))
        score = scores.get(T.tech_stack) or 0.0
        return [(Hit(T.tech_stack, tool, entity=tool), score) for tool in tools]
    return []


def _hits(
    text: str, kinds: list[SignalType], ctx: Context, variants: dict[str, str], whole: str
) -> list[Hit]:
    """The events of the given types a sentence (or a clause of it, `text`) reports,
    attributed to whom the clause is about and read from the whole sentence."""
    hits: list[Hit] = []
    for kind in kinds:
        at = trigger(kind, text)
        actor = who_acts(text, at.start() if at else len(text), ctx, variants)
        if actor == "client" and third_party(text, ctx.client_names):
            actor = "other"
        if actor not in ("client", "other") and actor in ctx.competitors:
            if kind in MOVES or kind is T.competitor_move:
                hits.append(competitor_move(text, actor))
            continue
        if kind is T.competitor_move:
            if actor in ("client", "other") and (rivals := rivals_named(text)) is not None:
                hits.append(competitor_move(text, rivals or "a competitor"))
            continue
        if actor != "client":
            continue
        if kind in (T.executive_departure, T.executive_appointment):
            moves = people_moves(whole, ctx)
            if moves is not None:
                hits += [h for h in moves if h.type in kinds or not hits]
                continue
        if (hit := read_hit(kind, whole, ctx) or read_hit(kind, text, ctx)) is not None:
            hits.append(hit)
    unique: dict[tuple[SignalType, str | None], Hit] = {}
    for hit in hits:
        unique.setdefault((hit.type, hit.person), hit)
    return list(unique.values())


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


__all__ = ["confirm_signal", "detect_signals", "signal_order"]
