"""Value messages: one per persona, in that persona's value language, citing the client.

Only public sources may be cited: the CSM's own notes and internal figures never reach a
message a customer will hear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

import yaml

from agent.schemas import Account, Persona, SourceKind, ValueMessage
from agent.synthesize.evidence import Candidate
from agent.synthesize.scoring import cue_hits, layer_query_vectors
from agent.validate import LeakCheck, internal_terms
from knowledge.store import KnowledgeStore

#: A persona's cited sentence must at least be this similar to the persona's concerns.
MIN_FIT = 0.15
#: Sentences tried per persona before it gets a question instead of a quote.
MAX_TRIED = 25
DEFAULT_QUESTION = "What matters most to you this year?"

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
    data = yaml.safe_load(text)
    return {Persona(key): PersonaSpec(persona=Persona(key), **value) for key, value in data.items()}


def write_messages(
    account: Account,
    personas: Sequence[Persona],
    candidates: Sequence[Candidate],
    store: KnowledgeStore,
    questions: Sequence[str],
    terms: Sequence[str] | None = None,
) -> list[ValueMessage]:
    """One message per requested persona, each citing a different public sentence if it can.

    Every message passes the validator's own internal-data check (`LeakCheck` over `terms`,
    by default those of every stored source): a sentence whose message would fail it is
    passed over for the next best, and a persona left without one gets a question instead.
    """
    specs = load_personas()
    if terms is None:
        terms = internal_terms(account, store.sources(account.account_id))
    check = LeakCheck(terms)
    public = [c for c in candidates if not c.source.internal and c.embedding is not None]
    used: set[tuple[str, int]] = set()
    messages = []
    for persona in personas:
        spec = specs[persona]
        voiced = [c for c in public if _client_voice(c, persona)]
        message = None
        for proof in _ranked_fit(spec, voiced, used, store)[:MAX_TRIED]:
            message = _first_clean(check, _citing(account, spec, proof))
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
) -> list[Candidate]:
    """The sentences fit for this persona, best first: those no other message cites, then
    the rest."""
    if not public:
        return []
    query = layer_query_vectors(store, (spec.query,))[0]
    scored = []
    for candidate in public:
        assert candidate.embedding is not None
        fit = float(candidate.embedding @ query) + 0.05 * cue_hits(candidate.text, spec.language)
        fit *= 0.8 + 0.2 * candidate.recency
        scored.append((fit, candidate))
    scored.sort(key=lambda pair: -pair[0])
    fitting = [c for f, c in scored if f >= MIN_FIT]
    return [c for c in fitting if c.key not in used] + [c for c in fitting if c.key in used]


def _first_clean(check: LeakCheck, drafts: Iterable[ValueMessage]) -> ValueMessage | None:
    """The first draft the internal-data check passes."""
    return next((d for d in drafts if not check.errors(0, d)), None)


def _citing(account: Account, spec: PersonaSpec, proof: Candidate) -> Iterator[ValueMessage]:
    """Messages quoting `proof`, the client's own KPI and the source's title first."""
    client_kpi = kpi_in(proof.text) if spec.use_client_kpi else None
    kpis = list(dict.fromkeys(k for k in (client_kpi, spec.default_kpi) if k))
    quote = proof.text.strip("\"'“”‘’ ")
    for titled in (True, False):
        for kpi in kpis:
            message = (
                f"{spec.opener}. {_said(account, proof, titled)}: “{quote}” "
                f"Proposed outcome: {spec.outcome.format(kpi=kpi)}. {spec.close}"
            )
            yield ValueMessage(
                persona=spec.persona, message=message, proof_points=[proof.evidence()]
            )


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
