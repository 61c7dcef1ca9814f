"""Their KPI ↔ our product: the client's own metrics matched to what our products move (the
seller profile), outcomes stated as "increase X by Y by Z", and value estimates in money.

X is the client's KPI in its own words, Y our typical impact (seller profile), Z the client's
own date when its sentence states one. An estimate starts from the client's revenue figure and
shows its arithmetic; it is always called an estimate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from agent.schemas import KpiLink, ValueEstimate
from agent.seller import Move, Product, SellerProfile
from agent.synthesize.evidence import Candidate
from agent.synthesize.figures import Revenue, currency_of, format_money
from agent.synthesize.salience import statement_kind
from agent.synthesize.scoring import cue_hits

#: Most KPI links a brief lists.
MAX_LINKS = 6
_WHEN = re.compile(
    r"\b(?:by (?:the )?(?:end of |close of )?"
    r"(?:(?:the )?(?:first|second|third|fourth) quarter of )?(?:fiscal )?20\d\d"
    r"|by (?:the )?end of (?:the|this|next) (?:year|quarter)"
    r"|(?:in|during) (?:the )?(?:(?:first|second|third|fourth) quarter of |first half of "
    r"|second half of )?(?:fiscal )?20\d\d|next year|this year|within (?:the next )?\w+ "
    r"(?:quarters?|months?|years?)|over the next \w+ (?:quarters?|months?|years?))\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Mapped:
    """A client KPI, the sentence in which the client names it, and our move on it."""

    kpi: str
    product: Product
    move: Move
    said: Candidate

    def link(self) -> KpiLink:
        """As the brief's KPI ↔ product row."""
        return KpiLink(
            client_kpi=self.kpi,
            product=self.product.name,
            impact=f"{self.move.direction} by {self.move.impact()} within {self.move.within}",
            evidence=[self.said.evidence()],
        )


def map_kpis(candidates: Sequence[Candidate], profile: SellerProfile) -> list[Mapped]:
    """Each of our moves matched to the client's most salient public sentence naming its KPI
    (a statement of a priority, result or plan); the KPIs the client names most often first."""
    public = [c for c in candidates if not c.source.internal and statement_kind(c.text)]
    found = []
    for product, move in profile.moves():
        naming = [c for c in public if cue_hits(c.text, move.names())]
        if not naming:
            continue
        best = max(
            naming,
            key=lambda c: (
                bool(cue_hits(c.text, [move.kpi])),
                statement_kind(c.text) == "priority",
                c.salience,
            ),
        )
        found.append((len(naming), Mapped(_named(best.text, move), product, move, best)))
    found.sort(key=lambda pair: (-pair[0], -pair[1].said.salience))
    return [mapped for _, mapped in found[:MAX_LINKS]]


def outcome(mapped: Mapped) -> str:
    """ "increase X by Y by Z": the client's KPI, our typical impact, the client's own date
    when its sentence gives one (else our typical time to impact)."""
    when = client_date(mapped.said.text)
    by = when if when else f"within {mapped.move.within}"
    return f"{mapped.move.direction} {mapped.kpi} by {mapped.move.impact()} {by}"


def client_date(text: str) -> str | None:
    """The date or horizon a client sentence sets itself ("by the end of 2027", "next year")."""
    match = _WHEN.search(text)
    return match.group(0) if match else None


def estimate(mapped: Mapped, revenue: Revenue | None) -> ValueEstimate | None:
    """What our typical impact on the KPI is worth a year, from the client's revenue figure;
    None without a figure or without a value share in the seller profile."""
    move = mapped.move
    if revenue is None or move.value_percent is None or move.value_of != "revenue":
        return None
    low_pct, high_pct = move.value_percent
    symbol = currency_of(revenue.text)
    low, high = revenue.amount * low_pct / 100, revenue.amount * high_pct / 100
    base = format_money(revenue.amount, symbol)
    steps = [f"{_pct(low_pct)} of {base} ≈ {format_money(low, symbol)}"]
    if high_pct != low_pct:
        steps.append(f"{_pct(high_pct)} of {base} ≈ {format_money(high, symbol)}")
    stated = f"“{revenue.text}”" + ("" if revenue.note == "as stated" else f", {revenue.note}")
    return ValueEstimate(
        kpi=mapped.kpi,
        product=mapped.product.name,
        basis=f"the client's revenue: {stated}",
        arithmetic="; ".join(steps) + " a year",
        low=low,
        high=high,
        evidence=[revenue.evidence],
    )


def estimate_sentence(value: ValueEstimate) -> str:
    """The estimate as a message says it, marked as an estimate."""
    symbol = currency_of(value.basis)
    span = format_money(value.low, symbol)
    if value.high != value.low:
        span += f" to {format_money(value.high, symbol)}"
    return f"Estimated value: {span} a year ({value.arithmetic}; an estimate from {value.basis})."


def _named(text: str, move: Move) -> str:
    """The KPI as the client's sentence names it (its own spelling), else our name for it."""
    for name in sorted(move.names(), key=len, reverse=True):
        match = re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, re.IGNORECASE)
        if match:
            named = match.group(0)
            opens = match.start() == 0 or text[: match.start()].rstrip().endswith(("“", '"'))
            # capitalized only because it opens the sentence
            return named[0].lower() + named[1:] if opens and not named[:2].isupper() else named
    return move.kpi


def _pct(value: float) -> str:
    return f"{value:g}%"
