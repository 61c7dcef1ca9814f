"""The scan digest: accounts red first, then yellow, then expansion, then green, each with its
new signals, evidence links and plays — as Markdown, JSON and a self-contained HTML page.

A scan's digest (`DigestRun`) is written as it is read: its accounts' new signals come from
the ledger a batch of accounts at a time, so a book of 10,000 accounts and tens of thousands
of signals is never in memory at once. `Digest` is the whole digest, as the workspace keeps the
last one for the web page and the MCP server.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from pydantic import BaseModel, Field, ValidationError

from agent.atomic import atomic_text
from agent.config import Settings
from agent.render.escape import md_link, md_text, web_url
from agent.render.html import environment
from agent.schemas import Signal, TriageStatus

if TYPE_CHECKING:
    from agent.scan.ledger import Recorded  # the database layer loads only when a scan runs

log = logging.getLogger(__name__)

DigestFormat = Literal["md", "json", "html"]
_RANK = {"red": 0, "yellow": 1, "expansion": 2, "green": 3, None: 4}


class DigestAccount(BaseModel):
    """One account in the digest; `triage` is null when the account could not be assessed."""

    account_id: str
    name: str
    triage: TriageStatus | None
    expansion: bool = False
    new_signals: list[Signal] = Field(default_factory=list)
    plays: list[str] = Field(default_factory=list)
    errors: list[str] = Field(default_factory=list)
    #: Ledger fingerprints of `new_signals`, in the same order (what the run reports).
    fingerprints: list[str] = Field(default_factory=list, exclude=True)
    #: Source id → URL of the evidence, for links.
    links: dict[str, str] = Field(default_factory=dict, exclude=True)

    @property
    def rank(self) -> int:
        """Red, yellow, expansion-only, green, then unassessed."""
        return _rank(self.triage, self.expansion)

    def link(self, source_id: str) -> str | None:
        """A web address for an evidence source (never a `javascript:` URL from a page)."""
        return web_url(self.links.get(source_id))


@dataclass(frozen=True, slots=True)
class DigestLine:
    """One scanned account's digest line without its signals, kept compact: a scan holds one
    per account until its digest is written (about a fifth of a DigestAccount's memory)."""

    account_id: str
    name: str
    triage: TriageStatus | None = None
    expansion: bool = False
    plays: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()
    links: tuple[tuple[str, str], ...] = ()

    @property
    def rank(self) -> int:
        """As DigestAccount.rank."""
        return _rank(self.triage, self.expansion)

    def account(self, signals: list[Signal], fingerprints: list[str]) -> DigestAccount:
        """The digest account, with the new signals the ledger lists for it."""
        return DigestAccount(
            account_id=self.account_id,
            name=self.name,
            triage=self.triage,
            expansion=self.expansion,
            new_signals=signals,
            plays=list(self.plays),
            errors=list(self.errors),
            fingerprints=fingerprints,
            links=dict(self.links),
        )


def _rank(triage: TriageStatus | None, expansion: bool) -> int:
    return _RANK["expansion" if triage == "green" and expansion else triage]


class Digest(BaseModel):
    """What one scan reports."""

    run_id: str
    started_at: datetime
    finished_at: datetime
    accounts: list[DigestAccount]

    @property
    def scanned(self) -> int:
        """How many accounts the run scanned."""
        return len(self.accounts)

    def counts(self) -> dict[str, int]:
        """How many accounts are red, yellow, expansion, and how many new signals in all."""
        return {
            **_status_counts(self.accounts),
            "new_signals": sum(len(a.new_signals) for a in self.accounts),
        }

    def worth_reading(self) -> list[DigestAccount]:
        """The accounts with something new or an error, in digest order."""
        return [a for a in self.accounts if a.new_signals or a.errors]

    def worth_count(self) -> int:
        """How many accounts have something new or an error."""
        return len(self.worth_reading())

    def read(self) -> Iterator[DigestAccount]:
        """The accounts in digest order, with their new signals."""
        return iter(self.accounts)


#: Accounts whose new signals a digest reads from the ledger at a time.
BATCH = 200

#: The signals of the given accounts that the run's digest lists (`Ledger.listed`).
LoadSignals = Callable[[Sequence[str]], "list[Recorded]"]


class DigestRun:
    """A scan's digest, read from the ledger as it is written: the accounts in digest order
    (without their signals), how many new signals each has, and the means to read them (so
    its accounts are read while the ledger is open; `whole()` keeps them)."""

    def __init__(
        self,
        run_id: str,
        started_at: datetime,
        finished_at: datetime,
        entries: Iterable[DigestLine],
        fresh: dict[str, int],
        load: LoadSignals,
    ) -> None:
        self.run_id, self.started_at, self.finished_at = run_id, started_at, finished_at
        self.fresh, self._load = fresh, load

        def order(a: DigestLine) -> tuple[int, int, str, str]:
            return (a.rank, -fresh.get(a.account_id, 0), a.name.casefold(), a.account_id)

        #: The scanned accounts in digest order, without their signals.
        self.entries = sorted(entries, key=order)

    @property
    def scanned(self) -> int:
        """How many accounts the run scanned."""
        return len(self.entries)

    def counts(self) -> dict[str, int]:
        """How many accounts are red, yellow, expansion, and how many new signals in all."""
        return {
            **_status_counts(self.entries),
            "new_signals": sum(self.fresh.values()),
        }

    def read(self, *, worth_reading: bool = False) -> Iterator[DigestAccount]:
        """The accounts in digest order, each with its new signals (read BATCH accounts at a
        time); only those with something new or an error when `worth_reading`."""
        entries = [a for a in self.entries if self._worth(a)] if worth_reading else self.entries
        for start in range(0, len(entries), BATCH):
            batch = entries[start : start + BATCH]
            wanted = [a.account_id for a in batch if self.fresh.get(a.account_id)]
            found: dict[str, list[Recorded]] = {}
            for item in self._load(wanted) if wanted else []:
                found.setdefault(item.account_id, []).append(item)
            for line in batch:
                fresh = found.get(line.account_id, [])
                yield line.account([r.signal for r in fresh], [r.fingerprint for r in fresh])

    def worth_reading(self) -> Iterator[DigestAccount]:
        """The accounts with something new or an error, in digest order."""
        return self.read(worth_reading=True)

    def worth_count(self) -> int:
        """How many accounts have something new or an error (their signals left unread)."""
        return sum(map(self._worth, self.entries))

    def _worth(self, account: DigestLine) -> bool:
        return bool(self.fresh.get(account.account_id) or account.errors)

    def whole(self) -> Digest:
        """The whole digest in memory (for a small book, or a test)."""
        return Digest(
            run_id=self.run_id,
            started_at=self.started_at,
            finished_at=self.finished_at,
            accounts=list(self.read()),
        )


def _status_counts(accounts: Iterable[DigestAccount | DigestLine]) -> dict[str, int]:
    counts = {"red": 0, "yellow": 0, "expansion": 0, "errors": 0}
    for a in accounts:
        counts["red"] += a.triage == "red"
        counts["yellow"] += a.triage == "yellow"
        counts["expansion"] += a.expansion
        counts["errors"] += bool(a.errors)
    return counts


def render_digest(digest: Digest | DigestRun, fmt: DigestFormat) -> str:
    """The digest in the requested format, as one text."""
    out = io.StringIO()
    write_digest(digest, fmt, out)
    return out.getvalue()


def write_digest(digest: Digest | DigestRun, fmt: DigestFormat, out: TextIO) -> None:
    """Write the digest in the requested format, account by account."""
    if fmt == "json":
        _json(digest, out)
    elif fmt == "html":
        template = environment().get_template("digest.html.j2")
        for chunk in template.generate(
            d=digest,
            accounts=digest.worth_reading(),
            counts=digest.counts(),
            quiet=digest.scanned - digest.worth_count(),
            label=_label,
        ):
            out.write(chunk)
    else:
        _markdown(digest, out)


def _json(digest: Digest | DigestRun, out: TextIO) -> None:
    """The digest as `Digest.model_dump_json(indent=2)` writes it, one account at a time."""
    head = Digest(
        run_id=digest.run_id,
        started_at=digest.started_at,
        finished_at=digest.finished_at,
        accounts=[],
    ).model_dump_json(indent=2)
    before, _, _ = head.rpartition('"accounts": []')
    out.write(before + '"accounts": [')
    for i, account in enumerate(digest.read()):
        body = account.model_dump_json(indent=2).replace("\n", "\n    ")
        out.write(("," if i else "") + "\n    " + body)
    out.write("\n  ]\n}\n" if digest.scanned else "]\n}\n")


def _markdown(digest: Digest | DigestRun, out: TextIO) -> None:
    counts = digest.counts()
    lines = [
        f"# Book scan {digest.started_at:%Y-%m-%d %H:%M} UTC",
        "",
        f"{counts['red']} red · {counts['yellow']} yellow · {counts['expansion']} expansion · "
        f"{counts['new_signals']} new signals · {digest.scanned} accounts scanned"
        + (f" · {counts['errors']} with errors" if counts["errors"] else ""),
        "",
    ]
    out.write("\n".join(lines) + "\n")
    shown = 0
    for account in digest.worth_reading():
        shown += 1
        lines = [f"## {md_text(account.name)} — {_label(account)}", ""]
        for signal in account.new_signals:
            when = f" ({signal.occurred_at.isoformat()})" if signal.occurred_at else ""
            lines.append(
                f"- **{signal.severity}** {signal.type.value}{when}: {md_text(signal.summary)}"
            )
            for evidence in signal.evidence:
                url = account.link(evidence.source_id)
                where = md_link(evidence.source_id, url)
                lines.append(f'  - "{md_text(evidence.quote)}" — {where}')
        if account.new_signals and account.plays:
            lines += ["", "Plays:", *(f"1. {md_text(p)}" for p in account.plays)]
        if account.errors:
            lines += ["", "Errors:", *(f"- {md_text(e)}" for e in account.errors)]
        out.write("\n".join(lines) + "\n\n")
    quiet = digest.scanned - shown
    if quiet:
        out.write(f"{quiet} account(s) with nothing new.\n")


def _label(account: DigestAccount) -> str:
    status = account.triage or "not assessed"
    return f"{status} · expansion" if account.expansion else status


# The last completed scan's digest, kept in the workspace (`digests/last.json`) for the web
# page and the MCP server.


def digest_file(settings: Settings) -> Path:
    """Where the workspace's last digest is kept."""
    return settings.home / "digests" / "last.json"


def save_digest(settings: Settings, digest: Digest | DigestRun) -> None:
    """Keep `digest` as the workspace's last digest (atomically), written account by account."""
    with atomic_text(digest_file(settings)) as out:
        _json(digest, out)


def load_digest(settings: Settings) -> Digest | None:
    """The last digest kept, or None when no scan has written one (or it cannot be read)."""
    path = digest_file(settings)
    if not path.is_file():
        return None
    try:
        return Digest.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a digest this version reads"
        log.warning("%s: the last digest cannot be read (%s); a scan replaces it", path, reason)
        return None
