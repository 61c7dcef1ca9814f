"""What review exports call their columns, and how their values read: dates, ratings, reviewers.

One vocabulary for every layout: CSV and JSON column names are matched by the words they are
made of (`overallStar`, `score_overall`, `review_text_pro`, `date_created`), and the values are
read by the same helpers whether they come from a column, a JSON key or a page's markup.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from dateutil import parser as dateutil_parser

from tools.base import to_utc

#: Values that scrapers and R/pandas write for "nothing here".
MISSING = frozenset({"", "na", "n/a", "nan", "none", "null", "nil", "-", "--", "undefined"})
#: Glassdoor's recommend / ceo_approv / outlook codes, plus the words other exports use.
OPINION_CODES = {"v": "positive", "r": "mild", "x": "negative", "o": "no opinion"}
_OPINION_WORDS = {
    "no opinion": "no opinion", "yes": "positive", "true": "positive", "1": "positive",
    "positive": "positive", "approve": "positive", "approves": "positive", "recommends": "positive",
    "recommend": "positive", "no": "negative", "false": "negative", "0": "negative",
    "negative": "negative", "disapprove": "negative", "disapproves": "negative",
    "neutral": "neutral", "mild": "mild",
}  # fmt: skip
#: Canonical sub-rating names, each with the words that name its aspect in any layout.
ASPECTS = (
    ("work_life_balance", {"work", "life", "balance", "wlb"}),
    ("culture_values", {"culture", "values"}),
    ("diversity_inclusion", {"diversity", "inclusion"}),
    ("career_opp", {"career", "opp", "opportunities", "advancement", "security"}),
    ("comp_benefits", {"comp", "com", "compensation", "benefits", "pay", "salary"}),
    ("senior_mgmt", {"senior", "sr", "management", "mgmt", "leadership"}),
)
_RATING_WORDS = {"rating", "ratings", "star", "stars", "score", "rated"}
_OVERALL_WORDS = _RATING_WORDS | {"overall", "review", "value", "num", "number", "avg", "out", "of"}
_STATUS = re.compile(
    r"^(?P<status>current|former)\b[\w -]*?(?:employee|intern|contractor|worker|staff)?\s*"
    r"(?:(?P<sep>[-–—:,])\s*(?P<rest>.*))?$",
    re.IGNORECASE,
)
_STATUS_SUFFIX = re.compile(
    r"^(?P<rest>.*?)\s*\((?P<status>current|former)\b[^)]*\)\s*(?P<tail>.*)$", re.IGNORECASE
)
_EMPLOYMENT = re.compile(r"^I(?: have|'ve)? (?:been )?(?:work(?:ed|ing)|am working)\b", re.I)
_IN_PLACE = re.compile(r"^(?P<role>.+?)\s+in\s+(?P<place>[A-Z][\w.' -]*(?:,\s*[\w.' -]+)*)$")
_PLACE_NAME = re.compile(r"^[A-Z][\w.'-]*(?: [A-Z][\w.'-]*){0,2}$")  # "San Francisco"
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_RATING = re.compile(
    rf"^(?:rated\s+)?{_NUMBER}\s*(?:(?:/|out of|of)\s*{_NUMBER})?\s*(?:stars?|points?)?\.?$",
    re.IGNORECASE,
)
_SLASH_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_NO_DAY = datetime(1900, 1, 1)  # "Nov 2017" is 2017-11-01, not this day of November
_TRUNCATION = re.compile(r"\s*(?:Show More|Show Less|Read more|Continue reading)\s*$", re.I)


@dataclass
class ReviewRecord:
    """One review, read from any layout, before it becomes a Source."""

    rating: float | None = None  # on a 5-point scale
    shown_rating: str = ""  # as the document states it: "4/5", "8/10"
    headline: str = ""
    body: str = ""
    pros: str = ""
    cons: str = ""
    advice: str = ""
    published: date | None = None
    role: str = ""
    status: str = ""  # "current" or "former"
    location: str = ""
    employment: str = ""  # "Full-time", "I worked at X full-time for more than 3 years"
    author: str = ""  # a named author that is not a role (schema.org Person)
    firm: str = ""
    review_id: str = ""
    url: str = ""
    opinions: dict[str, str] = field(default_factory=dict)
    sub_ratings: dict[str, float] = field(default_factory=dict)
    schema_type: str | None = None

    def has_words(self) -> bool:
        """True when the review says something: a headline, a body, pros or cons."""
        return bool(self.headline or self.body or self.pros or self.cons)


def column_key(header: str) -> str:
    """A column name as snake_case words: `overallStar` -> `overall_star`, `""` -> `""`."""
    text = header.lstrip("\ufeff").strip()
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def words(key: str) -> set[str]:
    """The words of a snake_case key."""
    return set(key.split("_")) - {""}


def aspect_name(label: str) -> str:
    """The canonical sub-rating name of a column or label ("Work/Life Balance", `workLifeStar`)."""
    found = words(column_key(label)) - _RATING_WORDS
    for name, aspect_words in ASPECTS:
        if found & aspect_words:
            return name
    return "_".join(w for w in column_key(label).split("_") if w not in _RATING_WORDS)


def field_of(key: str) -> str | None:
    """The review field a snake_case column or class name stands for, if any."""
    w = words(key)
    if not key or key in {"index", "unnamed_0", "x", "row", "row_id"}:
        return None
    named = (
        ("pros", {"pro", "pros", "positives", "likes", "upsides"}),
        ("cons", {"con", "cons", "negatives", "dislikes", "downsides"}),
        ("advice", {"advice"}),
        ("recommend", {"recommend", "recommends", "recommended"}),
        ("outlook", {"outlook"}),
        ("ceo_approval", {"ceo"}),
    )
    for name, names in named:  # before ratings: `ratingRecommendToFriend` is an opinion
        if w & names:
            return name
    if w & _RATING_WORDS and not w & {"count", "counts", "votes", "helpful", "total"}:
        aspect = {x for x in w - _OVERALL_WORDS if not x.isdigit()}
        return "rating" if not aspect or "overall" in w else "sub_rating"
    if key in {"id", "uuid", "uid"} or (w & {"id", "no", "number", "uid"} and "review" in w):
        return "id"
    rules = (
        ("link", {"link", "url", "href", "permalink"}),
        ("tenure", {"length", "tenure", "duration"}),
        ("date", {"date", "datetime", "timestamp", "created", "published", "posted"}),
        ("headline", {"title", "headline", "summary", "subject"}),
        ("status", {"current", "former", "status", "employment"}),
        ("role", {"position", "role", "job", "occupation", "designation"}),
        ("location", {"location", "city", "country", "state", "region"}),
        ("firm", {"firm", "company", "employer", "organization", "organisation"}),
        ("author", {"name", "username", "nickname"}),
        ("person", {"person", "author", "reviewer", "employee"}),
    )
    for name, names in rules:
        if w & names and not (name == "headline" and w & {"job", "author", "employee"}):
            return name
    if key.endswith("_at") or key == "reviewed":
        return "date"
    if key == "review" or w & {"text", "body", "content", "comment", "comments", "description"}:
        return "body"
    return None


@dataclass
class ColumnMap:
    """Which columns of an export carry which review field (a field may have several)."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    sub_ratings: dict[str, str] = field(default_factory=dict)  # canonical name -> column

    def first(self, name: str) -> str | None:
        """The first column of a field, if any."""
        columns = self.fields.get(name)
        return columns[0] if columns else None

    def is_reviews(self) -> bool:
        """A rating with pros or cons, or a rating with review text and the reviewer's role."""
        has = set(self.fields)
        return "rating" in has and (
            bool(has & {"pros", "cons"}) or ("body" in has and bool(has & {"role", "person"}))
        )


