"""What employee reviews say together: a falling or low rating with its recurring complaints,
and events many reviewers tell of (layoffs, cost cutting, a new owner).

One review is one person's day; a CSM needs the trend by period and the complaints that
recur. The rating trend comes from `tools/review_stats.py`; the complaints are the review
sentences the classifier reads as sentiment, grouped into themes by the words several
reviews repeat, each theme quoted by its most telling sentences.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from agent.assess.aggregates import Found, published_date
from agent.assess.rules import Hit
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
#: Themes named, and quotes per theme.
TOP_THEMES, QUOTES_PER_THEME = 4, 2
#: What employees complain about, as review sites group it: a complaint recurs when several
#: reviews name its theme, whatever words each uses.
THEMES: dict[str, re.Pattern[str]] = {
    name: re.compile(pattern, re.IGNORECASE)
    for name, pattern in {
        "management": r"\bmanag\w*|\bmgmt\b|\bboss\w*|\bsupervisor",
        "leadership": r"\bleader\w*|\bexecutives?\b|\bCEO\b|\bfounders?\b|\bdirection\b|\bvision\b",
        "culture": r"\bcultur\w*|\btoxic\b|\bpolitic\w*|\bfavou?ritism\b|\bnepotism\b|\bharass\w*",
        "pay": r"\bpay\b|\bpaid\b|\bsalar\w*|\bcompensation\b|\braises?\b|\bbonus\w*|\bwages?\b",
        "work-life balance": (
            r"\bhours\b|work.life|\bovertime\b|\bweekends?\b|\bburn.?out\b|\bworkload\b"
        ),
        "career growth": r"\bcareer\b|\bpromot\w*|\badvancement\b|\bgrowth opportunit\w*",
        "turnover": r"\bturnover\b|\battrition\b|\bchurn\w*|\brevolving door\b|\bretention\b",
        "job security": r"\blay.?offs?\b|\blaid off\b|\bjob security\b|\bfired\b|\bcuts?\b",
        "communication": r"\bcommunicat\w*|\btransparen\w*|\bsilos?\b",
    }.items()
}
_PART = re.compile(r"^(Review|Pros|Cons|Advice to management): ", re.MULTILINE)
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
    pool = _complaints(complaints, reviews)
    recurring = _themes(pool)
    if recurring:
        summary += "; recurring complaints: " + ", ".join(
            f"{t} ({n} reviews)" for t, n in recurring
        )
    evidence = _quotes(pool, [t for t, _ in recurring])
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
        **({"themes": ", ".join(t for t, _ in recurring)} if recurring else {}),
    }
    return [Found(hit, evidence, [])]


def _complaints(complaints: Found | None, reviews: list[Source]) -> list[Evidence]:
    """The complaint sentences of unhappy reviews (rated 3 or less), from their cons or their
    text, surest first."""
    if complaints is None:
        return []
    unhappy = {s.id: s for s in reviews if float(s.metadata.get("rating", 5)) <= 3}
    out = []
    for e in complaints.evidence:
        source = unhappy.get(e.source_id)
        if source is None or (at := source.text.find(e.quote)) < 0:
            continue
        parts = [m[1] for m in _PART.finditer(source.text) if m.start() <= at]
        if parts and parts[-1] in ("Cons", "Review"):
            out.append(e)
    return out


def _themes(pool: list[Evidence]) -> list[tuple[str, int]]:
    """Themes that recur (named by two reviews at least), with the reviews naming each."""
    counts: Counter[str] = Counter()
    for theme, pattern in THEMES.items():
        counts[theme] = len({e.source_id for e in pool if pattern.search(e.quote)})
    return [(t, n) for t, n in counts.most_common(TOP_THEMES) if n >= MENTIONS]


def _quotes(pool: list[Evidence], recurring: list[str]) -> list[Evidence]:
    """The most telling complaints of each recurring theme, themes taking turns; a short
    complaint tells its theme better than a long one."""
    order = {id(e): i for i, e in enumerate(pool)}
    ranked = sorted(pool, key=lambda e: order[id(e)] / len(pool) * 10 + len(e.quote.split()))
    picked: list[Evidence] = []
    for _ in range(QUOTES_PER_THEME):
        for theme in recurring:
            pick = next(
                (e for e in ranked if e not in picked and THEMES[theme].search(e.quote)), None
            )
            if pick is not None:
                picked.append(pick)
    return picked + [e for e in ranked if e not in picked]


def review_mentions(event: Found, reviews: int) -> Found | None:
    """An event reviewers tell of (layoffs, cost cutting), named by how many reviews do; None
    when too few do for the size of the set."""
    mentions = len({e.source_id for e in event.evidence})
    if mentions < MENTIONS:
        return None
    label = event.hit.type.value.replace("_", " ")
    event.hit.summary = f"{mentions} of {reviews} employee reviews tell of {label}"
    event.hit.entity = None
    event.hit.metrics = {"reviews": mentions, "of_reviews": reviews}
    event.hit.when = max(event.dates) if event.dates else None
    return event
