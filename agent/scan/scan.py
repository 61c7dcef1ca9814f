"""The scan: every account of (a shard of) the book refreshed, its new signals reported once.

scan:  accounts ─► (threads) research incrementally ─► assess ─┐
                                      (main thread) ledger ◄───┘ one transaction per account
       ledger: signals found and never reported ─► digest, read a batch of accounts at a time
       ─► emit ─► alerts ─► run completed (what it listed marked reported)

Research and assessment run in a thread pool (the HTTP client's per-host limits pace the
requests; the store serializes its writes). The ledger is written from the calling thread
only, so SQLite never sees two writers and the order of records is the order of completion.

Memory does not grow with the book: a few accounts per worker are in flight at a time, and an
account's sources are let go once it is recorded; what stays is its line in the digest (its
signals stay in the ledger until the digest is written). The C allocator is held to two arenas
while the pool runs (glibc gives each thread its own, and their free pieces, never returned,
grew the scan by ~40 KB per account), and its free pages are handed back after every account
(TRIM_EVERY; Chroma's native side left ~20 KB per account otherwise).

An account's failure of any kind is that account's error and the scan goes on; a fault of the
workspace itself (read-only, disk full, a corrupt ledger or index) ends the scan, since every
account would fail the same way.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import signal as signals_module
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

from agent.assess import assess
from agent.crm import CrmData, load_crm
from agent.deps import Deps
from agent.errors import ConfigError, DossierError, WorkspaceError, workspace_error
from agent.research import research
from agent.scan.digest import DigestLine, DigestRun, save_digest
from agent.schemas import Account, Signal, Source, Triage
from knowledge import heap

#: Test hook, honoured only when set: SIGKILL the scan after N accounts are recorded in the
#: ledger, or with "alerts", after the alerts are sent and before the run completes. It lets
#: a test kill a scan at an exact point instead of racing a timer.
DIE_AFTER_ENV = "DOSSIER_SCAN_TEST_DIE_AFTER"
#: Accounts submitted per worker ahead of the results read: enough to keep every worker busy,
#: few enough that the sources held in flight do not grow with the book.
_AHEAD = 2


@dataclass
class AccountScan:
    """What one account's refresh found, or why it could not."""

    account: Account
    signals: list[Signal] = field(default_factory=list)
    triage: Triage | None = None
    sources: list[Source] = field(default_factory=list)
    #: Source id → URL, for evidence links in the digest.
    links: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def entry(self) -> DigestLine:
        """The account's line in the digest (its new signals are the ledger's to add), with
        links to the sources its signals cite only."""
        cited = {e.source_id for s in self.signals for e in s.evidence}
        return DigestLine(
            self.account.account_id,
            self.account.name,
            self.triage.status if self.triage else None,
            bool(self.triage and self.triage.expansion),
            tuple(self.triage.plays) if self.triage else (),
            tuple(self.errors),
            tuple((k, v) for k, v in self.links.items() if k in cited),
        )


Emit = Callable[[DigestRun], None]
Notify = Callable[[str, DigestRun], None]


def parse_shard(text: str) -> tuple[int, int]:
    """`I/N` as (I, N), 1 <= I <= N."""
    index, _, count = text.partition("/")
    try:
        i, n = int(index), int(count)
    except ValueError:
        raise ConfigError(f"--shard {text!r}: expected I/N, e.g. 2/3") from None
    if not 1 <= i <= n:
        raise ConfigError(f"--shard {text!r}: I must be between 1 and N")
    return i, n


