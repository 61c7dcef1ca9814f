"""Employee reviews: Glassdoor-style CSV, generic CSV/JSON exports, schema.org JSON-LD."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from tools.reviews import (
    parse_jsonld_reviews,
    parse_review_date,
    parse_reviews_csv,
    parse_reviews_json,
)

REVIEWS = Path(__file__).resolve().parents[1] / "fixtures/reviews"
GLASSDOOR = REVIEWS / "glassdoor_job_reviews_kaggle_slice_199rows.csv"


def test_glassdoor_slice_crlf_multiline_and_day_first_dates() -> None:
    raw = GLASSDOOR.read_bytes()
    assert b"\r\n" in raw
    parsed = parse_reviews_csv(raw.decode("utf-8"))
    assert parsed.problems == []
    assert len(parsed.sources) == 199
    second = parsed.sources[1]
    assert second.title == "Employee review: Excellent staff, poor salary (2/5)"
    assert second.published_at is not None and second.published_at.date() == date(2015, 12, 11)
    assert second.metadata["role"] == "Office Administrator"  # leading space dropped
    assert second.metadata["firm"] == "AFH-Wealth-Management"
    assert second.metadata["recommend"] == "negative" and second.metadata["outlook"] == "mild"
    assert second.text.startswith("Excellent staff, poor salary\nRating: 2/5\nRole: Office")
    assert "\r" not in "".join(s.text for s in parsed.sources)
    assert len({s.id for s in parsed.sources}) == 199


def test_generic_layout_bom_case_insensitive_headers_and_a_bad_row() -> None:
    text = (
        "\ufeffRating,Title,Pros,Cons,Date,Role\r\n"
        "4,Good team,Smart people,Slow releases,2026-03-01,Engineer\r\n"
        '5,"Great, really",Pay,"Long\r\nhours",2026-03-02,Analyst\r\n'
        "x,Broken,Nice,Bad,2026-03-03,Engineer\r\n"
        "3,Bad date,Ok,Meh,31/31/2026,Engineer\r\n"
        "2,Fine,,Politics,2026-03-05,Sales\r\n"
    )
    parsed = parse_reviews_csv(text)
    assert [s.metadata["rating"] for s in parsed.sources] == [4.0, 5.0, 2.0]
    assert [str(p) for p in parsed.problems] == [
        "line 5: rating 'x' is not a number",
        "line 6: date '31/31/2026' is not a date",
    ]
    assert "Cons: Long\nhours" in parsed.sources[1].text
    assert parsed.sources[0].metadata["role"] == "Engineer"


def test_review_dates() -> None:
    assert parse_review_date("5/4/2015") == date(2015, 4, 5)
    assert parse_review_date("12/31/2015") == date(2015, 12, 31)
    assert parse_review_date("2026-01-02") == date(2026, 1, 2)


def test_reviews_json() -> None:
    parsed = parse_reviews_json(
        b'[{"rating": 4, "title": "Solid", "pros": "Team", "cons": "Pay", "date": "2026-01-05"},'
        b' {"rating": null, "title": "No rating", "pros": "a", "cons": "b"},'
        b' {"rating": "lots", "title": "Odd rating", "pros": "a", "cons": "b"}]'
    )
    solid, unrated = parsed.sources
    assert solid.title == "Employee review: Solid (4/5)"
    # a review without a rating still says something; it is kept, and left out of averages
    assert unrated.title == "Employee review: No rating (no rating)"
    assert "rating" not in unrated.metadata
    assert [str(p) for p in parsed.problems] == ["line 3: rating 'lots' is not a number"]


def test_schemaorg_jsonld_examples() -> None:
    sources = parse_jsonld_reviews(
        (REVIEWS / "schemaorg_EmployerAggregateRating_Review_jsonld_examples.txt").read_text()
    )
    assert [s.metadata["schema_type"] for s in sources] == ["EmployerAggregateRating", "Review"]
    aggregate, review = sources
    assert aggregate.title == "Employer rating: ACME Corp 4/5"
    assert aggregate.metadata["rating_count"] == 42
    assert "from 42 ratings" in aggregate.text
    assert review.metadata["rating"] == 5.0
    assert "The restaurant has great ambiance." in review.text
