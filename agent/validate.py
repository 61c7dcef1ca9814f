"""Grounding and internal-data checks shared by every synthesizer.

A quote is grounded when it occurs in its source's stored text after whitespace folding and
case folding. A customer-facing message is clean when it carries no internal figure or note.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.schemas import Account, Briefing, Evidence, Source, ValueMessage

_SPACE = re.compile(r"\s+")
#: A quote exempts its words from the guard only when it is at least this long: a bare "ARR"
#: found somewhere in a public page does not make "your ARR" the client's words.
MIN_QUOTE_WORDS = 3
_QUOTE_MARKS = "\"'“”‘’ "
#: A passage a message sets in quotation marks (straight or curly).
_QUOTED = re.compile(r"“(?P<q>[^“”]+)”|\"(?P<q2>[^\"]+)\"")
_SEAT_UNITS = ("seats", "licenses", "licences", "users")

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


def _whole(text: str) -> re.Pattern[str]:
    """`text` as a pattern that matches it only as whole words."""
    return re.compile(rf"(?<!\w){re.escape(text)}(?!\w)")


_INTERNAL_PATTERNS = [(word, _whole(word.casefold())) for word in INTERNAL_WORDS]

#: Text that talks to a model rather than about the client. A page's planted instructions are
#: data: they never become a claim, a quote or a message, whichever synthesizer writes. Text
#: about AI models, assistants or agents ("consumed by AI assistants", "we train AI models") is
#: business prose, not an address to one.
INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget|override) (all |any |the )?(previous|prior|above|earlier|your)\b"
    r"|\b(system|developer) (prompt|message|instructions?)\b|^\s*(system|assistant|user)\s*:"
    r"|\byou are (now )?(an? )?(ai|assistant|language model|chatbot)\b|\bas an ai\b"
    r"|\b(write|say|state|report|tell (the|your) (user|reader))( that)? the"
    r" (client|customer|company) (will|is going to)\b|\bprompt injection\b|\bjailbreak"
    r"|\b(note|message|instructions?) (to|for) (all )?(ai|llms?|language models?|assistants?|"
    r"models?|agents?|bots?)\b"
    r"|\b(attention|dear|hey|hello),? (ai|llms?|language models?|chatbots?)\b"
    r"|\b(ai|llms?) (models?|assistants?|agents?|summari[sz]ers?|tools?) (reading|processing|"
    r"summari[sz]ing|crawling|scraping|indexing) this\b",
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
    return bool(needle) and needle in _folded_source(text)


@functools.lru_cache(maxsize=64)
def _folded_source(text: str) -> str:
    # a brief checks hundreds of quotes against the same few sources: fold each once
    return fold(text)


def grounding_errors(briefing: Briefing, source_texts: Mapping[str, str]) -> list[str]:
    """One message per evidence item whose source is unknown or whose quote is not in it."""
    found = (quote_error(path, e, source_texts) for path, e in briefing.all_evidence())
    return [error for error in found if error]


def quote_error(path: str, evidence: Evidence, source_texts: Mapping[str, str]) -> str | None:
    """Why one evidence item is not grounded (unknown source, quote not in it), as one line
    naming it by `path`; None when it is. The one grounding check of every writer."""
    text = source_texts.get(evidence.source_id)
    if text is None:
        return f"{path} cites unknown source {evidence.source_id!r}"
    if not quote_found(evidence.quote, text):
        quote = _short(evidence.quote)
        return f"{path} quote {quote!r} not found in source {evidence.source_id!r}"
    return None


def internal_terms(account: Account, sources: Iterable[Source]) -> list[str]:
    """Strings that must never appear in a customer-facing message for this account.

    Two kinds of entry are markers, not text: `source:ID` names an internal source no message
    may cite, and `public:TEXT` names the client (name and aliases), which a message may say
    even when it contains a word like "ARR" or "CRM".
    """
    terms: list[str] = [f"public:{name}" for name in account.names() if name.strip()]
    if account.arr is not None:
        terms += _money_spellings(account.arr)
    if account.seats_purchased is not None:
        seats = account.seats_purchased
        terms += [f"{n} {unit}" for n in {f"{seats:,}", f"{seats}"} for unit in _SEAT_UNITS]
    if account.plan and account.plan.strip():
        terms += [f"{account.plan.strip()} {word}" for word in ("plan", "tier", "edition")]
    for source in sources:
        if source.internal:
            terms.append(f"source:{source.id}")
            terms += [s for s in _sentences(source.text) if len(s) >= 25]
    return terms


class LeakCheck:
    """The internal-data guard of customer-facing messages, its terms prepared once.

    It guards our data (the account's figures, health and risk language, the CSM's notes,
    internal sources), not the client's own public words: a grounded quote of a public
    source, a quoted passage of one, and the client's name are left out of the words checked,
    so "ARR grew 35 percent" in the client's own sentence is no leak, while "your ARR" in
    ours is. Every writer and the validator use this one check.
    """

    def __init__(self, terms: Iterable[str]) -> None:
        term_list = list(terms)
        self.internal_sources = {
            t.removeprefix("source:") for t in term_list if t.startswith("source:")
        }
        names = (fold(t.removeprefix("public:")) for t in term_list if t.startswith("public:"))
        self.names = sorted({n for n in names if n}, key=len, reverse=True)
        texts = {fold(t) for t in term_list if not t.startswith(("source:", "public:"))}
        # whole words only: a plan called "Next" is not in "the next planning cycle"
        self.texts = [(t, _whole(t)) for t in sorted(texts) if t]

    def errors(self, index: int, msg: ValueMessage) -> list[str]:
        """One line per way message `index` carries internal data."""
        where = f"messages[{index}] ({msg.persona})"
        body = self.own_words(msg)
        errors = [
            f"{where} uses internal term {word!r}"
            for word, pattern in _INTERNAL_PATTERNS
            if pattern.search(body)
        ]
        errors += [
            f"{where} carries internal data {_short(text)!r}"
            for text, pattern in self.texts
            if pattern.search(body)
        ]
        errors += [
            f"{where} cites internal source {proof.source_id!r}"
            for proof in msg.proof_points
            if proof.source_id in self.internal_sources
        ]
        return errors

    def own_words(self, msg: ValueMessage) -> str:
        """The message folded, without the client's public words it quotes or names."""
        public = [
            fold(p.quote).strip(_QUOTE_MARKS)
            for p in msg.proof_points
            if p.source_id not in self.internal_sources
        ]
        public = [q for q in public if len(q.split()) >= MIN_QUOTE_WORDS]
        quoted = [fold(m.group("q") or m.group("q2")) for m in _QUOTED.finditer(msg.message)]
        spans = [q for q in quoted if len(q.split()) >= MIN_QUOTE_WORDS and _within(q, public)]
        body = fold(msg.message)
        for span in sorted({*public, *spans}, key=len, reverse=True):
            body = body.replace(span, " | ")
        for name in self.names:
            body = _whole(name).sub(" | ", body)
        return body


def leak_errors(messages: Iterable[ValueMessage], terms: Iterable[str]) -> list[str]:
    """One message per customer-facing message that carries internal data."""
    check = LeakCheck(terms)
    return [e for i, msg in enumerate(messages) for e in check.errors(i, msg)]


def _within(span: str, quotes: Iterable[str]) -> bool:
    return any(span in quote for quote in quotes)


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