def in_shard(account_id: str, shard: tuple[int, int]) -> bool:
    """Whether the account belongs to shard I of N (a stable hash, the same on every host)."""
    i, n = shard
    digest = hashlib.sha256(account_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % n == i - 1


def scan_account(
    deps: Deps, account: Account, crm: CrmData | None = None, as_of: datetime | None = None
) -> AccountScan:
    """Research one account incrementally and assess it; failures become its errors.

    With `as_of` nothing is fetched: the store is read as it stood then.
    """
    result = AccountScan(account=account)
    try:
        if as_of is None:
            report = research(deps, account)
            result.errors += [f"{o.tool}: {o.error}" for o in report.failed]
        sources = deps.store.sources(account.account_id, as_of)
        assessment = assess(deps, account, sources, as_of or deps.clock(), crm)
    except WorkspaceError:
        raise
    except DossierError as exc:
        result.errors.append(" ".join(str(exc).split()))
        return result
    result.signals, result.triage = assessment.signals, assessment.triage
    result.sources = sources
    result.links = {s.id: s.url for s in sources if s.url}
    return result


def scan(
    deps: Deps,
    accounts: Sequence[Account],
    *,
    emit: Emit,
    notify: Notify | None = None,
    shard: str | None = None,
    report: bool = True,
    on_account: Callable[[AccountScan], None] | None = None,
    as_of: datetime | None = None,
) -> DigestRun:
    """Scan the accounts, write the digest, alert, and complete the run in `deps.ledger`.

    With `report=False` (a dry run) the signals stay unreported, so the next scan reports them.
    With `as_of`, the accounts are assessed from the store as it stood then, without research.
    """
    ledger = deps.ledger
    run_id, started = ledger.start_run(shard)
    die_after = os.environ.get(DIE_AFTER_ENV)
    try:
        entries = _refresh(deps, run_id, accounts, on_account, die_after, as_of)
        digest = DigestRun(
            run_id,
            started,
            deps.clock(),
            entries,
            ledger.unreported_counts(run_id),
            lambda ids: ledger.listed(run_id, ids),
        )
        emit(digest)
        if notify is not None:
            notify(run_id, digest)
        if die_after == "alerts":
            _die()
        # what the digest listed: every signal of the run no completed run had reported
        ledger.complete_run(run_id, report=report)
        if report and as_of is None:
            save_digest(deps.settings, digest)  # the last scan, for the web page and MCP
    except BaseException:
        # the run's own error is the one to report, not a second one from a broken ledger
        with contextlib.suppress(DossierError):
            ledger.fail_run(run_id)
        raise
    return digest


#: Arenas the scan's threads share (knowledge/heap.py).
MALLOC_ARENAS = 2
#: Accounts recorded between two returns of freed memory to the system: each account's
#: collection frees memory that glibc keeps until then, so a longer wait raises the peak (at
#: 2,000 accounts, 50: a peak 62 MB above the trimmed heap; 10: 36 MB; 5,000 accounts replayed
#: without the rate limit, 10: 594 MB, 1: 574 MB). A trim of the scan's heap takes about 1 ms.
TRIM_EVERY = 1


def _refresh(
    deps: Deps,
    run_id: str,
    accounts: Sequence[Account],
    on_account: Callable[[AccountScan], None] | None,
    die_after: str | None,
    as_of: datetime | None,
) -> list[DigestLine]:
    """Each account scanned in the pool and recorded here as it completes; their digest lines."""
    entries: list[DigestLine] = []
    heap.bound_arenas(MALLOC_ARENAS)
    crm = load_crm(deps.settings)  # the whole book's CRM data, read once per scan
    workers = min(deps.settings.scan_workers, max(1, len(accounts)))
    waiting = iter(accounts)
    running: dict[Future[AccountScan], Account] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="scan") as pool:
        try:
            while True:
                for account in itertools.islice(waiting, _AHEAD * workers - len(running)):
                    running[pool.submit(scan_account, deps, account, crm, as_of)] = account
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in done:
                    result = _outcome(future, running.pop(future))
                    if result.triage is not None:
                        deps.ledger.record_account(
                            run_id, result.account, result.sources, result.signals
                        )
                    entries.append(result.entry())
                    if len(entries) % TRIM_EVERY == 0:
                        heap.trim()
                    if on_account:
                        on_account(result)
                    if die_after and die_after.isdigit() and len(entries) >= int(die_after):
                        _die()
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)  # the accounts not started never will
            raise
    return entries


def _outcome(future: Future[AccountScan], account: Account) -> AccountScan:
    """The account's result; an unexpected error is its error, unless the workspace is at
    fault (then the scan ends with it)."""
    try:
        return future.result()
    except WorkspaceError:
        raise
    except Exception as exc:
        if workspace_error(exc) is not None:
            raise
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return AccountScan(account=account, errors=[f"{type(exc).__name__}: {reason}"])


def _die() -> None:
    os.kill(os.getpid(), signals_module.SIGKILL)
