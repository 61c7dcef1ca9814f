"""A scan's digest is written as it is read: a few accounts' signals at a time, in the same
order and the same formats as the whole digest, and what it listed is what the run reports."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

import agent.scan.digest as digest_module
from agent.config import load_settings
from agent.scan.digest import (
    Digest,
    DigestFormat,
    DigestLine,
    DigestRun,
    load_digest,
    render_digest,
    save_digest,
    write_digest,
)
from agent.scan.ledger import Ledger, Recorded
from agent.schemas import Account, Evidence, Signal, SignalType

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def _signal(n: int) -> Signal:
    return Signal(
        type=SignalType.layoffs, severity="red", polarity="risk", summary=f"cuts {n}",
        occurred_at=date(2026, 10, n), evidence=[Evidence(source_id=f"n{n}", quote=f"cut {n}")],
    )  # fmt: skip


def _entries() -> list[DigestLine]:
    return [
        DigestLine(account_id="calm", name="Calm Co", triage="green"),
        DigestLine(account_id="alpha", name="Alpha", triage="red"),
        DigestLine(account_id="broken", name="Broken", triage=None, errors=("news: 503",)),
        DigestLine(account_id="beta", name="Beta", triage="red"),
        DigestLine(account_id="gamma", name="Gamma", triage="yellow"),
    ]


def _recorded() -> list[Recorded]:
    owners = ["alpha", "beta", "beta", "gamma"]
    return [Recorded(a, f"f{i}", _signal(i + 1), "r0") for i, a in enumerate(owners)]


def _run(asked: list[Sequence[str]]) -> DigestRun:
    found = _recorded()
    fresh: dict[str, int] = {}
    for r in found:
        fresh[r.account_id] = fresh.get(r.account_id, 0) + 1

    def load(ids: Sequence[str]) -> list[Recorded]:
        asked.append(list(ids))
        return [r for r in found if r.account_id in ids]

    return DigestRun("r1", NOW, NOW, _entries(), fresh, load)


def test_the_digest_reads_a_few_accounts_signals_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(digest_module, "BATCH", 2)
    asked: list[Sequence[str]] = []
    run = _run(asked)
    order = [a.account_id for a in run.read()]
    # red first (more new signals first), then yellow, green, unassessed
    assert order == ["beta", "alpha", "gamma", "calm", "broken"]
    assert all(len(ids) <= 2 for ids in asked) and sum(map(len, asked)) == 3
    assert run.counts() == {"red": 2, "yellow": 1, "expansion": 0, "errors": 1, "new_signals": 4}


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_a_streamed_digest_reads_as_the_whole_digest(fmt: DigestFormat) -> None:
    run = _run([])
    whole = run.whole()
    streamed = io.StringIO()
    write_digest(run, fmt, streamed)
    assert streamed.getvalue() == render_digest(whole, fmt)
    if fmt == "json":
        assert streamed.getvalue() == whole.model_dump_json(indent=2) + "\n"
        assert Digest.model_validate_json(streamed.getvalue()).model_dump() == whole.model_dump()
        assert json.loads(streamed.getvalue())["accounts"][0]["account_id"] == "beta"
    if fmt == "md":
        assert "1 account(s) with nothing new." in streamed.getvalue()


def test_the_kept_digest_lists_the_signals_after_the_run_reported_them(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    ledger = Ledger.open(settings)
    try:
        run_id, started = ledger.start_run()
        ledger.record_account(run_id, Account(account_id="alpha", name="Alpha"), [], [_signal(1)])
        run = DigestRun(
            run_id, started, NOW, [DigestLine(account_id="alpha", name="Alpha", triage="red")],
            ledger.unreported_counts(run_id), lambda ids: ledger.listed(run_id, ids),
        )  # fmt: skip
        ledger.complete_run(run_id)
        assert ledger.unreported(run_id) == []
        save_digest(settings, run)
    finally:
        ledger.close()
    kept = load_digest(settings)
    assert kept is not None and [s.summary for s in kept.accounts[0].new_signals] == ["cuts 1"]
