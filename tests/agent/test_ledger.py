"""The ledger: stable fingerprints, reported exactly once, alerts recorded before sending."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from agent.config import load_settings
from agent.scan.ledger import Ledger, fingerprint
from agent.schemas import Account, Evidence, Signal, SignalType

ACME = Account(account_id="acme", name="Acme")


def _signal(summary: str = "CFO leaves", **kw: object) -> Signal:
    data: dict[str, object] = {
        "type": SignalType.executive_departure,
        "severity": "red",
        "polarity": "risk",
        "summary": summary,
        "occurred_at": date(2026, 10, 3),
        "entity": "Dana Reyes",
        "evidence": [Evidence(source_id="news-1", quote="Dana Reyes leaves")],
    }
    data.update(kw)
    return Signal.model_validate(data)


def test_fingerprint_ignores_wording_but_not_the_event() -> None:
    base = fingerprint(_signal())
    assert fingerprint(_signal("Dana Reyes, CFO, is leaving")) == base
    assert fingerprint(_signal(occurred_at=date(2026, 10, 28))) == base
    assert fingerprint(_signal(occurred_at=date(2026, 11, 1))) != base
    assert fingerprint(_signal(severity="yellow")) != base
    assert fingerprint(_signal(entity="Sam Lee")) != base
    undated = _signal(occurred_at=None)
    assert fingerprint(undated) == fingerprint(_signal("other words", occurred_at=None))
    other = [Evidence(source_id="news-2", quote="x")]
    assert fingerprint(_signal(occurred_at=None, evidence=other)) != fingerprint(undated)


def test_signal_is_reported_once_by_a_completed_run(home: Path) -> None:
    ledger = Ledger.open(load_settings(home))
    assert (home / "ledger.sqlite").is_file()

    killed, _ = ledger.start_run()
    ledger.record_account(killed, ACME, [], [_signal()])
    assert len(ledger.unreported(killed)) == 1  # never completed: nothing reported

    first, _ = ledger.start_run()
    ledger.record_account(first, ACME, [], [_signal()])
    found = ledger.unreported(first)
    assert [r.first_seen_run for r in found] == [killed]
    ledger.complete_run(first, [(r.account_id, r.fingerprint) for r in found])

    again, _ = ledger.start_run()
    ledger.record_account(again, ACME, [], [_signal("reworded"), _signal(entity="Sam Lee")])
    assert [r.signal.entity for r in ledger.unreported(again)] == ["Sam Lee"]
    assert dict(ledger.runs()) == {killed: "running", first: "completed", again: "running"}
    ledger.close()


def test_sent_alerts_are_remembered(home: Path) -> None:
    ledger = Ledger.open(load_settings(home))
    run, _ = ledger.start_run()
    alert = ledger.alert_pending(run, "slack", "h1", ["f2", "f1"])
    assert not ledger.was_sent("slack", "h1") and ledger.alerted("slack") == set()
    ledger.alert_sent(alert)
    assert ledger.was_sent("slack", "h1") and ledger.alerted("slack") == {"f1", "f2"}
    assert ledger.alerted("email") == set()
