"""Triggers from the CSM's own data, at and around each threshold, and on the demo accounts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from agent.assess.triggers import evaluate_triggers
from agent.book import import_csv
from agent.config import Settings
from agent.crm import (
    Contact,
    CrmData,
    Meeting,
    Ticket,
    UsagePoint,
    import_contacts,
    import_meetings,
    import_tickets,
    import_usage,
)
from agent.schemas import Account, Signal, SignalType

AS_OF = date(2026, 11, 23)
DEMO = Path(__file__).parents[2] / "agent" / "demo"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Default thresholds, no workspace file."""
    return Settings(home=tmp_path)


def _account(renewal_in: int | None = None, seats: int | None = 100) -> Account:
    renewal = AS_OF + timedelta(days=renewal_in) if renewal_in is not None else None
    return Account(account_id="acme", name="Acme", renewal_date=renewal, seats_purchased=seats)


def _fired(
    settings: Settings,
    crm: CrmData,
    account: Account | None = None,
    public: tuple[Signal, ...] = (),
) -> dict[SignalType, list[Signal]]:
    found: dict[SignalType, list[Signal]] = {}
    for signal in evaluate_triggers(account or _account(), crm, AS_OF, settings, public):
        assert signal.evidence == []
        found.setdefault(signal.type, []).append(signal)
    return found


def _daily(values_by_days_ago: dict[int, int]) -> list[UsagePoint]:
    return [
        UsagePoint(account_id="acme", date=AS_OF - timedelta(days=ago), active_users=value)
        for ago, value in values_by_days_ago.items()
    ]


# usage_decline --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("after", "severity"), [(86, None), (85, "yellow"), (71, "yellow"), (70, "red")]
)
def test_usage_decline_daily_means(settings: Settings, after: int, severity: str | None) -> None:
    # the 7 days ending 14 days before the latest reading average 100; the last 7 average `after`
    usage = _daily({ago: 100 for ago in range(15, 22)} | {ago: after for ago in range(1, 8)})
    signals = _fired(settings, CrmData(usage=usage)).get(SignalType.usage_decline, [])
    assert [s.severity for s in signals] == ([severity] if severity else [])
    if signals:
        assert signals[0].metrics["before"] == 100
        assert signals[0].metrics["after"] == after
        assert signals[0].occurred_at == AS_OF - timedelta(days=1)


@pytest.mark.parametrize(("last", "fires"), [(86, False), (85, True)])
def test_usage_decline_weekly_first_and_last(settings: Settings, last: int, fires: bool) -> None:
    # weekly readings: the latest against the last reading at least 14 days before it
    usage = _daily({28: 90, 21: 100, 14: 100, 7: 95, 0: last})
    signals = _fired(settings, CrmData(usage=usage)).get(SignalType.usage_decline, [])
    assert bool(signals) is fires
    if fires:
        assert "fell 15% in 14 days (from 100 to 85)" in signals[0].summary


def test_usage_decline_falls_back_to_api_calls_and_ignores_stale_data(settings: Settings) -> None:
    api = [
        UsagePoint(account_id="acme", date=AS_OF - timedelta(days=ago), api_calls=calls)
        for ago, calls in ((21, 1000), (14, 1000), (7, 900), (0, 700))
    ]
    [signal] = _fired(settings, CrmData(usage=api))[SignalType.usage_decline]
    assert signal.metrics["metric"] == "API calls" and signal.severity == "red"
    stale = [p.model_copy(update={"date": p.date - timedelta(days=30)}) for p in api]
    assert SignalType.usage_decline not in _fired(settings, CrmData(usage=stale))


# seat_limit -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("used", "severity"), [(69, None), (70, "yellow"), (79, "yellow"), (80, "red")]
)
def test_seat_limit_on_seats_and_api_calls(
    settings: Settings, used: int, severity: str | None
) -> None:
    usage = [
        UsagePoint(account_id="acme", date=AS_OF - timedelta(days=30), seats_used=10),
        UsagePoint(account_id="acme", date=AS_OF, seats_used=used),
        UsagePoint(account_id="acme", date=AS_OF, api_calls=used * 1000, api_limit=100_000),
    ]
    signals = _fired(settings, CrmData(usage=usage)).get(SignalType.seat_limit, [])
    if severity is None:
        assert signals == []
        return
    assert [(s.entity, s.severity, s.polarity) for s in signals] == [
        ("seats", severity, "opportunity"),
        ("API calls", severity, "opportunity"),
    ]
    assert signals[0].metrics == {"used": used, "limit": 100, "utilization_pct": float(used)}