#: The sub-rating columns of the Kaggle Glassdoor export, whose names hold no rating word.
_BARE_ASPECTS = (
    "work_life_balance", "culture_values", "diversity_inclusion", "career_opp",
    "comp_benefits", "senior_mgmt",
)  # fmt: skip


def map_columns(headers: Iterable[str]) -> ColumnMap:
    """Map column names (any spelling) onto review fields; the overall rating is the first
    column named only by rating words ("rating", `overallStar`, `score_overall`)."""
    found = ColumnMap()
    for header in headers:
        key = column_key(header)
        name = "sub_rating" if key in _BARE_ASPECTS else field_of(key)
        if name == "sub_rating":
            found.sub_ratings.setdefault(aspect_name(key), key)
        elif name is not None and key not in found.fields.get(name, []):
            found.fields.setdefault(name, []).append(key)
    ratings = found.fields.get("rating", [])
    ratings.sort(key=lambda k: "overall" not in words(k))  # an explicit "overall" wins
    for extra in ratings[1:]:
        found.sub_ratings.setdefault(aspect_name(extra), extra)
    del ratings[1:]
    # the most precise place first: "Chicago, IL" before "US"
    places = ("location", "city", "state", "region", "country")
    found.fields.get("location", []).sort(key=lambda k: min(
        (i for i, p in enumerate(places) if p in words(k)), default=len(places)))  # fmt: skip
    return found


def clean_value(value: object) -> str:
    """A field's text without surrounding space, "NA"-style blanks or a "Show More" tail."""
    if value is None:
        return ""
    text = str(value).strip()
    if text.lower() in MISSING:
        return ""
    return _TRUNCATION.sub("", text).strip()


