"""What every brief carries, whoever wrote it: at a glance, their KPI ↔ our product, signals,
triage, stakeholders, cited sources, gaps and timings, then validation of the whole against
the stored texts."""

from __future__ import annotations

import time
from collections.abc import Mapping

from pydantic import ValidationError

from agent.deps import Deps
from agent.errors import BriefingInvalid
from agent.research import load_report, source_gaps
from agent.schemas import Account, AccountRef, Briefing, Source, SourceRef
from agent.seller import NO_SELLER, SellerProfile, internal_proof_texts
from agent.synthesize.gather import Gathered
from agent.synthesize.glance import at_a_glance
from agent.validate import internal_terms


def finish(deps: Deps, account: Account, gathered: Gathered, draft: Briefing) -> Briefing:
    """Add what every brief carries (signals, triage, stakeholders, cited sources, gaps,
    timings) and validate the whole against the stored texts."""
    sources = gathered.sources
    draft.signals = gathered.assessment.signals
    draft.triage = gathered.assessment.triage
    draft.stakeholders = gathered.assessment.stakeholders
    if draft.at_a_glance is None:
        specs = gathered.specs
        discovery = [q for name in (draft.focus_layer, *specs) for q in specs[name].questions]
        draft.at_a_glance = at_a_glance(
            gathered.candidates,
            draft.layers,
            draft.stakeholders,
            draft.signals,
            sources,
            gathered.as_of,
            discovery,
        )
    if gathered.seller is None:
        draft.notices.append(NO_SELLER)
    else:
        draft.seller = gathered.seller.company
        draft.kpi_map = [m.link() for m in gathered.mapped]
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
    return validated(draft, account, sources, gathered.seller)


def account_ref(account: Account) -> AccountRef:
    """The account as a brief names it."""
    return AccountRef(
        account_id=account.account_id,
        name=account.name,
        domain=account.domain,
        ticker=account.ticker,
    )


def validated(
    draft: Briefing,
    account: Account,
    sources: Mapping[str, Source],
    seller: SellerProfile | None = None,
) -> Briefing:
    """The draft re-validated against the stored texts; raises `BriefingInvalid` with reasons.
    Our proof points that are not shareable count as internal data, like the CSM's notes."""
    context = {
        "source_texts": {i: s.text for i, s in sources.items()},
        "internal_terms": internal_terms(account, sources.values()) + internal_proof_texts(seller),
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
