"""Whether a sentence tells an event of now: asides of history do not date it (invented text)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from agent.assess.attribution import is_history, without_old_aside
from agent.assess.signals import detect_signals
from agent.schemas import Account, SignalType
from tests.factories import make_source

PUBLISHED = date(2019, 9, 20)
NOW = (
    "Corvane is now cutting costs, including layoffs at Quillo, which it acquired for"
    " $90 million in 2016"
)


def test_an_old_year_in_an_aside_does_not_make_the_event_history() -> None:
    assert not is_history(NOW, PUBLISHED)
    assert not is_history("Tessa Lund was named CEO of the firm Jon Arkin co-founded 30 years ago.",
                          PUBLISHED)  # fmt: skip
    assert is_history("In March 2015, Corvane acquired Quillo.", PUBLISHED)
    assert is_history("Back in 2014 Corvane bought Quillo.", PUBLISHED)


def test_the_quote_leaves_out_the_aside_of_history() -> None:
    assert without_old_aside(NOW, PUBLISHED) == NOW.split(", which")[0]
    recent = "Corvane cut 200 jobs at Quillo, which it bought last month"
    assert without_old_aside(recent, PUBLISHED) == recent


def test_the_layoffs_signal_quotes_the_event_not_the_old_acquisition() -> None:
    when = datetime(2019, 9, 20, tzinfo=UTC)
    source = make_source(NOW + ".", id="n1", account_id="c", title="Corvane cuts costs",
                         published_at=when, retrieved_at=when)  # fmt: skip
    account = Account(account_id="c", name="Corvane")
    signals = detect_signals(account, [source], datetime(2019, 9, 21, tzinfo=UTC))
    layoffs = [s for s in signals if s.type is SignalType.layoffs]
    assert layoffs and all("2016" not in e.quote for s in layoffs for e in s.evidence)
