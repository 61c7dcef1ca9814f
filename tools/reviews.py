"""Employee reviews: Glassdoor-style and generic CSV exports, JSON lists, schema.org JSON-LD."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from agent.errors import ParseError
from agent.schemas import Account, Source, SourceKind
from tools.base import clean_text, content_hash, load_json, make_source, to_utc
from tools.http import CSV_TYPES, HTML_TYPES, JSON_TYPES
from tools.sources import FetchContext, Fetched

#: Column spellings of the known exports, mapped onto one field name each.
COLUMNS = {
    "rating": ("overall_rating", "rating", "stars", "score", "overall"),
    "headline": ("headline", "title", "summary", "review_title"),
    "pros": ("pros",),
    "cons": ("cons",),
    "date": ("date_review", "date", "review_date", "reviewed_at", "created_at"),
    "role": ("job_title", "role", "position", "job"),
    "firm": ("firm", "company", "employer"),
    "current": ("current", "employment_status", "status"),
    "location": ("location",),
    "advice": ("advice", "advice_to_management"),
}
#: Glassdoor's recommend / ceo_approv / outlook codes.
OPINION_CODES = {"v": "positive", "r": "mild", "x": "negative", "o": "no opinion"}
_OPINIONS = ("recommend", "ceo_approv", "outlook")
_SUB_RATINGS = (
    "work_life_balance",
    "culture_values",
    "diversity_inclusion",
    "career_opp",
    "comp_benefits",
    "senior_mgmt",
)


@dataclass(frozen=True)
class RowProblem:
    """A review record that could not be imported; `line` is where it starts (1 = header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ParsedReviews:
    """The reviews that were read, and the records that were not."""

    sources: list[Source] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.lstrip("\ufeff").strip().lower()).strip("_")


def _field(row: dict[str, str], name: str) -> str:
    for alias in COLUMNS[name]:
        value = row.get(alias)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def is_reviews_header(headers: Iterable[str]) -> bool:
    """True when CSV headers name a rating column and a pros or cons column."""
    keys = {_key(h) for h in headers}
    return bool(keys & set(COLUMNS["rating"])) and bool(keys & {"pros", "cons"})


def parse_review_date(value: str) -> date:
    """A review date: ISO `2016-01-28` or Glassdoor's day-first `28/1/2016`."""
    value = value.strip()
    if m := re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", value):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        # day-first as Glassdoor writes it; a US month-first date when that cannot be one
        for day, month in ((first, second), (second, first)):
            with contextlib.suppress(ValueError):
                return date(year, month, day)
        raise ValueError(f"date {value!r} is not a date")
    parsed = to_utc(value)
    if parsed is None:
        raise ValueError(f"date {value!r} is not a date")
    return parsed.date()


def _rating(value: str) -> float:
    if not value:
        raise ValueError("rating is missing")
    try:
        rating = float(value)
    except ValueError:
        raise ValueError(f"rating {value!r} is not a number") from None
    if not 0 <= rating <= 5:
        raise ValueError(f"rating {value!r} is not between 0 and 5")
    return rating


def _stars(rating: float, best: float = 5) -> str:
    return f"{rating:g}/{best:g}"


