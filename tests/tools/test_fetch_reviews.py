"""The reviews tool's other formats, and the quarterly rating trend and themes of reviews."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from agent.errors import ParseError
from agent.schemas import Account, SourceKind
from tests.replay_server import ReplayServer, Reply
from tests.tools.fetch_scenarios import NOW, fixture, make_context
from tools.base import make_source
from tools.filings import pick_exhibit
from tools.review_stats import QuarterRating, rating_trend, themes
from tools.reviews import ReviewsTool, parse_reviews_csv

ACME = Account(account_id="acme", name="Acme", reviews_url="")


def _fetch(tmp_path: Path, body: bytes, content_type: str):  # type: ignore[no-untyped-def]
    with ReplayServer() as server:
        server.route("/reviews", Reply(200, body, content_type))
        account = ACME.model_copy(update={"reviews_url": server.url("/reviews")})
        return ReviewsTool().fetch(account, make_context(tmp_path, server.base_url))


def test_reviews_json_export_with_a_bad_item(tmp_path: Path) -> None:
    rows = [
        {"rating": 4, "pros": "Good team", "cons": "Slow reviews", "date": "2026-08-01"},
        {"rating": "nine", "pros": "x", "cons": "y"},
    ]
    fetched = _fetch(tmp_path, json.dumps(rows).encode(), "application/json")
    assert len(fetched.sources) == 1 and fetched.sources[0].retrieved_at == NOW
    assert fetched.problems == ["reviews line 2: rating 'nine' is not a number"]


def test_reviews_jsonld_page(tmp_path: Path) -> None:
    html = fixture("reviews/schemaorg_EmployerAggregateRating_Review_jsonld_examples.txt")
    start = html.find(b'<script type="application/ld+json">')
    page = b"<html><body>" + html[start:] + b"</body></html>"
    fetched = _fetch(tmp_path, page, "text/html")
    assert fetched.sources and {s.kind for s in fetched.sources} == {SourceKind.employee_review}
    with pytest.raises(ParseError, match=r"no schema\.org reviews"):
        _fetch(tmp_path / "x", b"<html><p>nothing</p></html>", "text/html")


def _review(rating: float, when: datetime, pros: str, cons: str) -> object:
    text = f"Headline\nRating: {rating:g}/5\nPros: {pros}\nCons: {cons}"
    return make_source(
        SourceKind.employee_review, text + when.isoformat(), title="r", text=text,
        published_at=when, metadata={"rating": rating},
    )  # fmt: skip


def test_rating_trend_by_quarter() -> None:
    reviews = [
        _review(4, datetime(2026, 7, 2, tzinfo=UTC), "a", "b"),
        _review(3, datetime(2026, 9, 30, tzinfo=UTC), "a", "b"),
        _review(2, datetime(2026, 4, 1, tzinfo=UTC), "a", "b"),
    ]
    assert rating_trend(reviews) == [  # type: ignore[arg-type]
        QuarterRating("2026Q2", 2.0, 1),
        QuarterRating("2026Q3", 3.5, 2),
    ]


def test_themes_count_reviews_and_prefer_phrases() -> None:
    when = datetime(2026, 8, 1, tzinfo=UTC)
    reviews = [
        _review(2, when, "Nice office", "Senior management ignores staff. Low salary."),
        _review(3, when, "Flexible hours", "senior management changes plans weekly"),
        _review(2, when, "Nice office, flexible hours", "Low salary and senior management"),
    ]
    top = themes(reviews, top=4)  # type: ignore[arg-type]
    assert top[0] == ("senior management", 3)
    assert ("low salary", 2) in top and ("nice office", 2) in top
    assert all(term not in {"senior", "management", "salary"} for term, _ in top)
    assert themes(reviews, sections=("Cons",))[0] == ("senior management", 3)  # type: ignore[arg-type]


def test_themes_of_the_real_glassdoor_slice() -> None:
    text = fixture("reviews/glassdoor_job_reviews_kaggle_slice_199rows.csv").decode()
    parsed = parse_reviews_csv(text)
    found = dict(themes(parsed.sources, top=10))
    assert found and all(n >= 2 for n in found.values())
    assert len(rating_trend(parsed.sources)) > 1


def test_pick_exhibit_names() -> None:
    assert (
        pick_exhibit(["d1d8k.htm", "d1dex101.htm", "d1dex991.htm"], "d1d8k.htm") == "d1dex991.htm"
    )
    assert pick_exhibit(["a-ex99_2.htm", "a-ex99_1.htm"]) == "a-ex99_1.htm"
    assert pick_exhibit(["bke-8k.htm", "bke-8kexhibit.htm"], "bke-8k.htm") == "bke-8kexhibit.htm"
    assert pick_exhibit(["d1d8k.htm", "d1dex101.htm", "0001-index.htm", "R1.htm"]) is None
