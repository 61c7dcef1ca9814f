"""A scan's memory does not grow with the book: few accounts in flight, none kept whole."""

from __future__ import annotations

import threading
import weakref
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import agent.scan.scan as scan_module
from agent.config import load_settings
from agent.deps import Deps
from agent.scan.scan import AccountScan, scan
from agent.schemas import Account, Evidence, Signal, SignalType, Source, SourceKind, Triage
from knowledge import heap

NOW = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
BOOK = [Account(account_id=f"wren-{n:03d}", name=f"Wren {n}") for n in range(60)]


def _result(account: Account) -> AccountScan:
    source = Source(
        id=f"news-{account.account_id}",
        account_id=account.account_id,
        kind=SourceKind.news,
        title="Wren hires",
        url=f"https://news.example/{account.account_id}",
        retrieved_at=NOW,
        text="x" * 50_000,  # an account's sources are the heavy part of its result
    )
    signal = Signal(
        type=SignalType.hiring_surge,
        severity="info",
        polarity="opportunity",
        summary="Wren is hiring",
        evidence=[Evidence(source_id=source.id, quote="x")],
    )
    return AccountScan(
        account=account,
        signals=[signal],
        triage=Triage(status="green", expansion=False),
        sources=[source],
        links={source.id: source.url or "", "news-other": "https://news.example/other"},
    )


def test_only_a_few_accounts_are_held_at_once(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    alive = most = 0
    lock = threading.Lock()

    def gone() -> None:
        nonlocal alive
        with lock:
            alive -= 1

    def fake_scan_account(deps: Any, account: Account, *args: Any) -> AccountScan:
        nonlocal alive, most
        result = _result(account)
        weakref.finalize(result, gone)
        with lock:
            alive += 1
            most = max(most, alive)
        return result

    monkeypatch.setattr(scan_module, "scan_account", fake_scan_account)
    settings = load_settings(home, scan_workers=3)
    with Deps.build(settings, clock=lambda: NOW) as deps:
        digest = scan(deps, BOOK, emit=lambda d: None).whole()

    assert len(digest.accounts) == len(BOOK)
    assert not [a.errors for a in digest.accounts if a.errors]
    assert sum(len(a.new_signals) for a in digest.accounts) == len(BOOK)
    # two per worker in flight, and as many finished and waiting to be recorded: never the book
    assert most <= 2 * 2 * 3
    # a digest line keeps links to the sources its signals cite, not the sources
    assert all(set(a.links) == {f"news-{a.account_id}"} for a in digest.accounts)
    assert digest.finished_at == NOW  # the digest is stamped by the Deps clock


def test_the_scan_holds_the_allocator_to_few_arenas_before_its_threads_start(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    monkeypatch.setattr(heap, "bound_arenas", lambda count: events.append("arenas") or True)

    def fake_scan_account(deps: Any, account: Account, *args: Any) -> AccountScan:
        events.append("account")
        return _result(account)

    monkeypatch.setattr(scan_module, "scan_account", fake_scan_account)
    with Deps.build(load_settings(home, scan_workers=2), clock=lambda: NOW) as deps:
        scan(deps, BOOK[:3], emit=lambda d: None)
    assert events[0] == "arenas" and events.count("arenas") == 1