def review_source(
    row: dict[str, Any], *, account_id: str = "", now: datetime | None = None
) -> Source:
    """A Source from one normalized review record; raises ValueError when it is malformed."""
    rating = _rating(_field(row, "rating"))
    raw_date = _field(row, "date")
    published = parse_review_date(raw_date) if raw_date else None
    headline, pros, cons = (_field(row, k) for k in ("headline", "pros", "cons"))
    if not (headline or pros or cons):
        raise ValueError("review has no headline, pros or cons")
    role, firm, current = (_field(row, k) for k in ("role", "firm", "current"))
    lines = [headline or "(no headline)", f"Rating: {_stars(rating)}"]
    lines += [f"{label}: {v}" for label, v in (("Role", role), ("Employee", current)) if v]
    lines += [f"{label}: {v}" for label, v in (("Pros", pros), ("Cons", cons)) if v]
    if advice := _field(row, "advice"):
        lines.append(f"Advice to management: {advice}")
    metadata: dict[str, Any] = {
        "rating": rating,
        "role": role or None,
        "firm": firm or None,
        "current": current or None,
        "location": _field(row, "location") or None,
    }
    for name in _OPINIONS:
        if row.get(name):
            metadata[name] = OPINION_CODES.get(str(row[name]).strip(), str(row[name]).strip())
    for name in _SUB_RATINGS:
        try:
            metadata[name] = float(row[name])
        except (KeyError, TypeError, ValueError):
            continue  # sub-ratings are optional; blank or odd ones are left out
    identity = "\x1f".join((firm, raw_date, headline, pros, cons))
    return make_source(
        SourceKind.employee_review,
        content_hash(identity),
        title=f"Employee review: {headline or firm or 'untitled'} ({_stars(rating)})",
        text=clean_text("\n".join(lines)),
        published_at=to_utc(published),
        metadata=metadata,
        account_id=account_id,
        now=now,
    )


def _collect(
    records: Iterator[tuple[int, dict[str, Any]]], account_id: str, now: datetime | None
) -> ParsedReviews:
    parsed = ParsedReviews()
    for line, row in records:
        try:
            parsed.sources.append(review_source(row, account_id=account_id, now=now))
        except ValueError as exc:
            parsed.problems.append(RowProblem(line, str(exc)))
    return parsed


