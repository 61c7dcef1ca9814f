"""Grounding and internal-data checks shared by every synthesizer.

A quote is grounded when it occurs in its source's stored text after whitespace folding and
case folding. A customer-facing message is clean when it carries no internal figure or note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.schemas import Account, Briefing, Source, ValueMessage

_SPACE = re.compile(r"\s+")

#: Words that mark internal account-health language, never said to a customer.
INTERNAL_WORDS = (
    "ARR",
    "annual recurring revenue",
    "health score",
    "account health",
    "risk level",
    "churn risk",
    "at-risk",
    "red flag",
    "internal note",
    "CRM",
)

#: Text that talks to a model rather than about the client. A page's planted instructions are
#: data: they never become a claim, a quote or a message, whichever synthesizer writes.
INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override) (all |any |the )?(previous|prior|above|earlier|your)\b"
    r"|\b(system|developer) (prompt|message|instructions?)\b|^\s*(system|assistant|user)\s*:"
    r"|\byou are (now )?(an? )?(ai|assistant|language model|chatbot)\b|\bas an ai\b"
    r"|\b(write|say|state|report|tell (the|your) (user|reader))( that)? the"
    r" (client|customer|company) (will|is going to)\b|\bprompt injection\b|\bjailbreak"
    r"|\b(note|message|instructions?) (to|for) (all )?(ai|llms?|language models?|assistants?|"
    r"models?|agents?|bots?)\b|\b(ai|llm) (models?|assistants?|agents?|summari[sz]ers?)\b",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Whitespace-folded, case-folded text, for verbatim comparison."""
    return _SPACE.sub(" ", text).strip().casefold()


def clip(text: str, limit: int) -> str:
    """`text` on one line, cut to `limit` characters with an ellipsis when longer."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def instruction_like(text: str) -> bool:
    """True when `text` addresses a model ("ignore previous instructions", "note to AI
    assistants", ...) instead of saying something about the client."""
    return INSTRUCTION.search(text) is not None


def quote_found(quote: str, text: str) -> bool:
    """True when `quote` occurs verbatim in `text` (whitespace and case folded)."""
    needle = fold(quote)
    return bool(needle) and needle in fold(text)


def grounding_errors(briefing: Briefing, source_texts: Mapping[str, str]) -> list[str]:
    """One message per evidence item whose source is unknown or whose quote is not in it."""
    errors: list[str] = []
    for path, evidence in briefing.all_evidence():
        text = source_texts.get(evidence.source_id)
        if text is None:
            errors.append(f"{path} cites unknown source {evidence.source_id!r}")
        elif not quote_found(evidence.quote, text):
            quote = _short(evidence.quote)
            errors.append(f"{path} quote {quote!r} not found in source {evidence.source_id!r}")
    return errors


def internal_terms(account: Account, sources: Iterable[Source]) -> list[str]:
    """Strings that must never appear in a customer-facing message for this account."""
    terms: list[str] = []
    if account.arr is not None:
        terms += _money_spellings(account.arr)
    for source in sources:
        if source.internal:
            terms.append(f"source:{source.id}")
            terms += [s for s in _sentences(source.text) if len(s) >= 25]
    return terms


def leak_errors(messages: Iterable[ValueMessage], terms: Iterable[str]) -> list[str]:
    """One message per customer-facing message that carries internal data."""
    term_list = list(terms)
    cited_internal = {t.removeprefix("source:") for t in term_list if t.startswith("source:")}
    texts = [fold(t) for t in term_list if not t.startswith("source:")]
    errors: list[str] = []
    for i, msg in enumerate(messages):
        body = fold(msg.message + " " + " ".join(p.quote for p in msg.proof_points))
        for word in INTERNAL_WORDS:
            if re.search(rf"(?<!\w){re.escape(word.casefold())}(?!\w)", body):
                errors.append(f"messages[{i}] ({msg.persona}) uses internal term {word!r}")
        for text in texts:
            if text and text in body:
                errors.append(
                    f"messages[{i}] ({msg.persona}) carries internal data {_short(text)!r}"
                )
        for proof in msg.proof_points:
            if proof.source_id in cited_internal:
                errors.append(
                    f"messages[{i}] ({msg.persona}) cites internal source {proof.source_id!r}"
                )
    return errors


def _money_spellings(amount: float) -> list[str]:
    whole = round(amount)
    spellings = [f"{whole:,}", f"{whole}"]
    if whole >= 1_000_000:
        spellings += [f"{amount / 1_000_000:.1f}m", f"{amount / 1_000_000:.2f}m"]
        spellings += [f"{amount / 1_000_000:g}m", f"{amount / 1_000_000:g} million"]
    if whole >= 1_000:
        spellings += [f"{amount / 1_000:g}k"]
    return spellings


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
