"""The extractive brief: written from the best-scoring sentences themselves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from agent.assess.stakeholders import leadership_changes
from agent.deps import Deps
from agent.schemas import Account, Briefing, BriefRequest, LayerName
from agent.seller import internal_proof_texts
from agent.synthesize.extractive import assign_layers, build_layers, choose_focus, headline
from agent.synthesize.finish import account_ref, finish
from agent.synthesize.gather import Gathered
from agent.synthesize.leaders import leadership_claim
from agent.synthesize.messages import write_messages
from agent.validate import internal_terms


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
    stakeholders = gathered.assessment.stakeholders
    leaders = leadership_claim(account.name, stakeholders, gathered.sources)
    leading = {LayerName.internal: [leaders]} if leaders else {}
    layers = build_layers(chosen, gathered.specs, settings, gathered.as_of, leading)
    focus = choose_focus(
        chosen,
        gathered.specs,
        leadership_changes(stakeholders, gathered.sources, gathered.as_of),
    )
    questions = [q for _, layer in layers.items() for q in layer.questions]
    # the very terms `validated` checks, over the sources this brief reads
    terms = internal_terms(account, gathered.sources.values()) + internal_proof_texts(
        gathered.seller
    )
    messages = write_messages(
        account,
        request.personas,
        gathered.candidates,
        deps.store,
        questions,
        terms,
        mapped=gathered.mapped,
        revenue=gathered.revenue,
        seller=gathered.seller,
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
