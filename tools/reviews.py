"""Employee reviews: CSV, JSON and JSON-lines exports in any common layout, and review pages.

Every layout becomes `ReviewRecord`s (`tools.review_fields` reads columns and values,
`tools.review_pages` a saved review page), repeated reviews are dropped, and every record
becomes one `employee_review` Source whose text keeps the reviewer's words verbatim.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from agent.csvio import records
from agent.errors import ParseError
from agent.schemas import Account, Source, SourceKind
from tools.base import clean_text, make_source, to_utc
from tools.http import CSV_TYPES, HTML_TYPES, JSON_TYPES
from tools.json_input import jsonld_objects, load_json
from tools.problems import failure, parser
from tools.review_fields import (
    ColumnMap,
    ReviewRecord,
    clean_value,
    column_key,
    date_order,
    map_columns,
    opinion,
    parse_person,
    parse_rating,
    parse_review_date,
    words,
)
from tools.review_pages import page_reviews
from tools.sources import FetchContext, Fetched

__all__ = [
    "ParsedReviews", "ReviewsTool", "RowProblem", "is_reviews_header", "is_reviews_json",
    "jsonld_objects", "parse_jsonld_reviews", "parse_review_date", "parse_reviews_csv",
    "parse_reviews_json", "review_source",
]  # fmt: skip
_OPINION_FIELDS = ("recommend", "outlook", "ceo_approval")
_LIST_KEYS = ("reviews", "data", "items", "results")


@dataclass(frozen=True)
class RowProblem:
    """A review record that could not be imported; `line` is where it starts (1 = header)."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ParsedReviews:
    """The reviews that were read, the records that were not, and how many were repeats."""

    sources: list[Source] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    duplicates: int = 0


def is_reviews_header(headers: Iterable[str]) -> bool:
    """True when column names carry a rating and pros or cons (or review text and a role)."""
    return map_columns(headers).is_reviews()


def _identity(record: ReviewRecord) -> str:
    """What makes a review itself: its id, else its words, day, reviewer and rating."""
    if record.review_id:
        return f"review:{record.review_id}"
    day = record.published.isoformat() if record.published else ""
    parts = (record.firm, day, record.headline, record.pros, record.cons)
    extra = (record.body, record.role, record.author, record.shown_rating)
    return "\x1f".join(parts + tuple(x for x in extra if x))


def review_source(
    record: ReviewRecord, *, account_id: str = "", now: datetime | None = None
) -> Source:
    """The Source of one review: its words verbatim under Pros/Cons/Review labels."""
    rating = record.shown_rating
    employee = f"{record.status.capitalize()} employee" if record.status else ""
    lines = [record.headline, f"Rating: {rating}" if rating else ""]
    labelled = (
        ("Role", record.role), ("Employee", employee), ("Location", record.location),
        ("Employment", record.employment), ("Author", record.author), ("Review", record.body),
        ("Pros", record.pros), ("Cons", record.cons), ("Advice to management", record.advice),
    )  # fmt: skip
    lines += [f"{label}: {value}" for label, value in labelled if value]
    metadata: dict[str, Any] = {
        "role": record.role or None,
        "firm": record.firm or None,
        "current": {"current": True, "former": False}.get(record.status),
        "location": record.location or None,
        "review_id": record.review_id or None,
        "schema_type": record.schema_type,
        **record.opinions,
        **record.sub_ratings,
    }
    if record.rating is not None:  # readers take a missing key for "no rating", never None
        metadata["rating"] = record.rating
    name = record.headline or record.role or record.firm or "untitled"
    return make_source(
        SourceKind.employee_review,
        _identity(record),
        title=f"Employee review: {name} ({rating or 'no rating'})",
        text=clean_text("\n".join(x for x in lines if x)),
        url=record.url or None,
        published_at=to_utc(record.published),
        metadata=metadata,
        account_id=account_id,
        now=now,
    )


