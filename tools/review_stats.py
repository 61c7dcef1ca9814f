"""What a set of employee reviews says together: the rating by quarter and recurring themes."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from agent.schemas import Source, SourceKind

_AGGREGATES = {"AggregateRating", "EmployerAggregateRating"}
#: The labelled parts of a review's text (tools.reviews.review_source writes them in this order).
_SECTION = re.compile(
    r"^(Review|Pros|Cons): (.*?)(?=^(?:Review|Pros|Cons|Advice to management): |\Z)",
    re.MULTILINE | re.DOTALL,
)
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
_STOP_TEXT = """
    a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing don't down during each even
    ever every few for from further get gets getting go goes going good got great had has have
    having he her here hers him his how i i'm if in into is it it's its itself just lot lots
    many may me more most much must my no nor not now of off often on once one only or other
    our ours out over own per pretty quite really same see she should so some still such than
    that the their them then there these they this those though through to too under until up
    upon us very was way we well were what when where which while who whom why will with within
    without would yet you your yours company work working job people place things thing nothing
    none new old two three four five first second last next year years month months week weeks
    day days time times come comes coming came make makes made like feel feels felt know keep
    keeps kept want wants need needs take takes took say says said back around since ago
"""
STOPWORDS = frozenset(_STOP_TEXT.split())


@dataclass(frozen=True)
class QuarterRating:
    """The average rating of the reviews of one calendar quarter ("2026Q3")."""

    quarter: str
    average: float
    count: int


def _reviews(sources: Iterable[Source]) -> list[Source]:
    # an employer's aggregate rating is not one more review
    return [
        s
        for s in sources
        if s.kind == SourceKind.employee_review
        and s.metadata.get("schema_type") not in _AGGREGATES
        and isinstance(s.metadata.get("rating"), int | float)
    ]


def rating_trend(sources: Iterable[Source]) -> list[QuarterRating]:
    """The average review rating per calendar quarter, oldest first (undated reviews left out)."""
    by_quarter: dict[str, list[float]] = {}
    for source in _reviews(sources):
        if source.published_at is None:
            continue
        when = source.published_at
        quarter = f"{when.year}Q{(when.month - 1) // 3 + 1}"
        by_quarter.setdefault(quarter, []).append(float(source.metadata["rating"]))
    return [
        QuarterRating(quarter, round(sum(values) / len(values), 2), len(values))
        for quarter, values in sorted(by_quarter.items())
    ]


def _terms(text: str) -> set[str]:
    words = _WORD.findall(text.lower())
    unigrams = {w for w in words if w not in STOPWORDS and len(w) > 2}
    bigrams = {
        f"{a} {b}"
        for a, b in pairwise(words)
        if a not in STOPWORDS and b not in STOPWORDS and len(a) > 2 and len(b) > 2
    }
    return unigrams | bigrams


def themes(
    sources: Iterable[Source], top: int = 5, sections: tuple[str, ...] = ("Pros", "Cons")
) -> list[tuple[str, int]]:
    """The words and two-word phrases most reviews repeat in their pros and cons, with the
    number of reviews naming each; a word is left out when a phrase holding it is as common."""
    counts: Counter[str] = Counter()
    for source in _reviews(sources):
        said = " \n".join(m[2] for m in _SECTION.finditer(source.text) if m[1] in sections)
        counts.update(_terms(said))  # a set per review: count reviews, not repetitions
    recurring = {term: n for term, n in counts.items() if n >= 2}
    phrases = [t for t in recurring if " " in t]
    kept = [
        (term, n)
        for term, n in recurring.items()
        if " " in term or not any(recurring[p] >= n and term in p.split() for p in phrases)
    ]
    kept.sort(key=lambda item: (-item[1], -len(item[0].split()), item[0]))
    return kept[:top]
