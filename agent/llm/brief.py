"""A brief in LLM mode: research by the agent, writing by the model, checks by dossier.

research (the model picks source tools) ─► gather (the extractive pipeline's retrieval and
scoring) ─► write (structured output, one repair round, failing parts dropped) ─► assemble
with the deterministic signals, triage and stakeholders (plus the events the model pointed
out among the passages that pass the rules' own checks) ─► validate like any brief.

A model that cannot be reached, keeps failing, or gives nothing usable never leaves the CSM
empty-handed: the extractive brief is returned with a notice saying what happened.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from agent.assess.signals import confirm_signal, signal_order
from agent.assess.stakeholders import leadership_changes
from agent.assess.triage import triage
from agent.config import Settings
from agent.deps import Deps
from agent.errors import BriefingInvalid, ConfigError
from agent.llm.draft import MESSAGES_DRAFTED, finished
from agent.llm.model import LlmError, Usage, chat_model
from agent.llm.research_agent import research_for
from agent.llm.writer import WriterInput, Written, prompt_hashes, write
from agent.schemas import (
    Account,
    Briefing,
    BriefRequest,
    Layer,
    LayerName,
    Layers,
    Signal,
)
from agent.seller import internal_proof_texts
from agent.synthesize.brief import extractive_brief
from agent.synthesize.extractive import assign_layers, build_layers, choose_focus, headline
from agent.synthesize.finish import account_ref, finish
from agent.synthesize.gather import Gathered, gather
from agent.synthesize.messages import write_messages
from agent.validate import internal_terms

DEFAULT_PURPOSE = "a routine check-in call: what matters about this client right now"


def llm_brief(deps: Deps, account: Account, request: BriefRequest) -> Briefing:
    """The model's brief, checked; the extractive brief with a notice if the model fails."""
    started = time.perf_counter()
    settings = deps.settings
    usage = Usage(budget=settings.max_tokens_per_brief)
    metadata: dict[str, Any] = {"prompts": prompt_hashes()}
    gathered: Gathered | None = None
    try:
        if deps.chat is None:
            deps.chat = chat_model(settings)
        purpose = request.purpose or DEFAULT_PURPOSE
        run = research_for(deps, account, purpose, usage, fetch=request.research)
        metadata.update(run.metadata())
        gathered = gather(deps, account, request)
        gathered.started = started  # elapsed_ms covers the research too
        written = write(deps, _writer_input(deps, account, request, gathered, purpose), usage)
        metadata.update(usage.metadata(settings), **written.metadata())
        return _assemble(deps, account, request, gathered, written, metadata)
    except (LlmError, ConfigError, BriefingInvalid) as exc:
        metadata.update(usage.metadata(settings), llm_error=str(exc))
        notice = (
            f"LLM mode failed ({exc}); the extractive synthesizer wrote this brief instead, "
            "from the same stored sources."
        )
        gathered = gathered or gather(deps, account, request)
        return extractive_brief(deps, account, request, gathered, [notice], metadata)


def _writer_input(
    deps: Deps, account: Account, request: BriefRequest, gathered: Gathered, purpose: str
) -> WriterInput:
    settings = deps.settings
    return WriterInput(
        account_name=account.name,
        purpose=purpose,
        today=gathered.as_of.date().isoformat(),
        personas=request.personas[:MESSAGES_DRAFTED],
        passages=assign_layers(
            gathered.candidates, gathered.specs, settings, limit=settings.llm_passages_per_layer
        ),
        specs=gathered.specs,
        signals=gathered.assessment.signals,
        stakeholders=gathered.assessment.stakeholders,
        sources=gathered.sources,
        internal_terms=internal_terms(account, gathered.sources.values()),
    )


