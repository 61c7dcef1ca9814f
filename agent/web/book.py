"""The book as the web page and the MCP server show it: every account with its triage,
expansion flag, renewal date and the new signals the last scan reported; filtered and sorted.

An account is assessed again only when what its assessment reads has changed (its sources, its
research record, the CRM exports, the book, or the day). Assessing takes a second or more per
account, so the page never waits for it: it shows what is known and assesses the rest in the
background.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

from agent.assess import Assessment, assess
from agent.book import load_book
from agent.crm import CrmData, load_crm
from agent.deps import Deps
from agent.errors import DossierError, WorkspaceError
from agent.scan.digest import Digest, load_digest
from agent.schemas import Account, TriageStatus

SortKey = Literal["triage", "renewal", "name", "new", "signals"]
SORT_KEYS: tuple[SortKey, ...] = ("triage", "renewal", "name", "new", "signals")
_TRIAGE_RANK = {"red": 0, "yellow": 1, "green": 2, None: 3}


@dataclass(frozen=True)
class AccountRow:
    """One account of the book with where it stands."""

    account: Account
    triage: TriageStatus | None
    expansion: bool = False
    signals: int = 0
    red_signals: int = 0
    #: The new signals the last scan reported for it; None when that scan did not cover it.
    new_signals: int | None = None
    #: Why it could not be assessed.
    error: str | None = None
    #: Its data changed since this row was assessed; a new assessment is under way.
    pending: bool = False

    def renewal_in(self, today: date) -> int | None:
        """Days until the renewal date (negative once past), or None when unknown."""
        renewal = self.account.renewal_date
        return (renewal - today).days if renewal else None


@dataclass(frozen=True)
class BookQuery:
    """What the CSM asked to see: a name filter, a triage, expansion only, renewal within
    N days, and the order."""

    text: str = ""
    triage: TriageStatus | None = None
    expansion: bool = False
    renewal_within: int | None = None
    sort: SortKey = "triage"
    descending: bool = False


class Book:
    """The workspace's book and each account's assessment, kept until its inputs change."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._cache: dict[str, tuple[tuple[object, ...], Assessment]] = {}
        self._lock = threading.Lock()

    def accounts(self) -> dict[str, Account]:
        """The accounts of the book, by id."""
        return load_book(self.deps.settings)

    def assessment(self, account: Account, crm: CrmData | None = None) -> Assessment:
        """The account's signals and triage as of now (assessed again when its data changed)."""
        key = self._state(account)
        with self._lock:
            cached = self._cache.get(account.account_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        sources = self.deps.store.sources(account.account_id)
        result = assess(self.deps, account, sources, self.deps.clock(), crm)
        with self._lock:
            self._cache[account.account_id] = (key, result)
        return result

    def rows(self, *, wait: bool = True) -> tuple[list[AccountRow], list[Account]]:
        """Every account with its triage and the last scan's new signals, in book order, and
        the accounts whose assessment is not current.

        With `wait`, those are assessed now (seconds per account); without, their last known
        row (or a row still to be assessed) is shown and the caller assesses them later.
        """
        crm = load_crm(self.deps.settings)
        digest = load_digest(self.deps.settings)
        rows, stale = [], []
        for account in self.accounts().values():
            new = _new_signals(digest, account.account_id)
            with self._lock:
                cached = self._cache.get(account.account_id)
            current = cached is not None and cached[0] == self._state(account)
            if not current:
                stale.append(account)
            if current or wait:
                rows.append(self._row(account, crm, new))
            elif cached is not None:
                rows.append(_assessed(account, cached[1], new, pending=True))
            else:
                rows.append(AccountRow(account=account, triage=None, new_signals=new, pending=True))
        return rows, ([] if wait else stale)

    def _row(self, account: Account, crm: CrmData, new: int | None) -> AccountRow:
        try:
            result = self.assessment(account, crm)
        except WorkspaceError:
            raise
        except DossierError as exc:
            return AccountRow(account=account, triage=None, new_signals=new, error=str(exc))
        return _assessed(account, result, new)

    def _state(self, account: Account) -> tuple[object, ...]:
        """What the account's assessment depends on, as file times and the day."""
        settings = self.deps.settings
        crm = sorted((settings.home / "crm").glob("*.json"))
        watched = [
            settings.sources_dir / account.account_id,
            settings.home / "research" / f"{account.account_id}.json",
            settings.book_file,
            *crm,
        ]
        return (self.deps.clock().date(), *(_mtime(p) for p in watched))


def select(rows: list[AccountRow], query: BookQuery, today: date) -> list[AccountRow]:
    """The rows the query keeps, in its order."""
    text = query.text.casefold().strip()
    kept = [
        r
        for r in rows
        if (
            not text
            or any(text in n.casefold() for n in (*r.account.names(), r.account.account_id))
        )
        and (query.triage is None or r.triage == query.triage)
        and (not query.expansion or r.expansion)
        and (query.renewal_within is None or _renews_within(r, today, query.renewal_within))
    ]
    kept.sort(key=lambda r: r.account.name.casefold())
    kept.sort(key=lambda r: _sort_key(r, query.sort, today), reverse=query.descending)
    return kept


def _sort_key(row: AccountRow, sort: SortKey, today: date) -> tuple[Any, ...]:
    renewal = row.renewal_in(today)
    match sort:
        case "renewal":
            return (renewal is None, renewal if renewal is not None else 0)
        case "new":
            return (-(row.new_signals or 0),)
        case "signals":
            return (-row.red_signals, -row.signals)
        case "name":
            return (row.account.name.casefold(),)
    return (_TRIAGE_RANK[row.triage], not row.expansion, -(row.new_signals or 0))


def _names(account: Account) -> tuple[str, ...]:
    return (*account.names(), account.account_id)


def _assessed(
    account: Account, result: Assessment, new: int | None, pending: bool = False
) -> AccountRow:
    return AccountRow(
        account=account,
        triage=result.triage.status,
        expansion=result.triage.expansion,
        signals=len(result.signals),
        red_signals=sum(s.severity == "red" for s in result.signals),
        new_signals=new,
        pending=pending,
    )


def _renews_within(row: AccountRow, today: date, days: int) -> bool:
    renewal = row.renewal_in(today)
    return renewal is not None and 0 <= renewal <= days


def _new_signals(digest: Digest | None, account_id: str) -> int | None:
    if digest is None:
        return None
    for entry in digest.accounts:
        if entry.account_id == account_id:
            return len(entry.new_signals)
    return None


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