def test_seat_limit_needs_the_purchased_seats(settings: Settings) -> None:
    usage = [UsagePoint(account_id="acme", date=AS_OF, seats_used=95)]
    assert _fired(settings, CrmData(usage=usage), _account(seats=None)) == {}


# support_spike --------------------------------------------------------------------------------


def _tickets(per_week: list[int]) -> list[Ticket]:
    """`per_week[0]` tickets in the 7 days before AS_OF, `per_week[1]` the week before, ..."""
    tickets = []
    for weeks_back, count in enumerate(per_week):
        day = AS_OF - timedelta(days=7 * weeks_back + 3)
        tickets += [
            Ticket(account_id="acme", ticket_id=f"{weeks_back}-{i}", opened_on=day)
            for i in range(count)
        ]
    return tickets


@pytest.mark.parametrize(
    ("per_week", "fires"),
    [
        ([19] + [10] * 8, False),  # 1.9x
        ([20] + [10] * 8, True),  # 2.0x
        ([2] + [0] * 8, False),  # fewer than 3
        ([3] + [0] * 8, True),
        ([5, 0, 0, 0, 0, 0, 0, 0, 0, 40], True),  # the 9th week back is outside the mean
    ],
)
def test_support_spike(settings: Settings, per_week: list[int], fires: bool) -> None:
    signals = _fired(settings, CrmData(tickets=_tickets(per_week))).get(SignalType.support_spike)
    assert bool(signals) is fires
    if signals:
        assert signals[0].severity == "yellow"
        assert signals[0].metrics["tickets_last_week"] == per_week[0]


# champion_departure ---------------------------------------------------------------------------


@pytest.mark.parametrize(("renewal_in", "severity"), [(89, "red"), (90, "red"), (91, "yellow")])
def test_departed_champion_near_renewal(settings: Settings, renewal_in: int, severity: str) -> None:
    contacts = [
        Contact(
            account_id="acme",
            name="Ana Lima",
            title="VP Operations",
            role="champion",
            status="departed",
            departed_on=date(2026, 11, 1),
        ),
        Contact(account_id="acme", name="Sam Ng", role="end_user", status="departed"),
        Contact(account_id="acme", name="Raj Patel", role="executive_sponsor"),
    ]
    crm = CrmData(contacts=contacts)
    [signal] = _fired(settings, crm, _account(renewal_in))[SignalType.champion_departure]
    assert (signal.severity, signal.entity, signal.occurred_at) == (
        severity,
        "Ana Lima",
        date(2026, 11, 1),
    )
    assert signal.metrics["days_to_renewal"] == renewal_in


def test_public_departure_matched_to_a_crm_sponsor(settings: Settings) -> None:
    contacts = [
        Contact(account_id="acme", name="Tomás Reyes", role="executive_sponsor"),
        Contact(account_id="acme", name="Ana Reyes", role="champion"),
    ]
    news = Signal(
        type=SignalType.executive_departure,
        severity="red",
        polarity="risk",
        summary="Acme's COO Tomas  Reyes steps down at year-end.",
        occurred_at=date(2026, 11, 10),
    )
    other = Signal(
        type=SignalType.executive_appointment,
        severity="info",
        polarity="context",
        summary="Ana Reyes named chief of staff.",
    )
    crm = CrmData(contacts=contacts)
    [signal] = _fired(settings, crm, _account(200), (news, other))[SignalType.champion_departure]
    assert (signal.entity, signal.severity, signal.occurred_at) == (
        "Tomás Reyes",
        "yellow",
        date(2026, 11, 10),
    )
    assert signal.metrics["source"] == "public"
    by_entity = news.model_copy(update={"summary": "A departure.", "entity": "Ana Reyes"})
    [signal] = _fired(settings, crm, _account(30), (by_entity,))[SignalType.champion_departure]
    assert (signal.entity, signal.severity) == ("Ana Reyes", "red")
    surname_only = news.model_copy(update={"summary": "Reyes leaves.", "entity": None})
    assert SignalType.champion_departure not in _fired(settings, crm, None, (surname_only,))


# renewal_window -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("renewal_in", "severity"),
    [(0, None), (1, "red"), (89, "red"), (90, "yellow"), (120, "yellow"), (121, None)],
)
def test_renewal_window(settings: Settings, renewal_in: int, severity: str | None) -> None:
    signals = _fired(settings, CrmData(), _account(renewal_in)).get(SignalType.renewal_window, [])
    assert [s.severity for s in signals] == ([severity] if severity else [])


# missed_qbr -----------------------------------------------------------------------------------


def _meeting(days_ago: int, status: str, kind: str = "qbr") -> Meeting:
    return Meeting.model_validate(
        {
            "account_id": "acme",
            "date": AS_OF - timedelta(days=days_ago),
            "kind": kind,
            "status": status,
        }
    )


