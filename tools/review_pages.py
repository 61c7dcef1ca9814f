"""A saved review page: its schema.org JSON-LD and its review markup, read together.

Review pages often carry both: JSON-LD `Review` objects whose `reviewBody` may be the headline
only and that have no dates, and the review feed in the markup with the dates, pros and cons.
The markup's reviews come first, completed by their JSON-LD twins; the employer's aggregate
rating (JSON-LD or microdata) becomes its own Source with the page's ratings summary.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.schemas import Source, SourceKind
from tools.base import clean_text, content_hash, make_source, parse_html, to_utc
from tools.json_input import jsonld_objects
from tools.review_fields import ReviewRecord, clean_value, parse_person, parse_rating
from tools.review_markup import markup_reviews, microdata_aggregate, page_summary, review_items

_REVIEW_TYPES = {"Review", "EmployerReview"}
_AGGREGATE_TYPES = {"AggregateRating", "EmployerAggregateRating"}


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    return {str(t) for t in kind} if isinstance(kind, list) else {str(kind)}


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, list):
        return ", ".join(_name(v) for v in value if _name(v))
    return str(value or "")


def _ld_rating(obj: dict[str, Any]) -> tuple[float, str] | None:
    try:
        best = float(obj.get("bestRating") or 5)
        return parse_rating(obj.get("ratingValue"), best)
    except (TypeError, ValueError):
        return None


def _ld_record(obj: dict[str, Any]) -> ReviewRecord | None:
    rating = obj.get("reviewRating")
    found = _ld_rating(rating) if isinstance(rating, dict) else None
    if found is None:
        return None
    record = ReviewRecord(
        headline=clean_value(obj.get("name") or obj.get("headline")),
        body=clean_value(obj.get("reviewBody") or obj.get("description")),
        firm=_name(obj.get("itemReviewed")), schema_type=sorted(_types(obj))[0],
    )  # fmt: skip
    record.rating, record.shown_rating = found
    author = parse_person(_name(obj.get("author")))
    if author.status:  # "Former Employee - Ops Manager"; anything else is a person's name
        record.role, record.status = author.role, author.status
    else:
        record.author = _name(obj.get("author"))
    with_date = to_utc(obj.get("datePublished"))
    record.published = with_date.date() if with_date else None
    return record


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[\"“”'‘’]", "", text).casefold().split())


def _merge(page: list[ReviewRecord], ld: list[ReviewRecord]) -> list[ReviewRecord]:
    """The page's reviews completed by their JSON-LD twins (matched by headline or text, else
    by position when both list the same ratings); JSON-LD reviews with no twin are kept."""
    aligned = len(page) == len(ld) and all(
        p.rating in (None, q.rating) for p, q in zip(page, ld, strict=True)
    )
    left: list[ReviewRecord] = []
    free = list(page)  # each page review has one twin at most ("Great company" is common)
    for i, twin in enumerate(ld):
        said = {_fold(twin.headline), _fold(twin.body)} - {""}
        match = next((p for p in free if said & {_fold(p.headline), _fold(p.body)}), None)
        if match is None and aligned and any(p is page[i] for p in free):
            match = page[i]
        if match is None:
            left.append(twin)
            continue
        free = [p for p in free if p is not match]
        if match.rating is None:
            match.rating, match.shown_rating = twin.rating, twin.shown_rating
        match.role, match.status = match.role or twin.role, match.status or twin.status
        match.firm, match.headline = match.firm or twin.firm, match.headline or twin.headline
        match.published = match.published or twin.published
        if twin.body and _fold(twin.body) not in {_fold(x) for x in (match.headline, match.body)}:
            match.body = match.body or twin.body
    return page + left


def _aggregate_source(
    obj: dict[str, Any], summary: list[str], url: str | None, account_id: str, now: datetime | None
) -> Source | None:
    found = _ld_rating(obj)
    if found is None:
        return None
    subject = _name(obj.get("itemReviewed"))
    count = obj.get("ratingCount") or obj.get("reviewCount")
    title = f"Employer rating: {subject or 'unknown'} {found[1]}"
    lines = [title + (f" from {count} ratings" if count else ""), str(obj.get("description") or "")]
    return make_source(
        SourceKind.employee_review,
        (url or "") + content_hash(json.dumps(obj, sort_keys=True)),
        title=title,
        text=clean_text("\n".join(x for x in lines + summary if x)),
        url=url,
        metadata={
            "rating": found[0],
            "best_rating": 5.0,
            "firm": subject or None,
            "schema_type": sorted(_types(obj))[0],
            "rating_count": int(str(count)) if str(count or "").isdigit() else None,
        },
        account_id=account_id,
        now=now,
    )


@dataclass
class PageReviews:
    """What a review page gives: the employer's rating Sources and one record per review."""

    aggregates: list[Source] = field(default_factory=list)
    records: list[ReviewRecord] = field(default_factory=list)


def page_reviews(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> PageReviews:
    """The reviews of a page (markup completed by JSON-LD) and its employer rating Sources."""
    objects = jsonld_objects(html)
    soup = parse_html(html) if "review" in html.lower() else None
    items = review_items(soup) if soup is not None else []
    ld = [r for o in objects if _types(o) & _REVIEW_TYPES if (r := _ld_record(o))]
    aggregates = [o for o in objects if _types(o) & _AGGREGATE_TYPES]
    if not aggregates and soup is not None and (micro := microdata_aggregate(soup)):
        aggregates = [micro]
    summary = page_summary(soup, items) if soup is not None and aggregates else []
    return PageReviews(
        [s for o in aggregates if (s := _aggregate_source(o, summary, url, account_id, now))],
        _merge(markup_reviews(items, url), ld),
    )
