"""Reviews in a saved review page's markup: the feed's items, their fields and the ratings summary.

Review sites name their markup differently (`li.empReview` with `span[data-test=pros]`,
`div.cmp-review` with `.cmp-review-pro-text`, schema.org microdata with `itemprop=reviewBody`),
but each names it in words. An element's class, id, `itemprop` and `data-test*` values are split
into words and read with the same vocabulary as export columns (`tools.review_fields`); a review
item is the outermost element named "review" that holds one review's fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Tag

from tools.base import html_to_text, to_utc
from tools.review_fields import (
    ReviewRecord,
    aspect_name,
    clean_value,
    column_key,
    field_of,
    is_employment_line,
    opinion,
    parse_person,
    parse_rating,
    parse_review_date,
    words,
)

_ATTRS = (
    "class", "id", "itemprop", "itemtype", "data-test", "data-testid", "data-qa",
    "data-tn-component", "data-tn-entitytype", "data-automation-id",
)  # fmt: skip
_ITEMPROPS = {
    "reviewbody": "body", "description": "body", "reviewrating": "rating",
    "ratingvalue": "rating", "datepublished": "date", "datecreated": "date", "author": "person",
    "headline": "headline", "name": "headline", "jobtitle": "role",
}  # fmt: skip
_RATING_WORDS = {"rating", "ratings", "star", "stars", "score"}
_NOT_CONTENT = {"share", "social", "helpful", "flag", "button", "continue", "count", "votes"}
#: When an element's names say several things, the most specific one wins.
_RANK = (
    "pros", "cons", "advice", "recommend", "outlook", "ceo_approval", "sub_rating", "rating",
    "date", "headline", "role", "location", "person", "status", "link", "body",
)  # fmt: skip
_HASH = re.compile(r"^(?=.*\d)[A-Za-z0-9-]{4,8}$")  # "abc12" of `Card_pros__abc12`
_STARS = re.compile(r"[★☆✩✪✫✬✭✮✯⭐\s]+")
_QUOTED = re.compile(r"^[\"“”'‘’](.*)[\"“”'’]$", re.DOTALL)
_OPINIONS = (
    ("recommend", re.compile(r"^(?:(?:doesn't|does not|don't|would not) )?recommends?\b", re.I)),
    ("outlook", re.compile(r"^(?:positive|neutral|negative) outlook$", re.I)),
    ("ceo_approval", re.compile(r"^(?:approves|disapproves|no opinion) of (?:the )?ceo$", re.I)),
)
_LABELS = {"pros": "pros", "cons": "cons", "advice to management": "advice", "advice": "advice"}


def _local_names(tag: Tag) -> Iterator[str]:
    for attr in _ATTRS:
        raw = tag.get(attr)
        for value in raw if isinstance(raw, list) else [raw] if isinstance(raw, str) else []:
            if attr == "itemtype":
                value = value.rstrip("/").rsplit("/", 1)[-1]
            # CSS modules and BEM put the element's own name last, before any build hash
            parts = [p for p in value.split("__") if p and not _HASH.match(p)]
            if parts:
                yield column_key(parts[-1])


def _kind(tag: Tag) -> str | None:
    """What one element holds (pros, rating, date, ...), from its names, or for a bare
    "Pros" / "Cons" heading `label_pros` / `label_cons`."""
    if tag.name == "time":
        return "date"
    if tag.find(True) is None and (label := _LABELS.get(tag.get_text(" ", strip=True).lower())):
        return f"label_{label}"
    if isinstance(prop := tag.get("itemprop"), str) and prop.lower() in _ITEMPROPS:
        scope = tag.find_parent(attrs={"itemscope": True})
        if prop.lower() == "name" and scope is not None and scope.get("itemprop"):
            return None  # the name of the author or of the employer, not the headline
        return _ITEMPROPS[prop.lower()]
    kinds = set()
    for key in _local_names(tag):
        w = words(key)
        if w & _NOT_CONTENT:
            continue
        if w & _RATING_WORDS:
            kinds.add("sub_rating" if w & {"sub", "breakdown", "aspects"} else "rating")
        elif (kind := field_of(key)) is not None:
            kinds.add(kind)
    if "body" in kinds and not {"text", "body", "description", "comment"} & {
        w for key in _local_names(tag) for w in words(key)
    }:
        kinds.discard("body")  # "review-content" wraps fields; only text-named elements are text
    ranked = [k for k in _RANK if k in kinds]
    return ranked[0] if ranked else None


def _is_item_name(tag: Tag) -> bool:
    return any("review" in words(key) for key in _local_names(tag))


def _text(tag: Tag) -> str:
    if tag.name == "meta":
        return clean_value(tag.get("content"))
    return clean_value(html_to_text(str(tag)))


def _line(tag: Tag) -> str:
    return " ".join(_text(tag).split())


def _fields(item: Tag) -> dict[str, list[Tag]]:
    """The item's field elements by kind: the outermost of each kind, and no element that
    wraps a field of another kind (a `div.content` around pros and cons is not the body)."""
    kinds = {id(t): k for t in item.find_all(True) if (k := _kind(t))}
    found: dict[str, list[Tag]] = {}
    for tag in item.find_all(True):
        kind = kinds.get(id(tag))
        if kind is None or any(kinds.get(id(p)) == kind for p in _parents(tag, item)):
            continue
        if kind != "sub_rating" and any(
            kinds.get(id(d)) not in (None, kind, "link") for d in tag.find_all(True)
        ):
            continue
        found.setdefault(kind, []).append(tag)
    return found


def _parents(tag: Tag, stop: Tag) -> Iterator[Tag]:
    for parent in tag.parents:
        if parent is stop:
            return
        yield parent


def _rating_of(tag: Tag) -> tuple[float, str] | None:
    tags = [tag, *tag.find_all(True)]
    values: list[Any] = [t.get(a) for t in tags for a in ("content", "data-rating", "data-value")]
    values += [t.get(a) for t in tags for a in ("aria-label", "title")]
    values.append(_STARS.sub(" ", tag.get_text(" ")).strip())
    for value in values:
        if isinstance(value, str) and value.strip():
            try:
                if rating := parse_rating(value):
                    return rating
            except ValueError:
                continue
    return None


def _date_of(tag: Tag) -> Any:
    attr = tag.get("datetime") or tag.get("content")
    if isinstance(attr, str) and (iso := to_utc(attr)):
        return iso.date()
    for value in (_line(tag), attr):
        if isinstance(value, str) and value:
            try:
                return parse_review_date(value)
            except ValueError:
                continue
    return None


def _labelled(item: Tag, name: str) -> str:
    """Text under a "Pros" / "Cons" heading when the text itself has no telling name."""
    for tag in item.find_all(True):
        if _LABELS.get(tag.get_text(" ", strip=True).lower()) == name and tag.find(True) is None:
            following = tag.find_next_sibling(True)
            return _text(following) if following is not None else ""
    return ""


def _sub_ratings(container: Tag) -> dict[str, float]:
    found: dict[str, float] = {}
    for row in container.find_all(["li", "tr"]) or container.find_all(True, recursive=False):
        label = next((s for s in row.stripped_strings if not _STARS.fullmatch(s)), "")
        if label and (rating := _rating_of(row)) and not re.fullmatch(r"[\d.,/ ]+", label):
            found[aspect_name(label)] = rating[0]
    return found


def _record(item: Tag, base_url: str | None) -> ReviewRecord:
    fields = _fields(item)
    record = ReviewRecord(schema_type="Review")
    subs = fields.get("sub_rating", [])
    in_subs = {id(s) for s in subs}
    for tag in fields.get("rating", []):
        if not any(id(p) in in_subs for p in _parents(tag, item)) and (rating := _rating_of(tag)):
            record.rating, record.shown_rating = rating
            break
    for container in subs:
        record.sub_ratings.update(_sub_ratings(container))
    dates = (d for tag in fields.get("date", []) if (d := _date_of(tag)))
    record.published = next(dates, None)
    heads = fields.get("headline") or [
        h for h in item.find_all(["h1", "h2", "h3", "h4"]) if not _kind(h)
    ]
    if heads:
        headline = _line(heads[0])
        record.headline = m[1].strip() if (m := _QUOTED.match(headline)) else headline
    for name in ("pros", "cons", "advice"):
        tags = fields.get(name)
        setattr(record, name, "\n".join(_text(t) for t in tags) if tags else _labelled(item, name))
    for tag in fields.get("role", []) + fields.get("person", []):
        line = _line(tag) or _meta_name(tag)
        person = parse_person(line)
        if _kind(tag) == "person" and not person.status:
            record.author = record.author or line  # a name ("Pat Q"), not a job title
            continue
        record.role = record.role or person.role
        record.status = record.status or person.status
        record.location = record.location or person.location
        record.published = record.published or person.published
        record.employment = record.employment or person.tenure
    if places := fields.get("location"):
        record.location = _line(places[0])
    for tag in fields.get("body", []):
        text = _text(tag)
        if is_employment_line(text):
            record.employment = record.employment or " ".join(text.split())
        elif text:
            record.body = "\n".join(x for x in (record.body, text) if x)
    for text in item.stripped_strings:
        for name, pattern in _OPINIONS:
            if len(text) < 40 and pattern.match(text) and (said := opinion(text)):
                record.opinions.setdefault(name, said)
    record.review_id = _item_id(item)
    for link in fields.get("link", []) + heads[:1]:
        anchor = link if link.name == "a" else link.find("a")
        if anchor is not None and isinstance(href := anchor.get("href"), str):
            record.url = urljoin(base_url or "", href)
            break
    return record


def _meta_name(tag: Tag) -> str:
    meta = tag.select_one('meta[itemprop="name"]')
    return clean_value(meta.get("content")) if isinstance(meta, Tag) else ""


def _item_id(item: Tag) -> str:
    for attr in ("data-review-id", "data-tn-entityid", "data-id", "id"):
        value = item.get(attr)
        if isinstance(value, str) and re.search(r"\d", value):
            return value.strip()
    return ""


def review_items(soup: BeautifulSoup) -> list[Tag]:
    """The review items of a page: outermost "review"-named elements holding one review each."""
    items: list[Tag] = []
    for tag in soup.find_all(True):
        if tag.name in ("script", "style", "head") or not _is_item_name(tag):
            continue
        if _inside(tag, items):
            continue
        kinds = [k for t in tag.find_all(True) if (k := _kind(t))]
        singles = all(kinds.count(k) <= 1 for k in ("pros", "cons", "date", "label_pros"))
        content = {"pros", "cons", "body", "label_pros", "label_cons"}
        if singles and content & set(kinds) and {"rating", "date"} & set(kinds):
            items.append(tag)
    # one rated text with no pros or cons is as likely a film or product review as an employee's
    pros_cons = ("pros", "cons", "label_pros", "label_cons")
    if len(items) == 1 and not any(_kind(t) in pros_cons for t in items[0].find_all(True)):
        return []
    return items


def _inside(tag: Tag, outer: list[Tag]) -> bool:
    ids = {id(o) for o in outer}
    return any(id(p) in ids for p in tag.parents)


def markup_reviews(items: list[Tag], base_url: str | None = None) -> list[ReviewRecord]:
    """The reviews written in a page's review items (see `review_items`), one record each."""
    return [r for item in items if (r := _record(item, base_url)).has_words()]