@pytest.mark.parametrize(
    ("meetings", "fires"),
    [
        ([_meeting(40, "held")], False),
        ([_meeting(40, "missed")], True),
        ([_meeting(120, "held"), _meeting(40, "cancelled")], True),
        ([_meeting(40, "missed", "ebr"), _meeting(20, "held")], False),  # held since
        ([_meeting(101, "held"), _meeting(10, "held", "check-in")], True),  # none in 100 days
        ([_meeting(100, "held")], False),
        ([_meeting(30, "held"), _meeting(20, "cancelled", "check-in")], False),
        ([_meeting(60, "held"), _meeting(-5, "missed")], False),  # after as_of
        ([], False),  # no meetings on record: nothing to say
    ],
)
def test_missed_qbr(settings: Settings, meetings: list[Meeting], fires: bool) -> None:
    signals = _fired(settings, CrmData(meetings=meetings)).get(SignalType.missed_qbr, [])
    assert bool(signals) is fires
    assert all(s.severity == "yellow" for s in signals)


# health_decline -------------------------------------------------------------------------------


def _health(*scores: float) -> list[UsagePoint]:
    return [
        UsagePoint(
            account_id="acme", date=AS_OF - timedelta(days=30 * (len(scores) - i)), health_score=s
        )
        for i, s in enumerate(scores)
    ]


@pytest.mark.parametrize(
    ("scores", "severity"),
    [
        ((74, 68, 62), "yellow"),
        ((74, 74, 62), None),  # down once
        ((60, 74, 68), None),
        ((74, 68, 68, 62), "yellow"),  # a repeated reading is the same period
        ((60, 55, 49.5), "red"),
        ((62,), None),
    ],
)
def test_health_decline(
    settings: Settings, scores: tuple[float, ...], severity: str | None
) -> None:
    signals = _fired(settings, CrmData(usage=_health(*scores))).get(SignalType.health_decline, [])
    assert [s.severity for s in signals] == ([severity] if severity else [])


def test_only_this_accounts_records_count(settings: Settings) -> None:
    usage = [UsagePoint(account_id="other", date=AS_OF, seats_used=99)]
    assert _fired(settings, CrmData(usage=usage)) == {}


# the demo accounts ----------------------------------------------------------------------------


def _demo() -> tuple[dict[str, Account], CrmData]:
    crm_dir = DEMO / "crm"
    crm = CrmData(
        contacts=import_contacts(crm_dir / "contacts.csv").rows,
        usage=import_usage(crm_dir / "usage.csv").rows,
        tickets=import_tickets(crm_dir / "tickets.csv").rows,
        meetings=import_meetings(crm_dir / "meetings.csv").rows,
    )
    accounts = {a.account_id: a for a in import_csv(DEMO / "book.csv").accounts}
    return accounts, crm


def test_demo_accounts_get_the_triggers_their_notes_describe(settings: Settings) -> None:
    accounts, crm = _demo()
    marcus_leaving = Signal(
        type=SignalType.executive_departure,
        severity="red",
        polarity="risk",
        summary="Larkspur Home names a Chief Digital Officer as VP Digital Product Marcus Bell "
        "prepares to leave.",
        occurred_at=date(2026, 11, 10),
    )

    def fired(account_id: str, *public: Signal) -> dict[str, str]:
        signals = evaluate_triggers(accounts[account_id], crm, AS_OF, settings, public)
        return {f"{s.type}:{s.entity}" if s.entity else str(s.type): s.severity for s in signals}

    assert fired("larkspur-home", marcus_leaving) == {
        "usage_decline:active users": "yellow",
        "seat_limit:seats": "red",
        "support_spike": "yellow",
        "champion_departure:Marcus Bell": "red",
        "renewal_window": "red",
        "missed_qbr": "yellow",
        "health_decline": "yellow",
    }
    assert "champion_departure:Marcus Bell" not in fired("larkspur-home")
    assert fired("quarrystone") == {"seat_limit:seats": "red", "seat_limit:API calls": "red"}
    assert fired("meridian-health") == {
        "usage_decline:active users": "yellow",
        "support_spike": "yellow",
        "renewal_window": "red",
        "missed_qbr": "yellow",
        "health_decline": "yellow",
    }
    larkspur = {
        s.type: s for s in evaluate_triggers(accounts["larkspur-home"], crm, AS_OF, settings)
    }
    assert larkspur[SignalType.seat_limit].metrics["utilization_pct"] == 88.0
    assert larkspur[SignalType.health_decline].summary.endswith("74 → 68 → 62.")
