"""Recurring review themes found by meaning, in the layouts real review exports use (an invented
employer, invented reviews)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from agent.assess.signals import detect_signals
from agent.schemas import Account, Signal, SignalType
from tools.reviews import parse_reviews_csv, parse_reviews_json

AS_OF = datetime(2026, 6, 1, 12, tzinfo=UTC)
ACCOUNT = Account(account_id="quarry", name="Quarrystone Analytics", aliases=["Quarrystone"])

#: (date, rating, pros, cons): happy years, then a fall with complaints that recur in other words.
ROWS = [
    ("2024-02-10", 5, "Great benefits and a generous pension.", "Parking is tight."),
    ("2024-04-02", 5, "Friendly, smart coworkers.", "Cafeteria closes early."),
    ("2024-07-19", 4, "Good pay for the region.", "Some meetings run long."),
    ("2024-09-30", 5, "Excellent health insurance and perks.", "Old laptops."),
    ("2024-11-12", 4, "Flexible hours.", "The office is far from the train."),
    ("2025-08-03", 2, "Nice colleagues.", "Managers have never led a team before and it shows."),
    ("2025-09-14", 1, "Benefits are fine.", "Inexperienced, unqualified management."),
    ("2025-10-21", 2, "Free lunch on Fridays.", "Our directors cannot manage people at all."),
    ("2025-11-05", 1, "None.", "Half my team quit this year; people keep leaving."),
    ("2026-01-17", 2, "Good pension plan.", "Attrition is brutal; colleagues resign every month."),
    ("2026-02-26", 1, "Coworkers are kind.", "Everyone is walking out the door, turnover is huge."),
    ("2026-04-08", 2, "Decent salary.", "The parking garage is being repainted."),
]


def _csv() -> str:
    lines = ["date,rating,title,pros,cons,role,location,current"]
    for day, rating, pros, cons in ROWS:
        lines.append(f'{day},{rating},Review,"{pros}","{cons}",Analyst,"Leeds, UK",true')
    return "\n".join(lines) + "\n"


def _signals(text: str) -> list[Signal]:
    sources = parse_reviews_csv(text, account_id="quarry").sources
    found = detect_signals(ACCOUNT, sources, AS_OF)
    return [s for s in found if s.type is SignalType.employee_sentiment]


def _theme(signals: list[Signal], name: str) -> Signal | None:
    return next((s for s in signals if s.metrics.get("theme") == name), None)


def test_a_complaint_several_reviews_share_in_other_words_is_one_theme() -> None:
    signals = _signals(_csv())
    management = _theme(signals, "management")
    assert management is not None
    quotes = [e.quote for e in management.evidence]
    assert "Inexperienced, unqualified management." in quotes
    assert "Managers have never led a team before and it shows." in quotes
    turnover = _theme(signals, "turnover")
    assert turnover is not None and len(turnover.evidence) == 3
    assert turnover.metrics["reviews"] == 3


def test_a_complaint_only_one_review_makes_is_no_theme() -> None:
    signals = _signals(_csv())
    assert not any("parking" in e.quote.lower() for s in signals for e in s.evidence)


def test_the_trend_names_the_themes_and_quotes_their_complaints() -> None:
    signals = _signals(_csv())
    trend = next(s for s in signals if s.entity == "employee rating")
    assert "fell" in trend.summary and "management" in trend.summary
    themed = {e.quote for s in signals if s.metrics.get("theme") for e in s.evidence}
    assert trend.evidence and {e.quote for e in trend.evidence} <= themed


def test_what_reviewers_value_is_context_quoting_their_pros() -> None:
    praise = next(s for s in _signals(_csv()) if s.entity == "praise")
    assert praise.polarity == "context" and praise.severity == "info"
    assert any("pension" in e.quote for e in praise.evidence)


def test_free_text_of_an_unhappy_review_is_read_by_how_it_sounds() -> None:
    # Indeed-style: one text field, no pros or cons; praise in a low-rated review is no complaint.
    texts = [
        "Management is incompetent and nobody trusts them.",
        "Unqualified managers who never worked anywhere else.",
        "The managers here are wonderful and always supportive.",
        "Poor management, bad planning.",
    ]
    records = [
        {"id": f"r{i}", "rating": 1.0, "text": text, "pros": None, "cons": None,
         "position": "Clerk (Former Employee)", "date_created": f"March {i + 1}, 2026"}
        for i, text in enumerate(texts)
    ]  # fmt: skip
    sources = parse_reviews_json(json.dumps(records), account_id="quarry").sources
    signals = [
        s for s in detect_signals(ACCOUNT, sources, AS_OF) if s.metrics.get("theme") == "management"
    ]
    assert signals
    quotes = {e.quote for e in signals[0].evidence}
    assert "Poor management, bad planning." in quotes
    assert not any("wonderful" in q for q in quotes)