def parse_rating(value: object, best: float | None = None) -> tuple[float, str] | None:
    """A rating as (value on a 5-point scale, the rating as stated); None when it is missing.

    Reads 4, 4.0, "4", "4.0 out of 5", "8/10", "4 stars"; ValueError for anything else.
    """
    text = clean_value(value)
    if not text:
        return None
    m = _RATING.match(text.replace("\u2009", " "))
    if m is None:
        raise ValueError(f"rating {text!r} is not a number")
    number = float(m[1].replace(",", "."))
    scale = float(m[2].replace(",", ".")) if m[2] else (best or 5.0)
    if scale <= 0 or not 0 <= number <= scale:
        raise ValueError(f"rating {text!r} is not between 0 and {scale:g}")
    return round(number * 5 / scale, 3), f"{number:g}/{scale:g}"


def date_order(values: Iterable[str]) -> bool | None:
    """Whether a column's slash dates are day-first (True), month-first (False) or unknown."""
    for value in values:
        if m := _SLASH_DATE.match(value.strip()):
            if int(m[1]) > 12 >= int(m[2]):
                return True
            if int(m[2]) > 12 >= int(m[1]):
                return False
    return None


def parse_review_date(value: str, day_first: bool | None = None) -> date:
    """A review date: ISO, `Nov 8, 2017`, `8 November 2017`, `28/1/2016` or `12/31/2015`.

    Slash dates are read day-first (as Glassdoor writes them) unless `day_first` is False or
    that cannot be a date. Written dates go to python-dateutil, which reads every month
    spelling and the browser-rewritten `Mon Sep 21 2020 13:44:26 GMT+0200 (...)`.
    """
    text = value.strip()
    if m := _SLASH_DATE.match(text):
        first, second, year = int(m[1]), int(m[2]), int(m[3])
        orders = ((first, second), (second, first))
        for day, month in orders if day_first is not False else orders[::-1]:
            with contextlib.suppress(ValueError):
                return date(year, month, day)
        raise ValueError(f"date {value!r} is not a date")
    if parsed := to_utc(text):
        return parsed.date()
    if _YEAR.search(text):  # dateutil would fill a missing year with this year's
        with contextlib.suppress(ValueError, OverflowError):
            found: datetime = dateutil_parser.parse(
                text, fuzzy=True, dayfirst=bool(day_first), default=_NO_DAY
            )
            return found.date()  # the writer's calendar day, whatever its zone
    raise ValueError(f"date {value!r} is not a date")


def opinion(value: str) -> str | None:
    """A recommend / outlook / CEO opinion as positive, negative, neutral, mild or no opinion."""
    text = clean_value(value).lower()
    if not text:
        return None
    if text in OPINION_CODES:
        return OPINION_CODES[text]
    if re.search(r"\b(?:doesn't|does not|don't|do not|not)\b", text) or "disapprove" in text:
        return "negative"
    for word, meaning in _OPINION_WORDS.items():
        if re.search(rf"\b{re.escape(word)}\b", text):
            return meaning
    return text


def _date_or_none(text: str) -> date | None:
    if len(text) > 40 or not _YEAR.search(text):
        return None
    try:
        return parse_review_date(text)
    except ValueError:
        return None


def is_employment_line(text: str) -> bool:
    """True for Glassdoor's "I worked at X full-time (More than a year)" line."""
    return _EMPLOYMENT.match(text.strip()) is not None


@dataclass
class Person:
    """What a reviewer line says: "Former Employee - Ops Manager in Dallas, TX"."""

    role: str = ""
    status: str = ""
    location: str = ""
    employment: str = ""
    tenure: str = ""
    published: date | None = None  # Indeed writes the date into the reviewer line


def parse_person(value: str, *, loose_place: bool = True) -> Person:
    """The role, current/former status and place of a reviewer line in any common spelling:
    `Current Employee - Title`, `Title (Former Employee) - City, ST - June 9, 2021`,
    `Title in City, ST`, `Current  `. A place after " in " needs a comma unless `loose_place`."""
    person = Person()
    text = " ".join(clean_value(value).split())
    if is_employment_line(text):
        person.employment = text
        return person
    if m := _STATUS.match(text):
        person.status = m["status"].lower()
        text = (m["rest"] or "").strip()
        if m["sep"] == ",":  # "Current Employee, more than 1 year"
            person.tenure, text = text, ""
    elif m := _STATUS_SUFFIX.match(text):
        person.status = m["status"].lower()
        text = f"{m['rest']} {m['tail']}".strip()
    parts = [p.strip() for p in text.split(" - ")]
    for end in (-1, 0):  # "Clerk - Winnipeg, MB - June 9, 2021", "Sep 21, 2022 - Engineer"
        if len(parts) > 1 and (when := _date_or_none(parts[end])):
            person.published = when
            parts.pop(end)
    text = " - ".join(parts)
    if len(parts) > 1 and parts[0]:
        text, person.location = parts[0], ", ".join(p for p in parts[1:] if p)
    if m := _IN_PLACE.match(text):
        place = m["place"]
        if "," in place or (loose_place and _PLACE_NAME.match(place)):
            text, person.location = m["role"], person.location or place
    person.role = text.strip(" -")
    return person
