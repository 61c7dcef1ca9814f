"""The contract: what goes into dossier, what is stored, and the briefing that comes out.

Field descriptions are written for the reader of a briefing and for a model producing one.
`Briefing` verifies its own grounding when validated with a context that carries the stored
source texts: `Briefing.model_validate(data, context={"source_texts": {...}})`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, model_validator


class SourceKind(StrEnum):
    """What a source is; decides how it is parsed and whether it is internal."""

    earnings_call = "earnings_call"
    filing = "filing"
    news = "news"
    job_posting = "job_posting"
    employee_review = "employee_review"
    web_page = "web_page"
    crm_note = "crm_note"


#: Kinds whose text is the CSM's own, never to be shown to the customer.
INTERNAL_KINDS = frozenset({SourceKind.crm_note})


class LayerName(StrEnum):
    """The four layers of business context in a briefing."""

    commercial = "commercial"
    competitive = "competitive"
    ecosystem = "ecosystem"
    internal = "internal"


class Persona(StrEnum):
    """The kinds of stakeholder a value message is written for."""

    procurement = "procurement"
    finance = "finance"
    business_unit_leader = "business_unit_leader"
    end_user = "end_user"
    champion = "champion"
    executive_sponsor = "executive_sponsor"


class SignalType(StrEnum):
    """The 25 signal types: 18 from the client's world, 7 from the CSM's own data."""

    executive_departure = "executive_departure"
    executive_appointment = "executive_appointment"
    funding_round = "funding_round"
    layoffs = "layoffs"
    hiring_surge = "hiring_surge"
    acquisition = "acquisition"
    partnership = "partnership"
    product_launch = "product_launch"
    competitor_move = "competitor_move"
    financial_results = "financial_results"
    earnings_guidance = "earnings_guidance"
    strategic_priority = "strategic_priority"
    expansion = "expansion"
    budget_pressure = "budget_pressure"
    tech_stack = "tech_stack"
    vendor_evaluation = "vendor_evaluation"
    employee_sentiment = "employee_sentiment"
    legal_regulatory = "legal_regulatory"
    usage_decline = "usage_decline"
    seat_limit = "seat_limit"
    support_spike = "support_spike"
    champion_departure = "champion_departure"
    renewal_window = "renewal_window"
    missed_qbr = "missed_qbr"
    health_decline = "health_decline"


Severity = Literal["red", "yellow", "info"]
Polarity = Literal["risk", "opportunity", "context"]
StakeholderStatus = Literal["current", "new", "departed", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Account(_Model):
    """One client account of the CSM's book. `arr`, `renewal_date`, `plan` and `seats_purchased`
    are internal figures: they may inform the CSM, never a customer-facing message."""

    account_id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", description="Stable slug id.")
    name: str = Field(min_length=1)
    domain: str | None = None
    ticker: str | None = None
    cik: str | None = None
    greenhouse: str | None = Field(None, description="Greenhouse job-board token.")
    lever: str | None = Field(None, description="Lever postings site name.")
    ashby: str | None = Field(None, description="Ashby job-board name.")
    news_query: str | None = None
    aliases: list[str] = Field(default_factory=list)
    newsroom_feed: str | None = None
    reviews_url: str | None = None
    competitors: list[str] = Field(default_factory=list)
    arr: float | None = None
    renewal_date: date | None = None
    plan: str | None = None
    seats_purchased: int | None = None
    owner: str | None = None
    segment: str | None = None

    def names(self) -> list[str]:
        """The name and aliases the client goes by."""
        return [self.name, *self.aliases]


class Source(_Model):
    """A normalized document about an account, with its full stored text."""

    id: str = Field(description="Stable id: the same document always gets the same id.")
    account_id: str
    kind: SourceKind
    title: str
    url: str | None = None
    published_at: datetime | None = None
    retrieved_at: datetime
    text: str = Field(min_length=1, description="The full stored text that quotes must come from.")
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def internal(self) -> bool:
        """True for the CSM's own notes, which never reach a customer-facing message."""
        return self.kind in INTERNAL_KINDS


class Chunk(_Model):
    """A sentence-aligned span of a source; `source.text[start:end] == text`."""

    id: str
    source_id: str
    account_id: str
    index: int = Field(ge=0)
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Evidence(_Model):
    """The exact words of a source that support a statement."""

    source_id: str = Field(description="Id of a source stored for this account.")
    quote: str = Field(
        min_length=1,
        description="Verbatim text from that source (whitespace and case may differ).",
    )


