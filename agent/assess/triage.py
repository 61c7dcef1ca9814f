"""Triage: red / yellow / green plus an expansion flag, the reasons, and the plays.

Red needs a 30-60-90 day recovery plan and executive escalation; yellow needs proactive
outreach with the context to use; an expansion signal needs the expansion conversation before
the customer hits the limit (DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from agent.schemas import Signal, SignalType, Stakeholder, Triage
from knowledge.taxonomy import load_taxonomy

#: Opportunity signals that mean the customer is outgrowing what it bought, or has money to.
EXPANSION_TYPES = frozenset(
    {SignalType.seat_limit, SignalType.hiring_surge, SignalType.funding_round, SignalType.expansion}
)
#: Buying roles a relationship should not hang on one person for.
KEY_ROLES = frozenset({"champion", "decision_maker", "economic_buyer", "executive_sponsor"})

MAX_SIGNAL_PLAYS = 3

RECOVERY_PLAN = (
    "Recovery plan, days 1-30: escalate to our executive sponsor, meet the customer's economic "
    "buyer, and agree on the two or three outcomes that decide the renewal.",
    "Days 31-60: deliver one measurable win against those outcomes, rebuild relationships "
    "beyond the current champion, and close the open support issues.",
    "Days 61-90: present the results in an executive business review and agree on the renewal "
    "path and its success plan.",
)


def triage(signals: Sequence[Signal], stakeholders: Sequence[Stakeholder] = ()) -> Triage:
    """The account's status, expansion flag, reasons and plays from its signals."""
    # A renewal that is close is context, not risk, yet it is what the CSM must act on.
    risks = [s for s in signals if s.polarity != "opportunity"]
    red = [s for s in risks if s.severity == "red"]
    yellow = [s for s in risks if s.severity == "yellow"]
    growth = [s for s in signals if s.polarity == "opportunity" and s.type in EXPANSION_TYPES]
    status = "red" if red else "yellow" if yellow else "green"
    reasons = [f"{s.severity}: {s.summary}" for s in (red or yellow)]
    reasons += [f"expansion: {s.summary}" for s in growth]
    threaded = single_threaded(stakeholders)
    if threaded:
        reasons.append(threaded)
    return Triage(
        status=status,
        expansion=bool(growth),
        reasons=reasons,
        plays=_plays(status, red or yellow, growth, bool(threaded)),
    )


def single_threaded(stakeholders: Sequence[Stakeholder]) -> str | None:
    """A warning when the relationship rests on one active person in a key buying role."""
    active = [p for p in stakeholders if p.role in KEY_ROLES and p.status != "departed"]
    if len(active) == 1:
        person = active[0]
        return f"single-threaded: {person.name} ({person.role}) is the only active key contact"
    return None


def _plays(
    status: str, drivers: Sequence[Signal], growth: Sequence[Signal], threaded: bool
) -> list[str]:
    taxonomy = load_taxonomy()
    plays: list[str] = []
    if status == "red":
        plays += ["Escalate to our executive sponsor this week.", *RECOVERY_PLAN]
    elif status == "yellow":
        plays.append(
            "Reach out proactively before the next scheduled touchpoint, using the context above."
        )
    if growth:
        plays.append(
            "Open the expansion conversation now, before the customer hits the limit: "
            "bring the usage trend and a proposal sized to their plans."
        )
    if threaded:
        plays.append("Multi-thread: meet a second sponsor and the economic buyer this quarter.")
    # The plays of the signals that drive the status, once per type and a few at most: a
    # CSM acts on three things, not eleven.
    for signal_type in list(dict.fromkeys(s.type for s in drivers))[:MAX_SIGNAL_PLAYS]:
        play = taxonomy[signal_type].play
        if play not in plays:
            plays.append(play)
    return plays
