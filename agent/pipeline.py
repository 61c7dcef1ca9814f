"""The data flow, top to bottom.

ingest:   files or URLs ─► parse (tools/) ─► Source ─► store (chunk → embed → per account)
research: enabled tools ─► fetch (one HTTP client) ─► Source ─► store   (agent/research.py)
assess:   sources ─► signals ─┐
          CRM data ─► triggers ┴─► stakeholder map ─► triage (red / yellow / green, plays)
brief:    retrieve per layer ─► candidate sentences ─► synthesize ─► validate ─► Briefing
         (LLM mode: a research agent fetches first; the model writes from the same candidates)
render:  Briefing ─► Markdown | JSON | HTML
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pydantic import ValidationError

from agent.crm import CrmData, load_crm
from agent.deps import Deps
from agent.errors import BriefingInvalid, workspace_error
from agent.research import load_report, source_gaps
from agent.schemas import (
    Account,
    AccountRef,
    Briefing,
    BriefRequest,
    LayerName,
    Signal,
    SignalType,
    Source,
    SourceKind,
    SourceRef,
    Stakeholder,
    Triage,
)
from agent.signals import detect_signals, signal_order
from agent.stakeholders import find_stakeholders, leadership_changes, merge_contacts
from agent.synthesize.evidence import Candidate, candidates_from, score_candidates
from agent.synthesize.extractive import assign_layers, build_layers, choose_focus, headline
from agent.synthesize.messages import write_messages
from agent.triage import triage
from agent.triggers import evaluate_triggers
from agent.validate import internal_terms
from knowledge.retrieve import LayerSpec, load_layers, retrieve_all
from tools.files import Ingested, ingest_path
from tools.problems import collecting, failure
from tools.sources import FetchContext
from tools.transcript_fetch import fetch_transcript
from tools.web import fetch_sources


@dataclass
class IngestReport:
    """What one `add` did: sources new, unchanged and updated, and the inputs that failed."""

    new: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


#: Told, for one input, how many of its chunks are embedded so far and of how many (0 of 0
#: while it is read).
IngestProgress = Callable[[str, int, int], None]


def ingest(
    deps: Deps,
    account: Account,
    inputs: Sequence[str | Path],
    kind: SourceKind | None = None,
    on_progress: IngestProgress | None = None,
) -> IngestReport:
    """Parse local files or fetch URLs into sources and store them; one bad input, failing
    in any way, never loses the others."""
    report = IngestReport()
    now = deps.clock()
    for item in inputs:
        name = str(item)
        if on_progress:
            on_progress(name, 0, 0)
        with collecting() as noted:
            try:
                parsed = _read(deps, account, name, kind, now)
            except Exception as exc:  # the one place an input's failure becomes its error line
                if (fault := workspace_error(exc)) is not None:
                    raise fault from exc  # a full or broken workspace fails every input alike
                reason = failure(exc)
                report.errors.append(reason if name in reason else f"{name}: {reason}")
                continue
        report.warnings += parsed.problems + noted
        progress = functools.partial(on_progress, name) if on_progress else None
        result = deps.store.add_sources(parsed.sources, progress)
        report.new += result.new
        report.unchanged += result.unchanged
        report.updated += result.updated
    return report


def _read(
    deps: Deps, account: Account, item: str, kind: SourceKind | None, now: datetime
) -> Ingested:
    """A URL is fetched through the one HTTP client; anything else is a local file."""
    if not item.startswith(("http://", "https://")):
        return ingest_path(
            Path(item), account.account_id, kind=kind, now=now, max_mb=deps.settings.max_file_mb
        )
    context = FetchContext(http=deps.http, settings=deps.settings, now=now)
    if kind is SourceKind.earnings_call:
        return Ingested([fetch_transcript(item, context, account)])
    pages = fetch_sources(item, context, account.account_id)
    return Ingested([p if kind is None else p.model_copy(update={"kind": kind}) for p in pages])


@dataclass
class Assessment:
    """The signals of one account, its stakeholder map and its triage."""

    signals: list[Signal]
    stakeholders: list[Stakeholder]
    triage: Triage


def assess(
    deps: Deps,
    account: Account,
    sources: Sequence[Source],
    as_of: datetime,
    crm: CrmData | None = None,
) -> Assessment:
    """External signals from the sources, triggers from the CSM's data, and the triage.

    `crm` is the book's CRM data when the caller has it loaded already (a scan reads it once).
    """
    research = load_report(deps.settings, account.account_id)
    external = detect_signals(
        account,
        sources,
        as_of,
        previous_jobs=(research.previous_jobs or None) if research else None,
    )
    crm = (crm or load_crm(deps.settings)).for_account(account.account_id)
    departures = [s for s in external if s.type is SignalType.executive_departure]
    triggered = evaluate_triggers(account, crm, as_of.date(), deps.settings, departures)
    signals = sorted([*triggered, *external], key=signal_order)
    people = merge_contacts(find_stakeholders(sources), crm.contacts)
    return Assessment(signals=signals, stakeholders=people, triage=triage(signals, people))


@dataclass
class Gathered:
    """What every synthesizer starts from: the stored sources, their candidate sentences
    scored against the four layers, and the account's assessment."""

    as_of: datetime
    specs: dict[LayerName, LayerSpec]
    sources: dict[str, Source]
    candidates: list[Candidate]
    assessment: Assessment
    started: float = field(default_factory=time.perf_counter)