def page_summary(soup: BeautifulSoup, items: list[Tag]) -> list[str]:
    """The page's ratings summary outside the review items, as lines of its visible text,
    with percentage widgets (`data-percentage="89"` beside "Approve of CEO") spelled out."""
    blocks: list[Tag] = []
    for tag in soup.find_all(True):
        names = {w for key in _local_names(tag) for w in words(key)}
        if names & {"stats", "overview"} and not _inside(tag, items + blocks):
            blocks.append(tag)
    lines: list[str] = []
    for block in blocks:
        for widget in block.select("[data-percentage]"):
            label = next((_line(p) for p in widget.parents if _line(p)), "")
            lines.append(f"{label}: {widget['data-percentage']}%")
        lines += [s for s in html_to_text(str(block)).split("\n") if not _STARS.fullmatch(s)]
    return [line for line in lines if line.strip()]


def microdata_aggregate(soup: BeautifulSoup) -> dict[str, Any] | None:
    """An `itemprop=aggregateRating` block as a schema.org AggregateRating dict, if any."""
    block = soup.select_one('[itemprop="aggregateRating"]')
    if block is None:
        return None
    found: dict[str, Any] = {"@type": "AggregateRating"}
    for prop in ("ratingValue", "bestRating", "ratingCount", "reviewCount"):
        tag = block.select_one(f'[itemprop="{prop}"]')
        if tag is not None and (value := _text(tag)):
            found[prop] = value
    return found if "ratingValue" in found else None
