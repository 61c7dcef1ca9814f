"""What employee reviews say together: a falling or low rating with its recurring complaints,
and events many reviewers tell of (layoffs, cost cutting, a new owner).

One review is one person's day; a CSM needs the trend by period and the complaints that
recur. The rating trend comes from `tools/review_stats.py`; the complaints are the review
sentences the classifier reads as sentiment, grouped into themes by the words several
reviews repeat, each theme quoted by its most telling sentences.
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.assess.aggregates import Found, published_date
from agent.assess.rules import Hit
from agent.schemas import Evidence, SignalType, Source, SourceKind
from tools.review_stats import QuarterRating, rating_trend, themes

T = SignalType

#: The latest period is at least this many reviews (trailing quarters joined until it is).
PERIOD_REVIEWS = 5
#: A latest period this far below the earlier reviews is a drop in sentiment; twice it is red.
SENTIMENT_DROP = 0.5
#: An average at or under this (of 5) is low morale even without a drop.
LOW_RATING = 3.0
#: Themes named, and quotes per theme.
THEMES, QUOTES_PER_THEME = 4, 2
#: Reviews that must tell of an event (layoffs, cost cutting) before it is a signal, in a set
#: of at least BIG_SET reviews; in a smaller set one is enough.
MENTIONS, BIG_SET = 2, 20


def _period(trend: list[QuarterRating]) -> tuple[list[QuarterRating], list[QuarterRating]]:
    """The latest period (trailing quarters with PERIOD_REVIEWS reviews at least, or half of
    all reviews in a small set) and the quarters before it."""
    enough = min(PERIOD_REVIEWS, sum(q.count for q in trend) / 2)
    count = 0
    for i in range(len(trend) - 1, -1, -1):
        count += trend[i].count
        if count >= enough:
            return trend[i:], trend[:i]
    return trend, []


def _average(quarters: list[QuarterRating]) -> float:
    total = sum(q.count for q in quarters)
    return sum(q.average * q.count for q in quarters) / total if total else 0.0


def employee_sentiment(sources: Sequence[Source], complaints: Found | None) -> list[Found]:
    """A falling or low review rating, with its recurring complaints as themes."""
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
    unhappy = [s for s in reviews if float(s.metadata.get("rating", 5)) <= 3]
    recurring = [t for t, _ in themes(unhappy, top=THEMES, sections=("Cons", "Review"))]
    if recurring:
        summary += "; recurring complaints: " + ", ".join(recurring)
    evidence = _quotes(complaints, recurring)
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
        **({"themes": ", ".join(recurring)} if recurring else {}),
    }
    return [Found(hit, evidence, [])]


def _quotes(complaints: Found | None, recurring: list[str]) -> list[Evidence]:
    """The most telling complaint sentences of each theme, themes taking turns."""
    if complaints is None:
        return []
    pool = list(complaints.evidence)  # ordered most telling first
    picked: list[Evidence] = []
    for _ in range(QUOTES_PER_THEME):
        for theme in recurring:
            words = theme.split()
            hit = next(
                (e for e in pool if e not in picked and all(w in e.quote.lower() for w in words)),
                None,
            )
            if hit is not None:
                picked.append(hit)
    return picked + [e for e in pool if e not in picked]


def review_mentions(event: Found, reviews: int) -> Found | None:
    """An event reviewers tell of (layoffs, cost cutting), named by how many reviews do; None
    when too few do for the size of the set."""
    mentions = len({e.source_id for e in event.evidence})
    if reviews >= BIG_SET and mentions < MENTIONS:
        return None
    label = event.hit.type.value.replace("_", " ")
    event.hit.summary = f"{mentions} of {reviews} employee reviews tell of {label}"
    event.hit.entity = None
    event.hit.metrics = {"reviews": mentions, "of_reviews": reviews}
    event.hit.when = max(event.dates) if event.dates else None
    return event