def gather(deps: Deps, account: Account, request: BriefRequest) -> Gathered:
    """Retrieve per layer, split into candidate sentences, score them, assess the account."""
    started = time.perf_counter()
    settings = deps.settings
    as_of = request.as_of or deps.clock()
    specs = load_layers()
    # a brief as of a past day reads only what stood in the store by then
    sources = {s.id: s for s in deps.store.sources(account.account_id, request.as_of)}
    retrieved = retrieve_all(
        deps.store,
        account.account_id,
        as_of,
        settings.recency_half_life_days,
        k=settings.claims_per_layer * 3,
    )
    candidates = candidates_from(retrieved, sources, as_of, settings.recency_half_life_days)
    score_candidates(
        candidates, specs, deps.store, extra_cues={LayerName.competitive: account.competitors}
    )
    assessment = assess(deps, account, list(sources.values()), as_of)
    return Gathered(as_of, specs, sources, candidates, assessment, started)


def brief(deps: Deps, account: Account, request: BriefRequest) -> Briefing:
    """A grounded briefing of one account: written by the model when `DOSSIER_LLM` is set
    (falling back to extractive on model failure), else extractive."""
    if deps.settings.llm or deps.chat is not None:
        from agent.llm.brief import llm_brief

        return llm_brief(deps, account, request)
    return extractive_brief(deps, account, request, gather(deps, account, request))


def extractive_brief(
    deps: Deps,
    account: Account,
    request: BriefRequest,
    gathered: Gathered,
    notices: Sequence[str] = (),
    metadata: Mapping[str, object] | None = None,
) -> Briefing:
    """The brief written from the best-scoring sentences themselves."""
    settings = deps.settings
    chosen = assign_layers(gathered.candidates, gathered.specs, settings)
    layers = build_layers(chosen, gathered.specs, settings, gathered.as_of)
    stakeholders = gathered.assessment.stakeholders
    focus = choose_focus(
        chosen,
        gathered.specs,
        leadership_changes(stakeholders, gathered.sources, gathered.as_of),
    )
    questions = [q for _, layer in layers.items() for q in layer.questions]
    # the very terms `validated` checks, over the sources this brief reads
    terms = internal_terms(account, gathered.sources.values())
    messages = write_messages(
        account, request.personas, gathered.candidates, deps.store, questions, terms
    )
    draft = Briefing(
        account=account_ref(account),
        generated_at=gathered.as_of,
        mode="extractive",
        headline=headline(account, focus, gathered.specs),
        focus_layer=focus.layer,
        focus_reason=focus.reason,
        layers=layers,
        messages=messages,
        notices=list(notices),
        metadata=dict(metadata or {}),
    )
    return finish(deps, account, gathered, draft)


def finish(deps: Deps, account: Account, gathered: Gathered, draft: Briefing) -> Briefing:
    """Add what every brief carries (signals, triage, stakeholders, cited sources, gaps,
    timings) and validate the whole against the stored texts."""
    sources = gathered.sources
    draft.signals = gathered.assessment.signals
    draft.triage = gathered.assessment.triage
    draft.stakeholders = gathered.assessment.stakeholders
    draft.source_gaps = source_gaps(load_report(deps.settings, account.account_id)) + (
        [] if sources else ["no sources stored for this account yet"]
    )
    cited = {e.source_id for _, e in draft.all_evidence()}
    draft.sources = [_ref(sources[i]) for i in sorted(cited, key=lambda i: _order(sources, i))]
    draft.metadata.update(
        sources_stored=len(sources),
        candidate_sentences=len(gathered.candidates),
        elapsed_ms=round((time.perf_counter() - gathered.started) * 1000),
    )
    return validated(draft, account, sources)


def account_ref(account: Account) -> AccountRef:
    """The account as a brief names it."""
    return AccountRef(
        account_id=account.account_id,
        name=account.name,
        domain=account.domain,
        ticker=account.ticker,
    )


def validated(draft: Briefing, account: Account, sources: Mapping[str, Source]) -> Briefing:
    """The draft re-validated against the stored texts; raises `BriefingInvalid` with reasons."""
    context = {
        "source_texts": {i: s.text for i, s in sources.items()},
        "internal_terms": internal_terms(account, sources.values()),
    }
    try:
        return Briefing.model_validate(draft.model_dump(), context=context)
    except ValidationError as exc:
        reasons = "; ".join(str(e["msg"]) for e in exc.errors())
        raise BriefingInvalid(
            f"briefing for {account.account_id} failed validation: {reasons}", last_output=draft
        ) from exc


def _ref(source: Source) -> SourceRef:
    return SourceRef(
        id=source.id,
        kind=source.kind,
        title=source.title,
        url=source.url,
        published_at=source.published_at,
    )


def _order(sources: Mapping[str, Source], source_id: str) -> tuple[float, str]:
    published = sources[source_id].published_at
    return (-(published.timestamp()) if published else 0.0, source_id)
