"""Recurring themes of employee reviews, found by meaning: what many reviewers complain of,
and what they value.

A CSM reads reviews for what recurs, not for one person's day. Each review's cons (and the
text of an unhappy review) is read field by field, a long field sentence by sentence; each
piece is embedded with the bundled model and set beside short descriptions of the themes
review sites group complaints by ("managers without experience", "people keep leaving").
A piece joins the theme it is nearest to when it is near enough, whatever words it uses. A
theme several reviews share is a signal of its own, quoting its most typical pieces; what
reviewers praise is one signal of context.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import numpy as np

from agent.assess.aggregates import Found, published_date
from agent.assess.classifier import embed
from agent.assess.rules import Hit
from agent.schemas import Evidence, SignalType, Source, SourceKind
from knowledge.chunk import sentence_spans

T = SignalType

#: Themes of complaints (`-`) and of praise (`+`), each told in a few short descriptions
#: written for this module; a review piece is compared with every description.
THEMES: dict[str, dict[str, tuple[str, ...]]] = {
    "management": {
        "-": (
            "incompetent, unqualified management",
            "managers have no experience and it shows",
            "poor upper management that does not care about employees",
            "lazy managers who play favourites",
        ),
        "+": ("supportive managers who care about you", "management is great"),
    },
    "leadership and direction": {
        "-": (
            "the new leadership is chaotic and unpredictable",
            "executives and the CEO have no vision or direction",
            "leadership keeps changing strategy",
            "new owners took over and everything changed",
        ),
        "+": ("strong leadership with a clear vision",),
    },
    "culture": {
        "-": (
            "toxic culture of fear and office politics",
            "the culture is gone and morale is low",
            "nepotism and favouritism decide who gets ahead",
            "harassment and bullying by managers",
        ),
        "+": ("great culture and a fun, friendly workplace",),
    },
    "turnover": {
        "-": (
            "high turnover, people keep leaving",
            "I have had many different managers in a short time",
            "low retention, the team churned",
        ),
        "+": (),
    },
    "pay": {
        "-": ("salary too low compared to the market", "underpaid with no raises"),
        "+": ("good pay and salary", "competitive compensation"),
    },
    "benefits and perks": {
        "-": ("benefits and perks were taken away", "cost cutting on perks and benefits"),
        "+": ("great benefits, pension and perks", "free food and good insurance"),
    },
    "workload and hours": {
        "-": (
            "long hours and a heavy workload, burnout",
            "no work-life balance",
            "unrealistic expectations and too much pressure",
        ),
        "+": ("good work-life balance and flexible hours",),
    },
    "career growth": {
        "-": (
            "no career growth or promotion",
            "you wait years for seniority to move up",
            "no training or feedback",
        ),
        "+": ("learning and career growth opportunities",),
    },
    "job security": {
        "-": ("layoffs and no job security", "people were laid off without warning"),
        "+": ("stable job with good security",),
    },
    "communication": {
        "-": ("no transparency and poor communication", "teams work in silos"),
        "+": (),
    },
    "tools and processes": {
        "-": (
            "outdated systems and tools",
            "slow bureaucracy and red tape",
            "no processes, disorganised and chaotic",
        ),
        "+": (),
    },
    "people": {
        "-": ("lazy, unhelpful coworkers",),
        "+": ("smart, friendly coworkers and a great team", "great people to work with"),
    },
}
#: What praise and complaint sound like whatever their subject: a review's free text is read
#: as the one it sounds more like.
PRAISE = ("This is great, I love it here.", "good, excellent, amazing, fantastic")
COMPLAINT = ("This is terrible, I hate it here.", "bad, poor, awful, lacking, no")
#: A piece this similar (cosine) to a theme's description belongs to it.
NEAR = 0.40
#: A piece of this many words is quoted whole; a longer field is read sentence by sentence.
WHOLE_FIELD_WORDS = 30
#: A theme recurs when this many reviews at least (and this share of the reviews read) tell it.
MIN_REVIEWS, MIN_SHARE = 2, 0.05
#: Complaint themes reported, quotes per theme.
TOP_THEMES, QUOTES = 6, 6
#: Reviews are read from this far back before the newest one, or further until this many
#: are read: a CSM needs what recurs now, not a decade ago.
RECENT, MIN_RECENT = timedelta(days=3 * 365), 30
#: A review rated at most this (of 5) is unhappy: its complaints tell the most.
UNHAPPY = 3.0
_PART = re.compile(r"^(Review|Pros|Cons): ", re.MULTILINE)
_NEXT = re.compile(r"^(?:Review|Pros|Cons|Advice to management): ", re.MULTILINE)
_EMPTY = re.compile(r"^\W*(?:n/?a|none|nothing|no cons|no comment)?\W*$", re.IGNORECASE)


@dataclass(frozen=True)
class Opinion:
    """One piece of a review: a field or a sentence of it, quoted exactly."""

    source: Source
    quote: str  # what a signal quotes: the field, or the sentence of a long one
    piece: str  # what is placed in a theme: one sentence
    sign: str  # "-" a complaint, "+" praise, "?" either (a review's free text)
    rating: float
    day: date | None


def review_themes(sources: Sequence[Source]) -> list[Found]:
    """One signal per complaint theme several reviews share, and one for what they value."""
    reviews = _recent([s for s in sources if _is_review(s)])
    opinions = [o for s in reviews for o in _opinions(s)]
    if not opinions:
        return []
    placed = _place(opinions)
    floor = max(MIN_REVIEWS, MIN_SHARE * len(reviews))
    found: list[Found] = []
    complaints = _ranked(placed, "-", floor)[:TOP_THEMES]
    for theme, members in complaints:
        found.append(_theme_signal(theme, members, len(reviews)))
    praise = _ranked(placed, "+", floor)
    if praise:
        found.append(_praise_signal(praise, len(reviews)))
    return found


def complaints(sources: Sequence[Source]) -> list[Evidence]:
    """The complaints of unhappy reviews (cons, and the free text of a low rating), newest
    first: what a falling rating quotes when no complaint recurs yet."""
    reviews = sorted((s for s in sources if _is_review(s)), reverse=True,
                     key=lambda s: published_date(s) or date.min)  # fmt: skip
    out: dict[tuple[str, str], Evidence] = {}
    for source in reviews:
        for o in _opinions(source):
            if o.rating <= UNHAPPY and o.sign != "+":
                out.setdefault((source.id, o.quote), Evidence(source_id=source.id, quote=o.quote))
    return list(out.values())


def _is_review(source: Source) -> bool:
    return (
        source.kind is SourceKind.employee_review
        and "rating" in source.metadata
        and bool(_PART.search(source.text))
    )


def _recent(reviews: list[Source]) -> list[Source]:
    dated = sorted(reviews, key=lambda s: published_date(s) or date.min, reverse=True)
    newest = published_date(dated[0]) if dated else None
    if newest is None:
        return dated
    since = newest - RECENT
    kept = [s for s in dated if (published_date(s) or date.min) >= since]
    return kept if len(kept) >= MIN_RECENT else dated[:MIN_RECENT]


def _opinions(source: Source) -> list[Opinion]:
    """A review's fields that speak of the workplace, sentence by sentence; a short field is
    quoted whole (a reviewer's point is often the field), a long one by its sentence."""
    text = source.text
    rating = float(source.metadata.get("rating") or 0)
    day = published_date(source)
    out = []
    for m in _PART.finditer(text):
        end = m2.start() if (m2 := _NEXT.search(text, m.end())) else len(text)
        body = text[m.end() : end].strip()
        if _EMPTY.match(body):
            continue
        sign = {"Pros": "+", "Cons": "-"}.get(m[1], "?")
        start = text.index(body, m.end())
        whole = len(body.split()) <= WHOLE_FIELD_WORDS
        for a, b in sentence_spans(body):
            piece = text[start + a : start + b]
            if len(piece.split()) >= 2:
                out.append(Opinion(source, body if whole else piece, piece, sign, rating, day))
    return out


@cache
def _descriptions() -> tuple[list[tuple[str, str]], np.ndarray, np.ndarray]:
    keys = [(theme, sign) for theme, signs in THEMES.items() for sign, texts in signs.items()
            for _ in texts]  # fmt: skip
    texts = [t for signs in THEMES.values() for texts in signs.values() for t in texts]
    return keys, embed(texts), embed([*PRAISE, *COMPLAINT])


def _place(opinions: list[Opinion]) -> dict[tuple[str, str], list[tuple[float, Opinion]]]:
    """Each piece in the theme (and sign) it is nearest to, with how near, when near enough;
    free text leans to praise or complaint by how it sounds."""
    keys, vectors, tone = _descriptions()
    pieces = embed([o.piece for o in opinions])
    similarity = pieces @ vectors.T
    tones = pieces @ tone.T
    half = len(PRAISE)
    placed: dict[tuple[str, str], list[tuple[float, Opinion]]] = {}
    for o, row, sound in zip(opinions, similarity, tones, strict=True):
        praise = float(sound[:half].mean() - sound[half:].mean())
        scores = {
            i: float(row[i]) + (0.0 if o.sign != "?" else praise if sign == "+" else -praise)
            for i, (_, sign) in enumerate(keys)
            if o.sign in ("?", sign)
        }
        best = max(scores, key=lambda i: scores[i])
        if row[best] >= NEAR:
            placed.setdefault(keys[best], []).append((float(row[best]), o))
    return placed


def _ranked(
    placed: dict[tuple[str, str], list[tuple[float, Opinion]]], sign: str, floor: float
) -> list[tuple[str, list[tuple[float, Opinion]]]]:
    """The themes of one sign told by `floor` reviews at least, most told first."""
    themes = []
    for (theme, s), members in placed.items():
        told = len({o.source.id for _, o in members})
        if s == sign and told >= floor:
            themes.append((told, theme, members))
    themes.sort(key=lambda t: -t[0])
    return [(theme, members) for _, theme, members in themes]


def _typical(members: list[tuple[float, Opinion]], limit: int) -> list[Opinion]:
    """The pieces that tell a theme best, one per review: nearest to it, from unhappy and
    recent reviews first."""
    newest = max((o.day for _, o in members if o.day), default=None)

    def rank(item: tuple[float, Opinion]) -> float:
        near, o = item
        age = (newest - o.day).days / 365 if newest and o.day else 1.0
        return near - 0.05 * min(age, 3) - 0.03 * max(o.rating - UNHAPPY, 0)

    picked: list[Opinion] = []
    seen: set[str] = set()
    for _, o in sorted(members, key=rank, reverse=True):
        if o.source.id not in seen and all(o.quote != p.quote for p in picked):
            seen.add(o.source.id)
            picked.append(o)
        if len(picked) == limit:
            break
    return picked


def _theme_signal(theme: str, members: list[tuple[float, Opinion]], read: int) -> Found:
    told = len({o.source.id for _, o in members})
    quotes = _typical(members, QUOTES)
    hit = Hit(T.employee_sentiment, f"Recurring complaint in {told} of {read} reviews: {theme}",
              entity=f"complaints: {theme}")  # fmt: skip
    hit.metrics = {"theme": theme, "reviews": told, "of_reviews": read}
    return _found(hit, quotes, members)


def _praise_signal(themes: list[tuple[str, list[tuple[float, Opinion]]]], read: int) -> Found:
    named = ", ".join(
        f"{theme} ({len({o.source.id for _, o in members})})" for theme, members in themes[:4]
    )
    per_theme = [_typical(members, QUOTES) for _, members in themes[:4]]
    quotes: list[Opinion] = []
    for turn in range(QUOTES):
        quotes += [q[turn] for q in per_theme if turn < len(q)]
    hit = Hit(T.employee_sentiment, f"What {read} reviewers value: {named}",
              entity="praise", severity="info", polarity="context")  # fmt: skip
    hit.metrics = {"themes": named, "of_reviews": read}
    return _found(hit, quotes[:QUOTES], [m for _, members in themes for m in members])


def _found(hit: Hit, quotes: list[Opinion], members: list[tuple[float, Opinion]]) -> Found:
    days = [o.day for _, o in members if o.day]
    hit.when = max(days) if days else None
    evidence = [Evidence(source_id=o.source.id, quote=o.quote) for o in quotes]
    return Found(hit, evidence, [hit.when] if hit.when else [])
