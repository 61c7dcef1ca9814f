"""Triage: status from the worst risk, expansion from growth signals, plays to match."""

from __future__ import annotations

from agent.assess.triage import single_threaded, triage
from agent.schemas import Signal, SignalType, Stakeholder


def _signal(kind: SignalType, severity: str, polarity: str) -> Signal:
    return Signal.model_validate(
        {"type": kind, "severity": severity, "polarity": polarity, "summary": f"{kind.value}"}
    )


def test_green_without_risks() -> None:
    result = triage([_signal(SignalType.tech_stack, "info", "context")])
    assert (result.status, result.expansion) == ("green", False)


def test_yellow_risk_means_outreach() -> None:
    result = triage([_signal(SignalType.usage_decline, "yellow", "risk")])
    assert result.status == "yellow"
    assert result.plays[0].startswith("Reach out proactively")
    assert result.reasons == ["yellow: usage_decline"]


def test_red_risk_means_escalation_and_a_30_60_90_plan() -> None:
    result = triage(
        [
            _signal(SignalType.champion_departure, "red", "risk"),
            _signal(SignalType.usage_decline, "yellow", "risk"),
        ]
    )
    assert result.status == "red"
    assert result.plays[0].startswith("Escalate")
    assert any("days 1-30" in p for p in result.plays)
    assert any("Days 61-90" in p for p in result.plays)
    assert result.reasons == ["red: champion_departure"]


def test_seat_limit_is_an_expansion_opportunity_not_a_risk() -> None:
    result = triage([_signal(SignalType.seat_limit, "red", "opportunity")])
    assert (result.status, result.expansion) == ("green", True)
    assert any("expansion conversation" in p for p in result.plays)


def test_single_threaded_relationship_is_flagged() -> None:
    people = [
        Stakeholder(name="Ana Ruiz", role="champion"),
        Stakeholder(name="Bo Chen", role="executive_sponsor", status="departed"),
        Stakeholder(name="Cy Diaz", role="end_user"),
    ]
    assert "Ana Ruiz" in (single_threaded(people) or "")
    people.append(Stakeholder(name="Di Evans", role="economic_buyer"))
    assert single_threaded(people) is None
    assert any("Multi-thread" in p for p in triage([], people[:3]).plays)