class Claim(_Model):
    """A statement in a briefing and the evidence for it."""

    text: str = Field(min_length=1, description="The statement, as the CSM should read it.")
    evidence: list[Evidence] = Field(min_length=1)
    kind: str | None = Field(
        None, description="The kind of fact it states (knowledge/layers.yaml), e.g. guidance."
    )


class Layer(_Model):
    """One layer of business context: what is known, with proof, and what is not."""

    summary: str = Field(description="Two or three sentences; says so when little is known.")
    claims: list[Claim] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list, description="What the sources do not say.")
    questions: list[str] = Field(
        default_factory=list, description="Discovery questions to ask in the call."
    )


class Layers(_Model):
    """The four layers of a briefing."""

    commercial: Layer
    competitive: Layer
    ecosystem: Layer
    internal: Layer

    def items(self) -> list[tuple[LayerName, Layer]]:
        """The layers in their fixed order."""
        return [(name, getattr(self, name.value)) for name in LayerName]


class Signal(_Model):
    """Something that changed at the client, or in the CSM's data, that calls for action.

    External signals quote their sources; signals from the CSM's own data (usage, seats,
    tickets, meetings, health, contacts) carry their figures in `metrics` instead.
    """

    type: SignalType
    severity: Severity
    polarity: Polarity
    summary: str
    occurred_at: date | None = None
    entity: str | None = Field(
        None, description="Who or what it is about: a person, a role such as CFO, a vendor."
    )
    evidence: list[Evidence] = Field(default_factory=list)
    metrics: dict[str, float | int | str] = Field(default_factory=dict)


class Stakeholder(_Model):
    """A person at the client, what they hold, and where the relationship stands."""

    name: str
    title: str | None = None
    role: str | None = Field(None, description="Buying role, e.g. champion or economic buyer.")
    status: StakeholderStatus = "current"
    evidence: list[Evidence] = Field(default_factory=list)


class ValueEstimate(_Model):
    """What an outcome is worth in money, from the client's own figure: always an estimate,
    with its arithmetic shown."""

    kpi: str = Field(description="The client's KPI the outcome moves.")
    product: str = Field(description="Our product that moves it.")
    basis: str = Field(description="The client's figure the estimate starts from, as stated.")
    arithmetic: str = Field(description="How it was computed, e.g. '0.5% of $2.46B ≈ $12M'.")
    low: float = Field(ge=0, description="The estimate's low end, in the basis' currency.")
    high: float = Field(ge=0, description="The estimate's high end.")
    evidence: list[Evidence] = Field(min_length=1, description="Where the client states it.")


class ValueMessage(_Model):
    """What to say to one kind of stakeholder, in their value language, citing the client."""

    persona: Persona
    message: str = Field(min_length=1)
    proof_points: list[Evidence] = Field(default_factory=list)
    outcome: str | None = Field(
        None,
        description="'increase X by Y by Z': the client's KPI, our typical impact, their date.",
    )
    product: str | None = Field(None, description="Our product the outcome rests on.")
    estimate: ValueEstimate | None = None


class KeyNumber(_Model):
    """A figure the client stated (revenue, growth, guidance, margin, headcount, capex...)."""

    metric: str = Field(description="What the figure measures, e.g. 'Revenue' or 'Guidance'.")
    value: str = Field(min_length=1, description="The figure as the source writes it.")
    period: str | None = Field(None, description="The period it covers, when stated.")
    evidence: list[Evidence] = Field(min_length=1)


class AtAGlance(_Model):
    """One screen above the layers: what the client says matters, its numbers, what changed,
    and what to ask."""

    priorities: list[Claim] = Field(
        default_factory=list, description="The client's top strategic priorities, in its words."
    )
    key_numbers: list[KeyNumber] = Field(default_factory=list)
    changes: list[Claim] = Field(
        default_factory=list, description="What changed: guidance, leadership, new signals."
    )
    questions: list[str] = Field(default_factory=list, description="The three questions to ask.")


class KpiLink(_Model):
    """One of the client's own KPIs or priorities and the product of ours that moves it."""

    client_kpi: str = Field(description="The KPI as the client names it.")
    product: str
    impact: str = Field(description="Our typical impact on it (from the seller profile).")
    evidence: list[Evidence] = Field(min_length=1, description="The client naming the KPI.")


TriageStatus = Literal["red", "yellow", "green"]