def _assemble(
    deps: Deps,
    account: Account,
    request: BriefRequest,
    gathered: Gathered,
    written: Written,
    metadata: dict[str, Any],
) -> Briefing:
    settings = deps.settings
    draft = written.draft
    chosen = assign_layers(gathered.candidates, gathered.specs, settings)
    # a layer the model left without a claim that stands is the extractive writer's: a small
    # model that writes only messages (or claims that all fail) never blanks the brief
    extractive = build_layers(chosen, gathered.specs, settings, gathered.as_of)
    built = {name: _layer(name, gathered, written, settings) for name in LayerName}
    filled = [
        n for n, layer in built.items() if not layer.claims and getattr(extractive, n.value).claims
    ]
    for name in filled:
        built[name] = getattr(extractive, name.value)
    if filled:
        metadata["layers_written_extractively"] = [n.value for n in filled]
    layers = Layers(**{name.value: layer for name, layer in built.items()})
    focus = choose_focus(
        chosen,
        gathered.specs,
        leadership_changes(gathered.assessment.stakeholders, gathered.sources, gathered.as_of),
    )
    title, focus_layer, reason = draft.headline, draft.focus_layer, finished(draft.focus_reason)
    if {"headline", "focus_reason"} & set(written.withheld):
        title, focus_layer, reason = (
            headline(account, focus, gathered.specs),
            focus.layer,
            focus.reason,
        )
    messages = [written.passages.message(m) for m in draft.messages]
    missing = [p for p in request.personas if p not in {m.persona for m in messages}]
    if missing:
        questions = [q for _, layer in layers.items() for q in layer.questions]
        terms = internal_terms(account, gathered.sources.values()) + internal_proof_texts(
            gathered.seller
        )
        messages += write_messages(
            account,
            missing,
            gathered.candidates,
            deps.store,
            questions,
            terms,
            mapped=gathered.mapped,
            revenue=gathered.revenue,
            seller=gathered.seller,
        )
        metadata["messages_written_extractively"] = [p.value for p in missing]
    order = {p: i for i, p in enumerate(request.personas)}
    notices = []
    dropped = written.dropped
    if dropped.get("claims") or dropped.get("messages"):
        notices.append(
            f"{dropped.get('claims', 0)} claim(s) and {dropped.get('messages', 0)} message(s) "
            "the model wrote were left out: they cited passages it was not shown, repeated "
            "instructions planted in a source, or said more than their quotes support"
            f" ({written.unsupported} unsupported claim(s))."
        )
    found, metadata["model_signals"] = _model_signals(account, gathered, written)
    if found:
        assessment = gathered.assessment
        assessment.signals = sorted([*assessment.signals, *found], key=signal_order)
        assessment.triage = triage(assessment.signals, assessment.stakeholders)
    briefing = Briefing(
        account=account_ref(account),
        generated_at=gathered.as_of,
        mode=f"llm:{settings.llm or type(deps.chat).__name__}",
        headline=title,
        focus_layer=focus_layer,
        focus_reason=reason,
        layers=layers,
        messages=sorted(messages, key=lambda m: order.get(m.persona, len(order))),
        notices=notices,
        metadata=metadata,
    )
    return finish(deps, account, gathered, briefing)


def _model_signals(
    account: Account, gathered: Gathered, written: Written
) -> tuple[list[Signal], dict[str, Any]]:
    """The events the model pointed out that pass the rules' own checks and that no rule
    signal reports already; what became of each, for the brief's metadata."""
    kept: list[Signal] = []
    rejected: Counter[str] = Counter()
    offered = written.draft.signals
    for item in offered:
        cited = written.passages.cited([item.passage])
        if not cited:
            rejected["unknown passage"] += 1
            continue
        passage = cited[0]
        signal, why = confirm_signal(
            account, passage.source, passage.text, item.type, gathered.as_of
        )
        if signal is None:
            rejected[why] += 1
        elif _known(signal, [*gathered.assessment.signals, *kept]):
            rejected["found by the rules already"] += 1
        else:
            kept.append(signal)
    return kept, {"offered": len(offered), "kept": len(kept), "rejected": dict(rejected)}


def _known(signal: Signal, signals: list[Signal]) -> bool:
    """Whether a signal of the same type quotes the same sentence or names the same entity."""
    quotes = {e.quote for e in signal.evidence}
    return any(
        s.type is signal.type
        and (quotes & {e.quote for e in s.evidence} or (s.entity and s.entity == signal.entity))
        for s in signals
    )


def _layer(name: LayerName, gathered: Gathered, written: Written, settings: Settings) -> Layer:
    """One layer from the checked draft: its summary kept only when claims back it."""
    spec = gathered.specs[name]
    part = written.draft.layer(name)
    claims = [written.passages.claim(c) for c in part.claims]
    thin = len(claims) < settings.min_claims_per_layer
    summary = finished(part.summary)
    if not claims:
        summary = f"Unknown: the sources say nothing well-evidenced about this layer. {spec.gap}"
    elif f"layers.{name.value}.summary" in written.withheld:
        summary = (
            f"{len(claims)} grounded statement(s) below; the model's summary was withheld "
            "because it repeated text planted in a source."
        )
    gaps = [spec.gap] if thin else []
    return Layer(
        summary=summary, claims=claims, gaps=gaps, questions=list(spec.questions) if thin else []
    )
