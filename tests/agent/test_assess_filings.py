"""Filing layouts the signal reader must not take for events (invented filer and text)."""

from __future__ import annotations

from datetime import UTC, datetime

from agent.assess.sentences import read_sentences
from agent.assess.signals import detect_signals
from agent.schemas import Account, SignalType, Source, SourceKind
from tests.factories import make_source

AS_OF = datetime(2026, 12, 1, tzinfo=UTC)
ACCOUNT = Account(account_id="acme", name="Acme Corp", aliases=["Acme"])

PLAN_8K = (
    "Item 5.02. Departure of Directors or Certain Officers; Election of Directors; Appointment"
    " of Certain Officers; Compensatory Arrangements of Certain Officers.\n"
    "On November 3, 2026, the Compensation Committee of the Board of Directors of Acme Corp"
    " adopted the Annual Incentive Plan for fiscal year 2027, which sets target bonuses for the"
    " named executive officers as a percentage of base salary. "
    + "Payouts depend on revenue and operating income goals set by the committee. "
    * 12
)


def _filing(text: str) -> Source:
    when = datetime(2026, 11, 5, tzinfo=UTC)
    meta = {"form": "8-K", "items": ["5.02"], "report_date": "2026-11-03"}
    return make_source(text, id="f1", kind=SourceKind.filing, title="Form 8-K",
                       published_at=when, retrieved_at=when, metadata=meta)  # fmt: skip


def test_the_item_title_after_its_number_is_the_heading_still() -> None:
    sentences = read_sentences(_filing(PLAN_8K))
    title = next(s for s in sentences if s.text.startswith("Departure of Directors"))
    assert title.header
    assert not next(s for s in sentences if s.text.startswith("On November 3")).header


def test_a_compensation_plan_under_item_502_is_no_executive_change() -> None:
    signals = detect_signals(ACCOUNT, [_filing(PLAN_8K)], AS_OF)
    moves = {SignalType.executive_departure, SignalType.executive_appointment}
    assert not [s for s in signals if s.type in moves]