def record_from_row(
    row: dict[str, str], columns: ColumnMap, day_first: bool | None = None
) -> ReviewRecord:
    """One review from an export row keyed by `column_key`; ValueError when it is unusable."""

    def get(name: str) -> str:
        values = (clean_value(row.get(k)) for k in columns.fields.get(name, []))
        return next((v for v in values if v), "")

    record = ReviewRecord(
        headline=get("headline"), body=get("body"), pros=get("pros"), cons=get("cons"),
        advice=get("advice"), firm=get("firm"), review_id=get("id"), url=get("link"),
        author=get("author"),
    )  # fmt: skip
    if key := columns.first("rating"):
        scale = 10.0 if "10" in words(key) else None
        if rating := parse_rating(row.get(key), scale):
            record.rating, record.shown_rating = rating
    if raw_date := get("date"):
        record.published = parse_review_date(raw_date, day_first)
    _add_reviewer(record, row, columns)
    places = [clean_value(row.get(k)) for k in columns.fields.get("location", [])]
    if places := [p for p in places if p]:
        record.location = ", ".join(dict.fromkeys(places))
    if tenure := get("tenure"):
        record.employment = ", ".join(x for x in (record.employment, tenure) if x)
    for name in _OPINION_FIELDS:
        if said := opinion(get(name)):
            record.opinions[name] = said
    for aspect, key in columns.sub_ratings.items():
        try:
            if sub := parse_rating(row.get(key)):
                record.sub_ratings[aspect] = sub[0]
        except ValueError:
            continue  # sub-ratings are optional; odd ones are left out
    if not record.has_words():
        raise ValueError("review has no headline, text, pros or cons")
    return record


def _add_reviewer(record: ReviewRecord, row: dict[str, str], columns: ColumnMap) -> None:
    """Role, status, place and employment from the reviewer columns: a person line ("Title in
    City, ST", "Current Employee - Title"), a role ("Title (Former Employee)") and a status
    ("Current", or "Full-time", which is the kind of employment, not a status)."""
    employment: list[str] = []
    for name in ("person", "role", "status"):
        for key in columns.fields.get(name, []):
            person = parse_person(row.get(key, ""), loose_place=name == "person")
            if name != "status":
                record.role = record.role or person.role
            elif not person.status:
                employment.append(person.role)
            record.status = record.status or person.status
            record.location = record.location or person.location
            record.published = record.published or person.published
            employment += [person.employment, person.tenure]
    record.employment = ", ".join(dict.fromkeys(x for x in employment if x))


def _dedupe_key(record: ReviewRecord) -> str:
    # a repeat may differ in case and spacing only (a re-scraped page)
    return " ".join(_identity(record).casefold().split())


def _collect(
    found: Iterable[tuple[int, ReviewRecord | ValueError]],
    account_id: str,
    now: datetime | None,
) -> ParsedReviews:
    parsed = ParsedReviews()
    seen: dict[str, int] = {}
    for line, record in found:
        if isinstance(record, ValueError):
            parsed.problems.append(RowProblem(line, str(record)))
            continue
        key = _dedupe_key(record)
        if key in seen:
            same = f"review id {record.review_id!r}" if record.review_id else "content"
            parsed.problems.append(RowProblem(line, f"repeats line {seen[key]} (same {same})"))
            parsed.duplicates += 1
            continue
        try:
            parsed.sources.append(review_source(record, account_id=account_id, now=now))
        except Exception as exc:  # one review's odd values never lose the others
            parsed.problems.append(RowProblem(line, failure(exc)))
            continue
        seen[key] = line
    return parsed


def _rows_to_records(
    rows: list[tuple[int, dict[str, str]]], columns: ColumnMap
) -> Iterator[tuple[int, ReviewRecord | ValueError]]:
    dates = [row.get(k, "") for _, row in rows for k in columns.fields.get("date", [])]
    day_first = date_order(dates)
    for line, row in rows:
        try:
            yield line, record_from_row(row, columns, day_first)
        except ValueError as exc:
            yield line, exc
        except Exception as exc:  # a value of a shape no export has: this row's problem
            yield line, ValueError(failure(exc))


