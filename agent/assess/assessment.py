"""One account assessed: external signals from its sources, triggers from the CSM's own data,
the stakeholder map and the triage.

sources ─► signals ─┐
CRM data ─► triggers ┴─► stakeholder map ─► triage (red / yellow / green, plays)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from agent.assess.signals import detect_signals, signal_order
from agent.assess.stakeholders import find_stakeholders, merge_contacts
from agent.assess.triage import triage
from agent.assess.triggers import evaluate_triggers
from agent.crm import CrmData, load_crm
from agent.deps import Deps
from agent.research import load_report
from agent.schemas import Account, Signal, SignalType, Source, Stakeholder, Triage


@dataclass
class Assessment:
    """The signals of one account, its stakeholder map and its triage."""

    signals: list[Signal]
    stakeholders: list[Stakeholder]
    triage: Triage


def assess(
    deps: Deps,
    account: Account,
    sources: Sequence[Source],
    as_of: datetime,
    crm: CrmData | None = None,
) -> Assessment:
    """External signals from the sources, triggers from the CSM's data, and the triage.

    `crm` is the book's CRM data when the caller has it loaded already (a scan reads it once).
    """
    research = load_report(deps.settings, account.account_id)
    external = detect_signals(
        account,
        sources,
        as_of,
        previous_jobs=(research.previous_jobs or None) if research else None,
    )
    crm = (crm or load_crm(deps.settings)).for_account(account.account_id)
    departures = [s for s in external if s.type is SignalType.executive_departure]
    triggered = evaluate_triggers(account, crm, as_of.date(), deps.settings, departures)
    signals = sorted([*triggered, *external], key=signal_order)
    people = merge_contacts(find_stakeholders(sources), crm.contacts)
    return Assessment(signals=signals, stakeholders=people, triage=triage(signals, people))
