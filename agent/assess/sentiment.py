"""What employee reviews say together: a falling or low rating with its recurring complaints,
and events many reviewers tell of (layoffs, cost cutting, a new owner).

One review is one person's day; a CSM needs the trend by period and the complaints that
recur. The rating trend comes from `tools/review_stats.py`; the complaints are the themes
`agent/assess/themes.py` finds by meaning, each quoted by its most telling complaints.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from agent.assess.aggregates import Found, published_date
from agent.assess.rules import Hit
from agent.assess.themes import complaints
from agent.schemas import Evidence, SignalType, Source, SourceKind
from tools.review_stats import QuarterRating, rating_trend

T = SignalType

#: The latest period is the last year of reviews, or at least this many reviews (trailing
#: quarters joined until it is).
PERIOD_REVIEWS, YEAR_QUARTERS = 5, 4
#: A latest period this far below the earlier reviews is a drop in sentiment; twice it is red.
SENTIMENT_DROP = 0.5
#: An average at or under this (of 5) is low morale even without a drop: well under the
#: 3.5 to 4 most employers average on review sites.
LOW_RATING = 3.2
#: Quotes the trend keeps: the leading complaints of its themes, themes taking turns.
TREND_QUOTES = 6
#: Reviews that must tell of an event (layoffs, cost cutting) before it is a signal: one
#: reviewer's word is an anecdote, two are a pattern.
MENTIONS = 2


def _period(trend: list[QuarterRating]) -> tuple[list[QuarterRating], list[QuarterRating]]:
    """The latest period and the quarters before it: the last year when both hold
    PERIOD_REVIEWS reviews at least, else the trailing quarters holding that many (or half
    of a small set)."""
    year = [q for q in trend if _index(q) > _index(trend[-1]) - YEAR_QUARTERS] if trend else []
    rest = trend[: len(trend) - len(year)]
    if sum(q.count for q in year) >= PERIOD_REVIEWS <= sum(q.count for q in rest):
        return year, rest
    enough = min(PERIOD_REVIEWS, sum(q.count for q in trend) / 2)
    count = 0
    for i in range(len(trend) - 1, -1, -1):
        count += trend[i].count
        if count >= enough:
            return trend[i:], trend[:i]
    return trend, []


def _index(q: QuarterRating) -> int:
    year, quarter = q.quarter.split("Q")
    return int(year) * 4 + int(quarter)


def _average(quarters: list[QuarterRating]) -> float:
    total = sum(q.count for q in quarters)
    return sum(q.average * q.count for q in quarters) / total if total else 0.0


def employee_sentiment(sources: Sequence[Source], themes: Sequence[Found]) -> list[Found]:
    """A falling or low review rating, named with its recurring complaint themes (the signals
    of `agent/assess/themes.py`) and quoting their leading complaints."""
    reviews = [s for s in sources if s.kind is SourceKind.employee_review]
    latest, earlier = _period(rating_trend(reviews))
    if not latest:
        return []
    now = _average(latest)
    before = _average(earlier) if earlier else None
    drop = (before - now) if before is not None else 0.0
    if drop < SENTIMENT_DROP and now > LOW_RATING:
        return []
    period = latest[0].quarter if len(latest) == 1 else f"{latest[0].quarter}-{latest[-1].quarter}"
    if before is not None and drop >= SENTIMENT_DROP:
        summary = f"Employee rating fell to {now:.1f} in {period} from {before:.1f} before"
    else:
        summary = f"Employee rating is low: {now:.1f} of 5 in {period}"
    recurring = [t for t in themes if t.hit.polarity is None]
    if recurring:
        summary += "; recurring complaints: " + ", ".join(
            f"{t.hit.metrics['theme']} ({t.hit.metrics['reviews']} reviews)" for t in recurring
        )
    evidence: list[Evidence] = []
    for turn in range(TREND_QUOTES):
        evidence += [t.evidence[turn] for t in recurring if turn < len(t.evidence)]
    evidence = evidence or complaints(reviews)
    if not evidence:
        return []
    dates = [d for s in reviews if (d := published_date(s))]
    hit = Hit(T.employee_sentiment, summary, entity="employee rating",
              when=max(dates) if dates else None,
              severity="red" if drop >= 2 * SENTIMENT_DROP else None)  # fmt: skip
    hit.metrics = {
        "latest_period": period,
        "latest_average": round(now, 2),
        "reviews": sum(q.count for q in latest),
        **({"earlier_average": round(before, 2)} if before is not None else {}),
    }
    if recurring:
        hit.metrics["themes"] = ", ".join(str(t.hit.metrics["theme"]) for t in recurring)
    return [Found(hit, evidence[:TREND_QUOTES], [])]


def review_mentions(event: Found, sources: Sequence[Source]) -> Found | None:
    """An event reviewers tell of (layoffs, cost cutting), named by how many reviews do and
    quoting the newest first (what reviewers live through now); None when too few do."""
    mentions = len({e.source_id for e in event.evidence})
    if mentions < MENTIONS:
        return None
    reviews = [s for s in sources if s.kind is SourceKind.employee_review]
    day = {s.id: published_date(s) or date.min for s in reviews}
    event.evidence.sort(key=lambda e: day.get(e.source_id, date.min), reverse=True)
    label = event.hit.type.value.replace("_", " ")
    event.hit.summary = f"{mentions} of {len(reviews)} employee reviews tell of {label}"
    event.hit.entity = None
    event.hit.metrics = {"reviews": mentions, "of_reviews": len(reviews)}
    event.hit.when = max(event.dates) if event.dates else None
    return event
