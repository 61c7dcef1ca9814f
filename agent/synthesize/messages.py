"""Value messages: one per persona, in that persona's value language, citing the client.

A message's proof point is the client stating a priority, result or plan (never a roster line,
a greeting or a question). With a seller profile, its outcome is "increase X by Y by Z": the
client's own KPI, our typical impact on it, the client's own date; finance and the executive
sponsor also hear what it is worth in money, as an estimate with its arithmetic. Only public
sources may be cited, and only our shareable proof points said: the CSM's own notes, internal
figures and internal case studies never reach a message a customer will hear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from agent.schemas import Account, Persona, SourceKind, ValueMessage
from agent.seller import SellerProfile
from agent.synthesize.evidence import Candidate
from agent.synthesize.figures import Revenue
from agent.synthesize.salience import proof_worthy
from agent.synthesize.scoring import cue_hits, layer_query_vectors
from agent.synthesize.value import Mapped, estimate, estimate_sentence, outcome
from agent.validate import LeakCheck, internal_terms
from knowledge.store import KnowledgeStore
from knowledge.yaml_text import load_yaml

#: A persona's cited sentence must at least be this similar to the persona's concerns.
MIN_FIT = 0.15
#: Sentences tried per persona before it gets a question instead of a quote.
MAX_TRIED = 25
DEFAULT_QUESTION = "What matters most to you this year?"
#: What naming a KPI our products move adds to a sentence's fit for a persona held to KPIs.
MAPPED_FIT = 0.1
#: What an executive's own spoken words add for such a persona.
SPOKEN_FIT = 0.05
#: Personas told what an outcome is worth in money.
VALUED = frozenset({Persona.finance, Persona.executive_sponsor})
#: Personas given one of our shareable proof points.
PROVEN = frozenset({Persona.champion, Persona.business_unit_leader})

#: Business metrics a client names. A metric may carry modifiers from `_KPI_MODIFIERS` only,
#: so "show up as revenue" yields "revenue", and "mobile checkout conversion" stays whole.
_KPI_MODIFIERS = (
    r"mobile|desktop|online|digital|checkout|net|gross|operating|adjusted|ebitda|customer|revenue"
    r"|subscription|recurring|same-store|same-day|on-time|patient|member|loyalty|app|cart|order"
    r"|annual|quarterly|average|cash|free|unit|contribution"
)
_KPI = re.compile(
    rf"\b((?:(?:{_KPI_MODIFIERS}) ){{0,3}}"
    r"(?:conversion(?: rate)?|margin|revenue|order value|retention|churn"
    r"|cost per [a-z]+(?: [a-z]+)?"
    r"|delivery|utilization|throughput|lifetime value|net promoter score|market share|bookings"
    r"|cash flow|ebitda|sales|time to [a-z]+|vacancy rate|encounters?))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PersonaSpec:
    """How one kind of stakeholder hears value."""

    persona: Persona
    title: str
    cares_about: str
    language: list[str]
    query: str
    opener: str
    outcome: str
    default_kpi: str
    use_client_kpi: bool
    close: str


@cache
def load_personas() -> dict[Persona, PersonaSpec]:
    """The persona value language from knowledge/personas.yaml."""
    text = resources.files("knowledge").joinpath("personas.yaml").read_text(encoding="utf-8")
    data = load_yaml(text)
    return {Persona(key): PersonaSpec(persona=Persona(key), **value) for key, value in data.items()}


def write_messages(
    account: Account,
    personas: Sequence[Persona],
    candidates: Sequence[Candidate],
    store: KnowledgeStore,
    questions: Sequence[str],
    terms: Sequence[str] | None = None,
    mapped: Sequence[Mapped] = (),
    revenue: Revenue | None = None,
    seller: SellerProfile | None = None,
) -> list[ValueMessage]:
    """One message per requested persona, each citing a different public sentence if it can.

    Every message passes the validator's own internal-data check (`LeakCheck` over `terms`,
    by default those of every stored source): a sentence whose message would fail it is
    passed over for the next best, and a persona left without one gets a question instead.
    `mapped` are the client's KPIs our products move (agent/synthesize/value.py), `revenue`
    the client's figure value estimates start from, `seller` our profile.
    """
    specs = load_personas()
    if terms is None:
        terms = internal_terms(account, store.sources(account.account_id))
    check = LeakCheck(terms)
    public = [
        c
        for c in candidates
        if not c.source.internal and c.embedding is not None and proof_worthy(c.text)
    ]
    used: set[tuple[str, int]] = set()
    messages = []
    for persona in personas:
        spec = specs[persona]
        voiced = [c for c in public if _client_voice(c, persona)]
        message = None
        for proof in _ranked_fit(spec, voiced, used, store, mapped)[:MAX_TRIED]:
            plan = _plan_for(spec, proof, mapped)
            drafts = _citing(account, spec, proof, plan, revenue, seller)
            message = _first_clean(check, drafts)
            if message is not None:
                used.add(proof.key)
                break
        message = message or _first_clean(check, _asking(account, spec, questions))
        if message is not None:
            messages.append(message)
    return messages


def kpi_in(text: str) -> str | None:
    """The business metric a sentence names, if any."""
    found = [m.group(1) for m in _KPI.finditer(text)]
    return max(found, key=len).casefold() if found else None


_FIRST_PERSON = re.compile(r"\b(we|our|us)\b", re.IGNORECASE)


def _client_voice(candidate: Candidate, persona: Persona) -> bool:
    """Whether a sentence is the client speaking, fit to quote back to this persona.

    A job posting's requirement list is not a statement; an employee review speaks for the
    people who do the work, so only the end-user message may cite one.
    """
    kind = candidate.source.kind
    if kind is SourceKind.employee_review:
        return persona is Persona.end_user
    if kind is SourceKind.job_posting:
        return bool(_FIRST_PERSON.search(candidate.text))
    return True


def _said(account: Account, proof: Candidate, titled: bool = True) -> str:
    """Who the quote is from, without putting a reporter's words in the client's mouth.

    Untitled, it names no source title (a title may carry words no message may say).
    """
    kind = proof.source.kind
    if proof.speaker:
        where = f" on the {proof.source.title}" if titled else ""
        return f"{proof.speaker} said{where}"
    if _own_site(account, proof.source.url):
        return f"{account.name} wrote"
    if kind is SourceKind.news:
        return f"As “{proof.source.title}” reported" if titled else "As a news report put it"
    if kind is SourceKind.job_posting:
        return f"{account.name}'s own job posting says"
    if kind is SourceKind.employee_review:
        return "Your own employees wrote"
    if kind is SourceKind.filing:
        return f"{account.name} told the SEC"
    return f"{account.name} wrote"


def _own_site(account: Account, url: str | None) -> bool:
    if not (account.domain and url):
        return False
    host = (urlsplit(url).hostname or "").casefold()
    domain = account.domain.casefold().removeprefix("www.")
    return host == domain or host.endswith("." + domain)


def _ranked_fit(
    spec: PersonaSpec,
    public: Sequence[Candidate],
    used: set[tuple[str, int]],
    store: KnowledgeStore,
    mapped: Sequence[Mapped] = (),
) -> list[Candidate]:
    """The sentences fit for this persona, best first: those no other message cites, then
    the rest. For a persona held to KPIs, a sentence naming a KPI our products move fits
    better."""
    if not public:
        return []
    query = layer_query_vectors(store, (spec.query,))[0]
    first = mapped[0].move.names() if mapped and spec.use_client_kpi else []
    others = [n for m in mapped[1:] for n in m.move.names()] if spec.use_client_kpi else []
    scored = []
    for candidate in public:
        assert candidate.embedding is not None
        fit = float(candidate.embedding @ query) + 0.05 * cue_hits(candidate.text, spec.language)
        # the client's most named KPI first; an executive's words before a job posting's
        if cue_hits(candidate.text, first):
            fit += MAPPED_FIT
        elif cue_hits(candidate.text, others):
            fit += MAPPED_FIT / 2
        if spec.use_client_kpi and candidate.speaker:
            fit += SPOKEN_FIT
        fit *= 0.8 + 0.2 * candidate.recency
        scored.append((fit, candidate))
    scored.sort(key=lambda pair: -pair[0])
    fitting = [c for f, c in scored if f >= MIN_FIT]
    return [c for c in fitting if c.key not in used] + [c for c in fitting if c.key in used]


def _first_clean(check: LeakCheck, drafts: Iterable[ValueMessage]) -> ValueMessage | None:
    """The first draft the internal-data check passes."""
    return next((d for d in drafts if not check.errors(0, d)), None)


def _plan_for(spec: PersonaSpec, proof: Candidate, mapped: Sequence[Mapped]) -> Mapped | None:
    """The KPI of ours a message proposes to move: the one its proof names, else (for a
    persona held to the client's KPIs) the client's most salient one."""
    for plan in mapped:
        if cue_hits(proof.text, plan.move.names()):
            return plan
    return mapped[0] if mapped and spec.use_client_kpi else None


def _citing(
    account: Account,
    spec: PersonaSpec,
    proof: Candidate,
    plan: Mapped | None = None,
    revenue: Revenue | None = None,
    seller: SellerProfile | None = None,
) -> Iterator[ValueMessage]:
    """Messages quoting `proof`, the client's own KPI and the source's title first; with a
    `plan`, the outcome is ours on the client's KPI, by the client's date."""
    quote = proof.text.strip("\"'“”‘’ ")
    if plan is not None:
        value = estimate(plan, revenue) if spec.persona in VALUED else None
        ours = _our_proof(seller, plan) if spec.persona in PROVEN else ""
        worth = f" {estimate_sentence(value)}" if value else ""
        target = outcome(plan)
        for titled in (True, False):
            yield ValueMessage(
                persona=spec.persona,
                message=(
                    f"{spec.opener}. {_said(account, proof, titled)}: “{quote}” Proposed outcome: "
                    f"{target}, with {plan.product.name}.{worth}{ours} {spec.close}"
                ),
                proof_points=[proof.evidence()],
                outcome=target,
                product=plan.product.name,
                estimate=value,
            )
    client_kpi = kpi_in(proof.text) if spec.use_client_kpi else None
    kpis = list(dict.fromkeys(k for k in (client_kpi, spec.default_kpi) if k))
    for titled in (True, False):
        for kpi in kpis:
            message = (
                f"{spec.opener}. {_said(account, proof, titled)}: “{quote}” "
                f"Proposed outcome: {spec.outcome.format(kpi=kpi)}. {spec.close}"
            )
            yield ValueMessage(
                persona=spec.persona, message=message, proof_points=[proof.evidence()]
            )


def _our_proof(seller: SellerProfile | None, plan: Mapped) -> str:
    """One shareable result of ours with the product, as a message may say it."""
    if seller is None:
        return ""
    shareable = seller.proof_for(plan.product.name)
    return f" Our proof: {shareable[0].text}" if shareable else ""


def _asking(
    account: Account, spec: PersonaSpec, questions: Sequence[str]
) -> Iterator[ValueMessage]:
    """Messages that cite nothing and open with a question instead."""
    for ask in dict.fromkeys([*questions[:1], DEFAULT_QUESTION]):
        yield ValueMessage(
            persona=spec.persona,
            message=(
                f"{spec.opener}. We have found no public statement from {account.name} on "
                f"{spec.cares_about} yet, so open with a question: {ask}"
            ),
        )
    yield ValueMessage(
        persona=spec.persona,
        message=f"{spec.opener}. Open the call with a question: {DEFAULT_QUESTION}",
    )
