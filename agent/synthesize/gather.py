"""What every synthesizer starts from: the stored sources as they stood on the brief's day,
their candidate sentences scored against the four layers, the account's assessment, and our
own seller profile with the client KPIs it moves."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from agent.assess import Assessment, assess
from agent.deps import Deps
from agent.schemas import Account, BriefRequest, LayerName, Source
from agent.seller import SellerProfile, load_seller
from agent.synthesize.evidence import Candidate, candidates_from, whole_sources
from agent.synthesize.figures import Revenue, revenue_base
from agent.synthesize.scoring import score_candidates
from agent.synthesize.value import Mapped, map_kpis
from knowledge.retrieve import LayerSpec, load_layers, retrieve_all


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
    #: Our own company (the workspace's seller profile), the client KPIs its products move,
    #: and the client's revenue figure that value estimates start from.
    seller: SellerProfile | None = None
    mapped: list[Mapped] = field(default_factory=list)
    revenue: Revenue | None = None


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
    candidates = candidates_from(
        retrieved,
        sources,
        as_of,
        settings.recency_half_life_days,
        read_whole=whole_sources(list(sources.values())),
    )
    assessment = assess(deps, account, list(sources.values()), as_of)
    score_candidates(
        candidates,
        specs,
        deps.store,
        extra_cues={LayerName.competitive: account.competitors},
        signalled=[e.quote for s in assessment.signals for e in s.evidence],
    )
    seller = load_seller(settings)
    mapped = map_kpis(candidates, seller) if seller else []
    return Gathered(
        as_of,
        specs,
        sources,
        candidates,
        assessment,
        started,
        seller=seller,
        mapped=mapped,
        revenue=revenue_base(candidates),
    )