def parse_reviews_csv(
    text: str, *, account_id: str = "", now: datetime | None = None
) -> ParsedReviews:
    """Reviews of a CSV export (Glassdoor-Kaggle or generic layout); bad rows become problems."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        headers = [_key(h) for h in next(reader)]
    except StopIteration:
        raise ParseError("empty CSV") from None
    if not is_reviews_header(headers):
        raise ParseError("not a reviews CSV (needs a rating column and pros or cons)")

    short_rows: list[RowProblem] = []

    def records() -> Iterator[tuple[int, dict[str, Any]]]:
        start = reader.line_num + 1
        for values in reader:
            if len(values) != len(headers) and any(v.strip() for v in values):
                short_rows.append(
                    RowProblem(start, f"{len(values)} fields, {len(headers)} expected")
                )
            elif any(v.strip() for v in values):
                yield start, dict(zip(headers, values, strict=True))
            start = reader.line_num + 1

    result = _collect(records(), account_id, now)
    result.problems = sorted(short_rows + result.problems, key=lambda p: p.line)
    return result


def is_reviews_json(obj: Any) -> bool:
    """True for a JSON list of review objects (or {"reviews": [...]}) with rating and pros/cons."""
    items = obj.get("reviews") if isinstance(obj, dict) else obj
    if not isinstance(items, list) or not items or not isinstance(items[0], dict):
        return False
    return is_reviews_header(items[0].keys())


def parse_reviews_json(
    data: bytes | str | Any, *, account_id: str = "", now: datetime | None = None
) -> ParsedReviews:
    """Reviews of a JSON list of review objects; `line` in problems is the 1-based item number."""
    obj = load_json(data)
    if not is_reviews_json(obj):
        raise ParseError("not a reviews JSON list (needs rating and pros or cons)")
    items = obj["reviews"] if isinstance(obj, dict) else obj
    records = (
        (i, {_key(k): "" if v is None else str(v) for k, v in item.items()})
        for i, item in enumerate(items, start=1)
        if isinstance(item, dict)
    )
    return _collect(records, account_id, now)


_LD_SCRIPT = re.compile(
    r"<script[^>]*type=[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)
_REVIEW_TYPES = {"Review", "EmployerReview"}
_AGGREGATE_TYPES = {"AggregateRating", "EmployerAggregateRating"}


def jsonld_objects(html: str) -> list[dict[str, Any]]:
    """Every JSON-LD object in a page, with `@graph` arrays and nested lists flattened."""
    found: list[dict[str, Any]] = []

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            found.append(node)
            if "@graph" in node:
                visit(node["@graph"])
            for key in ("review", "aggregateRating"):
                if key in node:
                    visit(node[key])

    for block in _LD_SCRIPT.findall(html):
        try:
            visit(json.loads(block))
        except ValueError:
            continue
    return found


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    return {str(t) for t in kind} if isinstance(kind, list) else {str(kind)}


def _name(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or "")
    if isinstance(value, list):
        return ", ".join(_name(v) for v in value if _name(v))
    return str(value or "")


def parse_jsonld_reviews(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """employee_review Sources from schema.org Review and (Employer)AggregateRating JSON-LD."""
    sources = []
    for obj in jsonld_objects(html):
        types = _types(obj)
        rating = obj.get("reviewRating") if types & _REVIEW_TYPES else obj
        if not (types & (_REVIEW_TYPES | _AGGREGATE_TYPES)) or not isinstance(rating, dict):
            continue
        try:
            value = float(rating["ratingValue"])
            best = float(rating.get("bestRating") or 5)
        except (KeyError, TypeError, ValueError):
            continue
        subject = _name(obj.get("itemReviewed"))
        if types & _REVIEW_TYPES:
            headline = str(obj.get("name") or obj.get("headline") or "")
            body = str(obj.get("reviewBody") or obj.get("description") or "")
            title = f"Employee review: {headline or subject or 'untitled'} ({_stars(value, best)})"
            lines = [headline or subject, f"Rating: {_stars(value, best)}"]
            if aspect := rating.get("reviewAspect"):
                lines.append(f"Aspect: {aspect}")
            author = _name(obj.get("author"))
            lines += [x for x in (f"Author: {author}" if author else "", body) if x]
        else:
            count = obj.get("ratingCount") or obj.get("reviewCount")
            title = f"Employer rating: {subject or 'unknown'} {_stars(value, best)}"
            lines = [title + (f" from {count} ratings" if count else "")]
            if obj.get("description"):
                lines.append(str(obj["description"]))
        text = clean_text("\n".join(x for x in lines if x))
        sources.append(
            make_source(
                SourceKind.employee_review,
                (url or "") + content_hash(json.dumps(obj, sort_keys=True)),
                title=title,
                text=text,
                url=url,
                published_at=to_utc(obj.get("datePublished")),
                metadata={
                    "rating": value,
                    "best_rating": best,
                    "firm": subject or None,
                    "schema_type": sorted(types)[0],
                    "rating_count": obj.get("ratingCount"),
                },
                account_id=account_id,
                now=now,
            )
        )
    return sources


class ReviewsTool:
    """Employee reviews at the book's reviews URL: a CSV or JSON export, or a JSON-LD page."""

    name = "reviews"
    kind = SourceKind.employee_review

    def enabled(self, account: Account) -> bool:
        """True when the book gives a reviews URL."""
        return bool(account.reviews_url)

    def fetch(self, account: Account, ctx: FetchContext) -> Fetched:
        """Every review at the URL, parsed by the response's content type; bad rows are problems."""
        accept = CSV_TYPES | JSON_TYPES | HTML_TYPES  # CSV_TYPES holds text/plain
        response = ctx.http.get(account.reviews_url or "", accept=accept)
        stamp: dict[str, Any] = {"account_id": account.account_id, "now": ctx.now}
        if response.content_type in HTML_TYPES:
            sources = parse_jsonld_reviews(response.text(), response.url, **stamp)
            if not sources:
                raise ParseError("no schema.org reviews in the page")
            return Fetched(sources)
        if response.content_type in JSON_TYPES:
            parsed = parse_reviews_json(response.content, **stamp)
        else:  # CSV, or a CSV served as text/plain
            parsed = parse_reviews_csv(response.text(), **stamp)
        return Fetched(parsed.sources, [f"reviews {p}" for p in parsed.problems])