class Triage(_Model):
    """Where the account stands and what to do about it (for the CSM, never the customer)."""

    status: TriageStatus
    expansion: bool = Field(description="A signal says the customer is about to outgrow the plan.")
    reasons: list[str] = Field(default_factory=list, description="The signals behind the status.")
    plays: list[str] = Field(default_factory=list, description="What to do, most urgent first.")


class Changes(_Model):
    """What is new since the CSM's previous brief of this account."""

    previous_brief_at: datetime | None = Field(
        None, description="When the previous brief was made; none for a first brief."
    )
    new_signals: list[Signal] = Field(
        default_factory=list, description="Signals the previous brief did not carry."
    )


class SourceRef(_Model):
    """A source as a briefing lists it."""

    id: str
    kind: SourceKind
    title: str
    url: str | None = None
    published_at: datetime | None = None


class AccountRef(_Model):
    """Who the briefing is about (no internal figures)."""

    account_id: str
    name: str
    domain: str | None = None
    ticker: str | None = None


class BriefRequest(_Model):
    """What the CSM asked for."""

    account_id: str
    personas: list[Persona] = Field(default_factory=lambda: list(Persona))
    as_of: datetime | None = Field(None, description="Clock for recency; now when unset.")
    purpose: str | None = Field(
        None, description="What the CSM is preparing for, e.g. 'a call with the new CFO'."
    )
    research: bool = Field(
        True, description="LLM mode: let the model fetch sources first (else the store only)."
    )


class Briefing(_Model):
    """A pre-call briefing in which every claim quotes a stored source."""

    account: AccountRef
    generated_at: datetime
    mode: str = Field(pattern=r"^(extractive|llm:.+)$")
    headline: str
    focus_layer: LayerName
    focus_reason: str = Field(description="Why this layer matters most right now.")
    at_a_glance: AtAGlance | None = None
    layers: Layers
    signals: list[Signal] = Field(default_factory=list)
    triage: Triage | None = None
    changes: Changes | None = Field(None, description="Since the previous brief (from the ledger).")
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    messages: list[ValueMessage] = Field(default_factory=list)
    seller: str | None = Field(None, description="Whose products the brief maps (our company).")
    kpi_map: list[KpiLink] = Field(
        default_factory=list, description="Their KPI ↔ our product, from the seller profile."
    )
    sources: list[SourceRef] = Field(default_factory=list)
    source_gaps: list[str] = Field(
        default_factory=list, description="Sources that could not be used, and why."
    )
    notices: list[str] = Field(
        default_factory=list,
        description="What the reader must know about how this brief was made, e.g. that the "
        "model failed and the extractive synthesizer wrote it instead.",
    )
    metadata: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _grounded(self, info: ValidationInfo) -> Briefing:
        context = info.context if isinstance(info.context, dict) else None
        if context and "source_texts" in context:
            from agent.validate import grounding_errors, leak_errors

            problems = grounding_errors(self, context["source_texts"])
            problems += leak_errors(self.messages, context.get("internal_terms", []))
            if problems:
                raise ValueError("; ".join(problems))
        return self

    def all_evidence(self) -> list[tuple[str, Evidence]]:
        """Every evidence item with the path of the statement that cites it."""
        found: list[tuple[str, Evidence]] = []
        if self.at_a_glance is not None:
            glance = self.at_a_glance
            for i, claim in enumerate(glance.priorities):
                found += [(f"at_a_glance.priorities[{i}]", e) for e in claim.evidence]
            for i, number in enumerate(glance.key_numbers):
                found += [(f"at_a_glance.key_numbers[{i}]", e) for e in number.evidence]
            for i, claim in enumerate(glance.changes):
                found += [(f"at_a_glance.changes[{i}]", e) for e in claim.evidence]
        for name, layer in self.layers.items():
            for i, claim in enumerate(layer.claims):
                found += [(f"layers.{name}.claims[{i}]", e) for e in claim.evidence]
        for i, signal in enumerate(self.signals):
            found += [(f"signals[{i}]", e) for e in signal.evidence]
        for i, person in enumerate(self.stakeholders):
            found += [(f"stakeholders[{i}]", e) for e in person.evidence]
        for i, msg in enumerate(self.messages):
            found += [(f"messages[{i}]", e) for e in msg.proof_points]
            if msg.estimate is not None:
                found += [(f"messages[{i}].estimate", e) for e in msg.estimate.evidence]
        for i, link in enumerate(self.kpi_map):
            found += [(f"kpi_map[{i}]", e) for e in link.evidence]
        return found
