"""The ledger: stable fingerprints, reported exactly once, alerts recorded before sending;
on SQLite in the workspace and on a real PostgreSQL server."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from agent.config import load_settings
from agent.scan.ledger import Ledger, fingerprint
from agent.schemas import Account, Evidence, Signal, SignalType

if TYPE_CHECKING:
    from tests.servers import Postgres

pytest_plugins = ["tests.servers"]  # the server fixtures

ACME = Account(account_id="acme", name="Acme")
ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


class _Clock:
    """A clock that ticks a second per reading."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request: pytest.FixtureRequest, home: Path) -> Iterator[Ledger]:
    """A fresh ledger in the workspace (SQLite) or in a database of the test cluster."""
    settings = load_settings(home)
    if request.param == "postgresql":
        server: Postgres = request.getfixturevalue("postgres")
        settings = load_settings(home, ledger_url=server.database())
    opened = Ledger.open(settings, _Clock())
    yield opened
    opened.close()


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


def test_signal_is_reported_once_by_a_completed_run(ledger: Ledger) -> None:
    killed, _ = ledger.start_run()
    ledger.record_account(killed, ACME, [], [_signal()])
    assert len(ledger.unreported(killed)) == 1  # never completed: nothing reported

    first, _ = ledger.start_run()
    ledger.record_account(first, ACME, [], [_signal()])
    found = ledger.unreported(first)
    assert [r.first_seen_run for r in found] == [killed]
    ledger.complete_run(first)

    again, _ = ledger.start_run()
    ledger.record_account(again, ACME, [], [_signal("reworded"), _signal(entity="Sam Lee")])
    assert [r.signal.entity for r in ledger.unreported(again)] == ["Sam Lee"]
    assert ledger.runs() == [(killed, "running"), (first, "completed"), (again, "running")]


def test_sent_alerts_are_remembered(ledger: Ledger) -> None:
    run, started = ledger.start_run()
    assert started == T0 + timedelta(seconds=1)  # the ledger's clock, not the wall clock
    alert = ledger.alert_pending(run, "slack", "h1", ["f2", "f1"])
    assert not ledger.was_sent("slack", "h1") and ledger.alerted("slack") == set()
    ledger.alert_sent(alert)
    assert ledger.was_sent("slack", "h1") and ledger.alerted("slack") == {"f1", "f2"}
    assert ledger.alerted("email") == set()


def test_the_workspace_ledger_is_a_sqlite_file(home: Path) -> None:
    Ledger.open(load_settings(home)).close()
    assert (home / "ledger.sqlite").is_file()


def test_a_postgresql_url_without_a_driver_uses_psycopg(postgres: Postgres, home: Path) -> None:
    bare = postgres.database().replace("postgresql+psycopg://", "postgresql://")
    ledger = Ledger.open(load_settings(home, ledger_url=bare))
    assert ledger.engine.dialect.driver == "psycopg"
    assert ledger.runs() == []
    ledger.close()


def test_processes_creating_one_fresh_postgresql_ledger_all_succeed(postgres: Postgres) -> None:
    url = postgres.database()
    script = textwrap.dedent(
        f"""
        from agent.scan.ledger import Ledger
        from agent.schemas import Account
        ledger = Ledger({url!r})
        run, _ = ledger.start_run()
        ledger.record_account(run, Account(account_id="acme", name="Acme"), [], [])
        ledger.complete_run(run, report=False)
        """
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
    ledger = Ledger(url)
    assert [status for _, status in ledger.runs()] == ["completed"] * 3
    ledger.close()