@parser
def parse_reviews_csv(
    text: str, *, delimiter: str = ",", account_id: str = "", now: datetime | None = None
) -> ParsedReviews:
    """Reviews of a CSV export in any common layout; bad rows (a record the csv module cannot
    read included) become problems with their line, and repeated reviews are dropped, each
    noted as a problem."""
    found = records(text.lstrip("\ufeff"), delimiter)
    raw_headers: list[str] | None = None
    start = 1
    for end, first in found:
        if isinstance(first, csv.Error):
            raise ParseError(f"not a reviews CSV (header row: {first})")
        raw_headers, start = first, end + 1
        break
    if raw_headers is None:
        raise ParseError("empty CSV")
    columns = map_columns(raw_headers)
    if not columns.is_reviews():
        raise ParseError("not a reviews CSV (needs a rating column and pros or cons)")
    headers = [column_key(h) for h in raw_headers]
    rows: list[tuple[int, dict[str, str]]] = []
    short: list[RowProblem] = []
    for end, values in found:
        if isinstance(values, csv.Error):
            short.append(RowProblem(start, f"not CSV ({values})"))
        elif any(v.strip() for v in values):
            if len(values) == len(headers):
                rows.append((start, dict(zip(headers, values, strict=True))))
            else:
                short.append(RowProblem(start, f"{len(values)} fields, {len(headers)} expected"))
        start = end + 1
    result = _collect(_rows_to_records(rows, columns), account_id, now)
    result.problems = sorted(short + result.problems, key=lambda p: p.line)
    return result


def _items(obj: Any) -> list[Any] | None:
    if isinstance(obj, dict):
        obj = next((obj[k] for k in _LIST_KEYS if isinstance(obj.get(k), list)), None)
    return obj if isinstance(obj, list) else None


def _flat(item: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """A JSON review as column-like keys: nested objects joined (`author_job_title`), lists of
    strings as lines, numbers as text."""
    flat: dict[str, str] = {}
    for key, value in item.items():
        name = column_key(f"{prefix}_{key}" if prefix else str(key))
        if isinstance(value, dict):
            flat.update(_flat(value, name))
        elif isinstance(value, list):
            flat[name] = "\n".join(str(v) for v in value if isinstance(v, str | int | float))
        elif value is not None and not isinstance(value, bool):
            flat[name] = str(value)
    return flat


def is_reviews_json(obj: Any) -> bool:
    """True for a list of review objects (a JSON array, decoded JSON lines, or {"reviews": [...]})
    whose keys carry a rating and pros or cons."""
    items = _items(obj)
    if not items or not any(isinstance(i, dict) for i in items):
        return False
    keys = {k for i in items[:20] if isinstance(i, dict) for k in _flat(i)}
    return map_columns(keys).is_reviews()


@parser
def parse_reviews_json(
    data: bytes | str | Any, *, account_id: str = "", now: datetime | None = None
) -> ParsedReviews:
    """Reviews of a JSON list of review objects; `line` in problems is the 1-based item number."""
    obj = load_json(data)
    if not is_reviews_json(obj):
        raise ParseError("not a reviews JSON list (needs rating and pros or cons)")
    items = _items(obj) or []
    rows = [(i, _flat(item)) for i, item in enumerate(items, start=1) if isinstance(item, dict)]
    columns = map_columns({k for _, row in rows for k in row})
    return _collect(_rows_to_records(rows, columns), account_id, now)


@parser
def parse_jsonld_reviews(
    html: str, url: str | None = None, *, account_id: str = "", now: datetime | None = None
) -> list[Source]:
    """employee_review Sources of a review page: each review in its markup (date, rating, pros,
    cons), completed or supplied by schema.org Review JSON-LD, and the employer's rating."""
    page = page_reviews(html, url, account_id=account_id, now=now)
    return page.aggregates + _collect(enumerate(page.records, start=1), account_id, now).sources


class ReviewsTool:
    """Employee reviews at the book's reviews URL: a CSV or JSON export, or a review page."""

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
                raise ParseError("no schema.org reviews or review markup in the page")
            return Fetched(sources)
        if response.content_type in JSON_TYPES:
            parsed = parse_reviews_json(response.content, **stamp)
        else:  # CSV, or a CSV served as text/plain
            parsed = parse_reviews_csv(response.text(), **stamp)
        if not parsed.sources:
            first = f" (first: {parsed.problems[0]})" if parsed.problems else ""
            raise ParseError(f"no usable review in the export{first}")
        return Fetched(parsed.sources, [f"reviews {p}" for p in parsed.problems])
